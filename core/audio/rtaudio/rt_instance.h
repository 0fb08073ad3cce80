// RtAudio instances and listings: what the backend's listing (device.cpp) and its capture
// streams (rt_capture.cpp) share. Nothing here throws an RtAudioError; each is caught.
#pragma once

#include <rtaudio/RtAudio.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sc::audio::rt {

// One RtAudio call at a time: its backends keep state in globals (the PulseAudio one lists
// devices into a global; the others share ALSA's and JACK's error handlers).
std::mutex& rtaudio_mutex();

// The API named "alsa", "jack", ... or RtAudio::UNSPECIFIED when not compiled.
RtAudio::Api api_of(std::string_view name);

// An RtAudio instance for `api` that prints no warnings, with the audio libraries quieted
// (quiet_libs.h); nullptr when it cannot be made.
std::unique_ptr<RtAudio> make_rtaudio(RtAudio::Api api);

// One device as RtAudio lists it.
struct Listed {
  unsigned index = 0;
  std::string name;
  std::string id;  // ALSA: filled by rtaudio_list() (device.cpp); "" here
  unsigned input_channels = 0;
  unsigned output_channels = 0;
  std::vector<unsigned> rates;  // ascending, unique
  unsigned preferred_rate = 0;
  bool default_input = false;
  bool default_output = false;
};

// The devices `rt` lists, in its order; those it cannot name or describe are left out.
// Caller holds rtaudio_mutex().
std::vector<Listed> list_locked(RtAudio& rt);

// RtAudio's message without its "RtApiAlsa::probeDeviceOpen: " prefix, newlines and the
// final period: "pcm device (hw:1,0) won't open for input".
std::string clean_message(std::string_view text);

// The prefix of RtAudio's messages for an API ("RtApiAlsa").
std::string_view message_prefix(std::string_view api);

}  // namespace sc::audio::rt
