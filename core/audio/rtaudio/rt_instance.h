// RtAudio instances and listings: what the backend's listing (device.cpp) and its capture
// streams (rt_capture.cpp) share. Nothing here throws an RtAudioError; each is caught.
#pragma once

#include <rtaudio/RtAudio.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/device.h"

namespace sc::audio::rt {

// One RtAudio call at a time: its backends keep state in globals (the PulseAudio one lists
// devices into a global; the others share ALSA's and JACK's error handlers).
std::mutex& rtaudio_mutex();

// The API named "alsa", "jack", ... or RtAudio::UNSPECIFIED when not compiled.
RtAudio::Api api_of(std::string_view name);

// An RtAudio instance for `api` that prints no warnings, with the audio libraries quieted
// (quiet_libs.h); nullptr when it cannot be made.
std::unique_ptr<RtAudio> make_rtaudio(RtAudio::Api api);

// The devices `rt` lists, in its order, as rows of `api` ("alsa", "jack"): `index` is RtAudio's
// device number, rates ascending and unique, `id` left empty (rtaudio_list() fills ALSA's).
// Those it cannot name or describe are left out. Caller holds rtaudio_mutex().
std::vector<DeviceInfo> list_locked(RtAudio& rt, std::string_view api);

// RtAudio's message without its "RtApiAlsa::probeDeviceOpen: " prefix, newlines and the
// final period: "pcm device (hw:1,0) won't open for input".
std::string clean_message(std::string_view text);

// The prefix of RtAudio's messages for an API ("RtApiAlsa").
std::string_view message_prefix(std::string_view api);

}  // namespace sc::audio::rt
