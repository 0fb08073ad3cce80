// The PulseAudio backend (and PipeWire's, through pipewire-pulse): capture streams on a
// PulseAudio source through libpulse's asynchronous API (pa_stream on a pa_threaded_mainloop,
// pulse/context.h).
//
// Why not RtAudio's PulseAudio API, which DESIGN.md first named: RtAudio 5.2 reads through
// pa_simple, which opens a source by its description rather than its name (it merges devices
// that share one), cannot say when a source goes away until a read fails, and hides the
// server's fragment size. libpulse's own stream gives all three.
//
// Threads: listing and opening may be called from any thread. A stream is started, stopped
// and destroyed by one thread; its sink is called from libpulse's main loop thread (one
// producer), which the sink must treat as real-time (device.h).
#pragma once

#include <memory>
#include <vector>

#include "core/audio/device.h"
#include "core/audio/pulse/context.h"

namespace sc::audio {

// The rates `route list` shows for a PulseAudio device: PulseAudio resamples, so a stream may
// ask for any rate from 1 Hz to 384 kHz; these are the usual ones.
const std::vector<unsigned>& pulse_stream_rates();

// A Device for `info`, a PulseAudio row of list_devices() (`id` is the source's name,
// "loop.monitor").
//
// open_capture connects to the server (never autospawned; 2 s at most) unless `context` is a
// ready connection to reuse (query_pulse's), and connects a corked record stream to the
// source `info.id`: float32 interleaved at params.rate (else the source's own rate) and
// params.channels (else the source's); the server converts. The server sends a fragment every
// fragment_frames() (device.h): what the server holds when the source goes away, or it kills the
// stream, is lost with it. The stream is named "soundcheck" and does not follow the source
// elsewhere (PA_STREAM_DONT_MOVE): when the source goes away, or the server does,
// finished() turns true, an `ended` event is sent (with server_lost set when it was the
// server: the connection failed) and no frames follow. A hole (audio the
// server lost) is an xrun event with its length; an overflow is an xrun event. Failures are
// session_error(SessionCode::cannotStartRecording, "cannot start recording from 'NAME'
// (pulse): CAUSE", hint).
//
// open_playback, for a sink's row (`id` is the sink's name, "soundcheck_loop"), connects a
// playback stream the same way (pulse/playback.h says how it buffers, pauses and ends);
// failures are session_error(SessionCode::cannotStartPlaying, ...).
std::unique_ptr<Device> make_pulse_device(DeviceInfo info,
                                          std::unique_ptr<pulse::Context> context = nullptr);

}  // namespace sc::audio
