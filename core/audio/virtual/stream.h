// The virtual device's capture stream: one producer thread that delivers the spec's signal
// (virtual_signal.h) to a CaptureSink and injects the spec's faults on the device clock.
//
// Pace. speed=realtime delivers `buffer` frames per period, each when its last frame has been
// "captured": at wall time (start() + the device time after the period), sleeping until
// absolute deadlines, so no drift accumulates and gaps pass in real time. speed=max calls
// sink.wait_for_space(frames) before each period and delivers at once; when it returns false
// the stream stops producing (finished() stays false: the sink ended it, not the device).
// stop() cannot interrupt a sink blocked in wait_for_space(): the sink must return false from
// it once its owner stops (device.h), or stop() waits until it returns.
//
// Periods. Frames come in periods of `buffer` frames on a grid that starts at each segment's
// first frame (virtual_signal.h "Time"). A fault splits the period it falls in: frames
// before it, the event, frames after it. Faults, in schedule order:
//   xrun=AT         event {xrun, AT, lost_frames = buffer}; the next `buffer` frames are never
//                   delivered (device time passes over them).
//   rate-change     event {format_changed, AT, rate = HZ, channels}; a new segment at AT at HZ.
//   drop=AT:BACK    event {disconnected, AT}; no frames until BACK; event {reconnected, BACK,
//                   rate, channels}; a new segment at BACK. At speed=max the clock jumps; in
//                   real time the gap passes (and clock() advances through it period by period).
//   drop=AT         event {ended, AT}; finished() becomes true and the thread exits.
// A fault whose frame has already passed (it falls in a drop's gap or in frames an xrun
// skipped) takes effect at the next frame, with `at` the time of that frame.
//
// Loop (signal=loop, virtual/loop.h). When one capture and one playback stream are open on the
// same VirtualDevice object, the capture delivers what the playback plays, D = round(latency *
// rate) frames later (halves up: 7.3 ms at 48 kHz is 350.4 frames, so 350): the frame at
// device position g carries the playback's position g - D, silence before position D and
// where nothing was played (before the first frame, paused, underrun, after the end). Device
// positions count frames from the pair's start; the playback fills them slot by slot
// (virtual/playback.h), so without pauses or underruns the p-th frame taken is position p,
// and captured frame k == played frame k - D. Played channel c is captured on channel c;
// captured channels beyond the played ones carry played channel 0.
//   Design: each stream keeps its own thread and pace; a lock-free SPSC delay line between them
//   (the playback writes, the capture reads D behind, each waiting for the other where it
//   must: never a different result for a different schedule). The pair starts together: the
//   thread of whichever starts first waits for the other's start(), then both share one
//   wall-clock start.
//   Rules: both streams open before either starts (opening one while the other runs is
//   refused), at one rate (refused otherwise), no rate-change fault (refused at
//   open_playback), latency up to kMaxLoopLatency (refused above). The capture's faults are
//   the capture side's: an xrun loses `buffer` captured positions (the capture jumps ahead
//   of the played signal), a drop's gap is positions the capture never reads (the playback
//   plays on), drop for good ends the capture only. A capture with no playback open, or a
//   second capture on the device, captures silence.
//   Threads: while waiting for its partner a thread sleeps 100 us at a time (pacing): in
//   real time the partner is a period ahead, so this only happens on an overloaded machine.
//   At speed=max the capture waits for the playback's frames: whoever feeds the playback
//   source must not wait for the capture to do so.
#pragma once

#include <memory>

#include "core/audio/device.h"
#include "core/audio/virtual/spec.h"

namespace sc::audio {

class VirtualLoop;

// The stream parameters after open_capture has resolved and checked them (non-zero, in range).
struct VirtualStreamParams {
  unsigned rate = 0;
  unsigned channels = 0;
  unsigned buffer_frames = 0;
};

// A stream of `spec`'s signal into `sink` (which must outlive it). Allocates everything it
// needs here: the producer thread's loop does not allocate.
// `loop`: for signal=loop, the device's pairing, which open_capture has attached this stream
// to (VirtualLoop::attach said linked); null otherwise. The stream detaches when destroyed.
std::unique_ptr<CaptureStream> make_virtual_stream(const VirtualSpec& spec,
                                                   const VirtualStreamParams& params,
                                                   CaptureSink& sink,
                                                   std::shared_ptr<VirtualLoop> loop);

}  // namespace sc::audio
