#include "core/audio/rtaudio/device.h"

#include <algorithm>
#include <exception>
#include <mutex>

#include "core/audio/backends.h"
#include "core/audio/rtaudio/alsa_cards.h"
#include "core/audio/rtaudio/alsa_ids.h"
#include "core/audio/rtaudio/rt_capture.h"
#include "core/audio/rtaudio/rt_instance.h"
#include "core/audio/rtaudio/rt_playback.h"

namespace sc::audio {
namespace {

constexpr const char* kDefaultHint =
    "check that the device is not in use and its server is running; see 'soundcheck route "
    "list --input'";

Error cannot_start(const DeviceInfo& info, const rt::Failure& why) {
  return cannot_start_recording(info, why.cause, why.hint.empty() ? kDefaultHint : why.hint);
}

// An RtAudio capture stream (rt_capture.h), seen as a CaptureStream. Its clock is the frames
// it delivered.
class RtAudioCaptureStream final : public CaptureStream {
 public:
  RtAudioCaptureStream(DeviceInfo info, CaptureSink& sink)
      : info_(std::move(info)), capture_(info_, sink) {}

  Status open(const StreamParams& params) {
    rt::Failure why;
    try {
      if (capture_.open(params, why)) return ok_status();
    } catch (const std::exception& e) {  // out of memory
      why.cause = e.what();
    }
    return cannot_start(info_, why);
  }

  Status start() override {
    rt::Failure why;
    try {
      if (capture_.start(why)) return ok_status();
    } catch (const std::exception& e) {  // out of memory
      why.cause = e.what();
    }
    return cannot_start(info_, why);
  }
  void stop() noexcept override { capture_.stop(); }
  unsigned rate() const override { return capture_.rate(); }
  unsigned channels() const override { return capture_.channels(); }
  Duration clock() const override { return capture_.clock(); }
  bool finished() const override { return capture_.finished(); }
  StreamDescription describe() const override {
    const unsigned rate = capture_.rate();
    return {info_.api, "RtAudio " + rtaudio_version(), rate, capture_.period_frames(),
            rate ? frames_duration(capture_.latency_frames(), rate) : Duration(0)};
  }

 private:
  const DeviceInfo info_;
  rt::Capture capture_;  // its destructor stops first; no callback after it returns
};

Error cannot_play(const DeviceInfo& info, const rt::Failure& why) {
  return cannot_start_playing(info, why.cause,
                              why.hint.empty() ? "check that the device is not in use and its "
                                                 "server is running; see 'soundcheck route list "
                                                 "--output'"
                                               : why.hint);
}

// An RtAudio playback stream (rt_playback.h), seen as a PlaybackStream.
class RtAudioPlaybackStream final : public PlaybackStream {
 public:
  RtAudioPlaybackStream(DeviceInfo info, PlaybackSource& source)
      : info_(std::move(info)), playback_(info_, source) {}

  Status open(const PlaybackParams& params) {
    return call([&](rt::Failure& why) { return playback_.open(params, why); });
  }
  Status start() override {
    return call([&](rt::Failure& why) { return playback_.start(why); });
  }
  Status pause() override {
    return call([&](rt::Failure& why) { return playback_.pause(why); });
  }
  Status resume() override {
    return call([&](rt::Failure& why) { return playback_.start(why); });
  }
  void stop() noexcept override { playback_.stop(); }
  unsigned rate() const override { return playback_.rate(); }
  unsigned channels() const override { return playback_.channels(); }
  uint64_t taken() const override { return playback_.taken(); }
  uint64_t heard() const override { return playback_.heard(); }
  bool finished() const override { return playback_.finished(); }
  StreamDescription describe() const override {
    const unsigned rate = playback_.rate();
    return {info_.api, "RtAudio " + rtaudio_version(), rate, playback_.period_frames(),
            rate ? frames_duration(playback_.latency_frames(), rate) : Duration(0)};
  }

 private:
  template <typename F>
  Status call(F f) {
    rt::Failure why;
    try {
      if (f(why)) return ok_status();
    } catch (const std::exception& e) {  // out of memory
      why.cause = e.what();
    }
    return cannot_play(info_, why);
  }

  const DeviceInfo info_;
  rt::Playback playback_;  // its destructor stops first; no callback after it returns
};

class RtAudioDevice final : public Device {
 public:
  explicit RtAudioDevice(DeviceInfo info) : info_(std::move(info)) {}
  const DeviceInfo& info() const override { return info_; }

  Result<std::unique_ptr<PlaybackStream>> open_playback(const PlaybackParams& params,
                                                        PlaybackSource& source) override {
    if (info_.output_channels == 0)
      return cannot_start_playing(info_, "the device has no output channels",
                                  "see 'soundcheck route list --output'");
    std::unique_ptr<RtAudioPlaybackStream> stream;
    try {
      stream = std::make_unique<RtAudioPlaybackStream>(info_, source);
    } catch (const std::exception& e) {  // out of memory
      return cannot_play(info_, rt::Failure{e.what(), {}});
    }
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<PlaybackStream>(std::move(stream));
  }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    if (info_.input_channels == 0)
      return cannot_start_recording(info_, "the device has no input channels",
                                    "see 'soundcheck route list --input'");
    std::unique_ptr<RtAudioCaptureStream> stream;
    try {
      stream = std::make_unique<RtAudioCaptureStream>(info_, sink);
    } catch (const std::exception& e) {  // out of memory
      return cannot_start(info_, rt::Failure{e.what(), {}});
    }
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<CaptureStream>(std::move(stream));
  }

 private:
  DeviceInfo info_;
};

}  // namespace

std::vector<std::string> rtaudio_apis() {
  const auto compiled = compiled_apis();
  std::vector<std::string> out;
  for (const char* api : {"alsa", "jack"})
    if (std::find(compiled.begin(), compiled.end(), api) != compiled.end()) out.emplace_back(api);
  return out;
}

std::vector<DeviceInfo> rtaudio_list(std::string_view api) {
  std::vector<DeviceInfo> out;
  try {
    std::lock_guard lock(rt::rtaudio_mutex());
    auto rtaudio = rt::make_rtaudio(rt::api_of(api));
    if (!rtaudio) return out;
    out = rt::list_locked(*rtaudio, api);
    if (api == "alsa" && !out.empty()) {
      const auto pcms = rt::alsa_pcms();
      for (auto& d : out) d.id = alsa_id(d.name, static_cast<unsigned>(d.index), pcms);
    }
  } catch (const std::exception&) {
    out.clear();  // out of memory while listing: nothing listed
  }
  return out;
}

std::unique_ptr<Device> make_rtaudio_device(DeviceInfo info) {
  return std::make_unique<RtAudioDevice>(std::move(info));
}

}  // namespace sc::audio
