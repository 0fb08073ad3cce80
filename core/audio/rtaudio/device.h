// The RtAudio backend (DESIGN.md "core/audio"): the devices of one RtAudio API (ALSA and
// JACK, as compiled into Debian's RtAudio 5.2) and capture and playback streams on them.
// PulseAudio is served by libpulse directly (pulse_device.h says why). This file adapts RtAudio,
// through rt_instance.h, rt_capture.h and rt_playback.h, to Device, CaptureStream and
// PlaybackStream. Nothing here throws: RtAudio's exceptions are caught inside the backend and
// become Status errors.
//
// Threads: listing and opening may be called from any thread (they are serialized inside). A
// stream's CaptureSink or PlaybackSource is called from RtAudio's callback thread, a real-time
// thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/device.h"

namespace sc::audio {

// The RtAudio APIs compiled into this build that the registry lists, in listing order
// ("alsa", "jack"; only those compiled).
std::vector<std::string> rtaudio_apis();

// The devices of `api` ("alsa", "jack") exactly as RtAudio lists them, in its order:
// `index` is RtAudio's device number within the API, `api` and `name` are RtAudio's, `id` is
// ALSA's "hw:C,D" (or "default") where known (alsa_ids.h), else empty; rates are sorted.
// Devices RtAudio cannot name are left out. Empty when the API is not compiled or has no
// devices (no server, no card). Prints nothing; never starts a server. Each call makes and
// destroys its own RtAudio instance.
std::vector<DeviceInfo> rtaudio_list(std::string_view api);

// A Device for `info`, an entry of list_devices() whose api is one of rtaudio_apis().
// Opening a stream looks the device up again by name in a fresh RtAudio listing (indexes
// can change between listing and opening).
//
// open_capture: RTAUDIO_FLOAT32 interleaved frames; rate = params.rate when the device
// lists it, else the device's preferred rate (CaptureStream::rate() says which);
// channels = params.channels, else the device's input channels (at most 2 for ALSA
// plugin devices such as "default", which claim 32); period = params.buffer_frames, else
// kDefaultFragment.
// The stream is named "soundcheck" where the API shows names. Failures are
// session_error(SessionCode::cannotStartRecording, "cannot start recording from 'NAME'
// (API): CAUSE", hint).
//
// The stream delivers frames from RtAudio's thread; RTAUDIO_INPUT_OVERFLOW becomes an xrun
// event before the frames. When RtAudio reports the device gone (the server died, a read
// failed, JACK shut the client down), finished() turns true, an `ended` event is sent if
// the callback runs again, and no more frames follow. RtAudio 5.2 calls the callback before
// it reads, so each period arrives one period late and the first one after a start is only
// the zero-filled (or previous run's) buffer: it is dropped. After an ALSA overrun RtAudio
// passes the previous period again; it is dropped too, after the xrun event. So every frame
// delivered was captured, once.
//
// open_playback: an RTAUDIO_FLOAT32 output stream chosen the same way from the device's output
// channels, pulling a period from the source in each callback (rt_playback.h says how it
// pauses, drains, and reckons heard()). Failures are session_error(
// SessionCode::cannotStartPlaying, "cannot start playing to 'NAME' (API): CAUSE", hint).
std::unique_ptr<Device> make_rtaudio_device(DeviceInfo info);

}  // namespace sc::audio
