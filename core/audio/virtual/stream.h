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
#pragma once

#include <memory>

#include "core/audio/device.h"
#include "core/audio/virtual/spec.h"

namespace sc::audio {

// The stream parameters after open_capture has resolved and checked them (non-zero, in range).
struct VirtualStreamParams {
  unsigned rate = 0;
  unsigned channels = 0;
  unsigned buffer_frames = 0;
};

// A stream of `spec`'s signal into `sink` (which must outlive it). Allocates everything it
// needs here: the producer thread's loop does not allocate.
std::unique_ptr<CaptureStream> make_virtual_stream(const VirtualSpec& spec,
                                                   const VirtualStreamParams& params,
                                                   CaptureSink& sink);

}  // namespace sc::audio
