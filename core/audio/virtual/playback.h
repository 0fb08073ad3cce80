// The virtual device's playback stream: one thread that pulls frames from a PlaybackSource at
// the device's pace, and, in a loop pair (virtual/stream.h "Loop"), hands them to the capture.
//
// Slots. The stream runs in slots of `buffer` frames at device positions 0, buffer, 2 buffer,
// ... (frames since start, pauses included). In each slot it pulls `buffer` frames from the
// source, or plays silence: while paused (the source is not asked), after the source ended,
// and for the rest of a slot the source filled only in part. on_need's `at` is the time of
// the slot's position (position / rate), so in a loop pair the frame pulled at `at` is
// captured at `at` + latency.
//
// Pace, as the capture stream's. speed=realtime: slot p starts at wall time start() + p *
// buffer / rate (absolute deadlines, no drift); the frames pulled for it play during the slot,
// so heard() catches up with taken() at the next slot's start: the output latency is one
// period (describe().latency). speed=max: source.wait_for_data(buffer) before each pull, then
// at once; heard() == taken(); when wait_for_data returns false the stream stops pulling
// (finished() stays false: the source ended it, not the device).
//
// pause()/resume() take effect at the next slot: the slot in flight plays out, then silence;
// after resume() the next pull continues with the next frame (none dropped or repeated). At
// speed=max a paused stream sleeps until resumed, except in a running loop pair, where it
// plays silence at the capture's pace.
//
// Underrun: the source gave fewer frames than asked while !end(): the rest of the slot is
// silence and source.on_event gets {xrun, at = the first silent frame's time, lost_frames =
// the silent frames}. End: the source gave fewer with end() true: no more pulls; finished()
// once heard() == taken() (at the next slot in real time), and the thread ends.
//
// The spec's faults are the capture side's (virtual/stream.h): the playback plays through them.
#pragma once

#include <memory>

#include "core/audio/device.h"
#include "core/audio/virtual/spec.h"

namespace sc::audio {

class VirtualLoop;

// The playback parameters after open_playback has resolved and checked them.
struct VirtualPlaybackParams {
  unsigned rate = 0;
  unsigned channels = 0;  // 1 or 2
  unsigned buffer_frames = 0;
};

// A stream pulling from `source` (which must outlive it). Allocates everything here: the
// thread's loop does not allocate. `loop`: the device's pairing this stream is attached to
// (signal=loop, attach said linked), else null; detached when the stream is destroyed.
std::unique_ptr<PlaybackStream> make_virtual_playback(const VirtualSpec& spec,
                                                      const VirtualPlaybackParams& params,
                                                      PlaybackSource& source,
                                                      std::shared_ptr<VirtualLoop> loop);

}  // namespace sc::audio
