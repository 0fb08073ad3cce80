// A playback stream on one PulseAudio sink (the backend's PlaybackStream, device.h): what
// make_pulse_device's open_playback runs on. Internal to core/audio/pulse/.
//
// The stream: float32 interleaved at params.rate (else the sink's own rate, PA_STREAM_FIX_RATE)
// and params.channels (else the sink's), named "soundcheck", with params.properties in its
// proplist (media.role=music for the player), on the sink `info.id` only (PA_STREAM_DONT_MOVE).
// It is connected corked; start() fills it and uncorks it.
//
// Buffering (PA_STREAM_ADJUST_LATENCY): minreq is one fragment (fragment_frames(), 20 ms by
// default), tlength four: with ADJUST_LATENCY the server reads tlength as the whole latency,
// its sink's own included, so about 80 ms from a frame taken to that frame heard. Four rather
// than two: libpulse's loop thread shares the machine, and a late refill is a server underrun
// (a gap users hear). prebuf is the server's default (playback starts once tlength is there).
//
// Threads: open_playback, start, pause, resume, stop and the destructor from one thread, never
// libpulse's loop thread. The source is pulled on the loop's thread (which is libpulse's, and
// treated as real-time: no allocation, lock or system call of ours there): into libpulse's own
// memory (pa_stream_begin_write), one request at a time. taken(), heard(), finished() and
// describe() from any thread (atomics; no lock).
//
// What the source sees:
// - on_need for what the server asks; fewer frames than asked while end() is false are an
//   underrun of the source: the rest is written as silence and reported as an xrun event whose
//   lost_frames is that silence. The server's own underflow (it ran dry) is an xrun event with
//   lost_frames 0 (unknown).
// - end() true after a pull: what was given is written, the stream drained (pa_stream_drain);
//   finished() turns true, and heard() reaches taken(), when the drain completes.
// - cork_requested / uncork_requested for the server's PA_STREAM_EVENT_REQUEST_CORK / UNCORK
//   (module-role-cork during a phone stream on the sink; it sends the uncork request only to a
//   stream that is corked by then, i.e. paused). The stream does not cork itself.
// - ended when the sink goes (the server kills a stream it may not move), the stream is
//   killed, or the server is lost (server_lost set: the context failed); finished() turns true.
//   Sent only once started; never after stop().
//
// heard(): pa_stream_get_time in frames (the server's read index, less its sink's latency while
// playing; the read index alone while corked, after the server rewound it), less the silence
// written for underruns before it, clamped to never decrease and never pass taken(). Timing info
// is asked for only when heard() has been read since the last request, at the next write
// request (each is a round trip to the server: asked for every 250 ms they cost a fifth of the
// stream's CPU, at 20 ms more than the audio), and by pause() and resume(), which wait for it.
// So the position of a pause is exact, and a progress display is a write request (a
// fragment) and a round trip behind; heard() read once after a long silence gives what the
// server said at the last request. Not interpolated: libpulse 16.1's
// PA_STREAM_INTERPOLATE_TIMING clock ran ahead here (1.28 s of stream time against a read index of
// 0.32 s), which heard() would then keep. On a null sink that was idle (it rendered 2 s of silence
// ahead and cannot rewind that far), the read index stays 0, and so does heard(), for up to 2 s
// after start().
//
// pause() corks and waits for the server's answer: the server keeps what it holds (rewinding
// its sink to the first frame not heard), so resume() continues with the next frame heard;
// the source is not pulled while paused.
//
// Failures: session_error(SessionCode::cannotStartPlaying, "cannot start playing to 'NAME'
// (pulse): CAUSE", hint).
#pragma once

#include <memory>

#include "core/audio/device.h"
#include "core/audio/pulse/context.h"

namespace sc::audio::pulse {

// Opens (not starts) a playback stream on the sink `info.id`, pulling from `source` (which must
// outlive it). Uses `context` when given (a ready connection), else connects to the server the
// environment names (never autospawned; 2 s at most).
Result<std::unique_ptr<PlaybackStream>> open_playback(const DeviceInfo& info,
                                                      const PlaybackParams& params,
                                                      PlaybackSource& source,
                                                      std::unique_ptr<Context> context);

}  // namespace sc::audio::pulse
