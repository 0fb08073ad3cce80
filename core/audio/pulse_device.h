// The PulseAudio backend: capture streams on a PulseAudio source, not through RtAudio. The
// stream speaks the server's native protocol itself (pulse_native_stream.h; pulse_wire.h says
// why) where it can, else goes through libpulse (pa_stream on a main loop of its own,
// pulse_lib.h); the two keep the same contract, below.
//
// Why not RtAudio's PulseAudio API, which DESIGN.md first named: RtAudio 5.2 reads through
// pa_simple on a thread of its own that hands each period to a second thread, and the
// writer polled a third; with a fixed RtAudio stream open and a listing of every API it cost
// 5.7 times parecord's CPU per recorded minute (bench/run cpu). It also merges PulseAudio
// devices that share a description and opens the last one it saw. The server already buffers
// what it captures, in fragments, so no real-time thread of ours is needed: this stream runs
// on the recorder's own thread (CaptureStream::pump), which sleeps in poll() until the next
// fragment or a signal, and a source is opened by its own name.
//
// Threads: listing and opening may be called from any thread. A stream is started, pumped,
// stopped and destroyed by one thread, and calls its sink from pump() on that thread.
#pragma once

#include <memory>
#include <vector>

#include "core/audio/device.h"
#include "core/audio/pulse_introspect.h"

namespace sc::audio {

// The rates `route list` shows for a PulseAudio device: PulseAudio resamples, so a stream may
// ask for any rate from 1 Hz to 384 kHz; these are the usual ones.
const std::vector<unsigned>& pulse_stream_rates();

// The hint of an error that is the server's absence or silence: how to start one.
const char* pulse_server_hint();

// The fragment size both PulseAudio streams ask for, in frames at `rate`: `buffer_frames`
// when given, else 2 s (the server's own default, parecord's). Every fragment wakes us and the
// server (bench/run cpu); the cost is that what the server holds when a source goes away is
// lost with it.
size_t pulse_fragment_frames(unsigned buffer_frames, unsigned rate);

// The smaller fragment a stream switches to when the recording ends after about `left`
// (CaptureStream::end_soon): left / 8, not below 20 ms; 0 when that is not smaller than
// `current` (nothing to ask).
size_t pulse_end_fragment_frames(Duration left, unsigned rate, size_t current);

// A Device for `info`, a PulseAudio row of list_devices() (`id` is the source's name,
// "loop.monitor").
//
// open_capture connects to the server (never autospawned; 2 s at most), and connects a
// corked record stream to the source `info.id`: float32 interleaved at params.rate (else the
// source's own rate) and params.channels (else the source's); the server converts. The
// server sends a fragment every params.buffer_frames frames, else every 2 s. The stream
// is named "soundcheck" and does not follow the source elsewhere: when the source goes away,
// or the server does, finished() turns true, an `ended` event is sent and no frames follow.
// A fragment the server lost (a hole) or an overflow is an xrun event. Failures are
// session_error(SessionCode::cannotStartRecording, "cannot start recording from 'NAME'
// (pulse): CAUSE", hint); libpulse not loadable, where it is needed, is one ("cannot load
// libpulse.so.0: ...").
//
// `link`, when given, is a ready connection (query_pulse's): the first stream opened uses it,
// and its client, instead of connecting again. Without one, a stream connects with
// soundcheck's own client when pulse_native_wanted() and it reaches the server, else with
// libpulse.
std::unique_ptr<Device> make_pulse_device(DeviceInfo info, PulseLink link = {});

}  // namespace sc::audio
