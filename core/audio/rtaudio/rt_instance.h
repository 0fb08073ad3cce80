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

// A stream that RtAudio's errors may concern. RtAudio 5.2 calls its error callback without user
// data, so route_error() finds the stream an error belongs to.
class ErrorTarget {
 public:
  ErrorTarget() = default;
  virtual ~ErrorTarget() { leave_live(); }
  ErrorTarget(const ErrorTarget&) = delete;
  ErrorTarget& operator=(const ErrorTarget&) = delete;

  // Whether errors no thread identifies reach this stream: a derived stream joins at the end of
  // its constructor and leaves first thing in its destructor (idempotent), so none reaches it
  // half made or half destroyed.
  void join_live();
  void leave_live() noexcept;

  // An error RtAudio reported during this stream's own call (start, stop, close).
  virtual void on_caller_error(const std::string& text) = 0;
  // An error reported from the stream's callback thread, or from elsewhere (JACK's shutdown
  // notice).
  virtual void on_error(RtAudioError::Type type, const std::string& text) = 0;
  // Whether an error message with no known stream is this stream's API's.
  virtual bool owns_message(const std::string& text) const = 0;
};

// The RtAudioErrorCallback every stream opens with: to the stream calling RtAudio on this thread
// (CallerScope), else the one whose callback thread this is (set_callback_stream), else every
// live stream that owns_message().
void route_error(RtAudioError::Type type, const std::string& text);

// Marks `s` as the stream calling RtAudio on this thread for the scope.
class CallerScope {
 public:
  explicit CallerScope(ErrorTarget* s);
  ~CallerScope();
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;
};

// From a stream's callback (RtAudio's thread; no allocation, no lock): errors on this thread are
// `s`'s.
void set_callback_stream(ErrorTarget* s) noexcept;

// RtAudio's message without its "RtApiAlsa::probeDeviceOpen: " prefix, newlines and the
// final period: "pcm device (hw:1,0) won't open for input".
std::string clean_message(std::string_view text);

// The prefix of RtAudio's messages for an API ("RtApiAlsa").
std::string_view message_prefix(std::string_view api);

}  // namespace sc::audio::rt
