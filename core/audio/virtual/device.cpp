// The virtual device (virtual_device.h): its DeviceInfo and open_capture's checks. The
// options are parsed in virtual_spec.cpp, the signal is virtual_signal.cpp and the stream
// with its faults is virtual_stream.cpp.
#include "core/audio/virtual/device.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/audio/virtual/loop.h"
#include "core/audio/virtual/playback.h"
#include "core/audio/virtual/spec.h"
#include "core/audio/virtual/stream.h"
#include "core/session/codes.h"

namespace sc::audio {
namespace {

// The common rates a sound card offers; the configured rate joins them if it is not one.
constexpr unsigned kCommonRates[] = {8000,  11025, 16000, 22050,  32000, 44100,
                                     48000, 88200, 96000, 176400, 192000};

// The output side: what is played goes nowhere, except into a loop's capture (signal=loop).
constexpr unsigned kOutputChannels = 2;

DeviceInfo make_info(const VirtualSpec& spec) {
  DeviceInfo info;
  info.api = "virtual";
  info.name = "soundcheck virtual device";
  info.id = "virtual";
  info.input_channels = spec.channels;
  info.output_channels = kOutputChannels;
  info.rates.assign(std::begin(kCommonRates), std::end(kCommonRates));
  if (std::find(info.rates.begin(), info.rates.end(), spec.rate) == info.rates.end()) {
    info.rates.push_back(spec.rate);
    std::sort(info.rates.begin(), info.rates.end());
  }
  info.preferred_rate = spec.rate;
  return info;
}

class VirtualDevice final : public Device {
 public:
  explicit VirtualDevice(VirtualSpec spec)
      : spec_(std::move(spec)),
        info_(make_info(spec_)),
        loop_(spec_.signal == VirtualSignal::loop ? std::make_shared<VirtualLoop>(spec_.latency)
                                                  : nullptr) {}

  const DeviceInfo& info() const override { return info_; }
  bool streams_share_clock() const override { return loop_ != nullptr; }

  // Zeros in `params` mean the spec's rate, the device's 2 output channels and the spec's
  // buffer. Any rate in 1000..768000 is taken exactly; more than 2 channels, a buffer outside
  // 16..65536, and for signal=loop what virtual/stream.h "Loop" refuses are
  // cannotStartPlaying naming the device. params.properties are ignored.
  Result<std::unique_ptr<PlaybackStream>> open_playback(const PlaybackParams& params,
                                                        PlaybackSource& source) override {
    const std::string label = spec_.label();
    auto refuse = [&](std::string why, std::string hint) {
      return cannot_start_playing(info_, fmt::format("virtual device '{}' {}", label, why),
                                  std::move(hint));
    };
    VirtualPlaybackParams p;
    p.channels = params.channels == 0 ? kOutputChannels : params.channels;
    if (p.channels > kOutputChannels)
      return refuse(
          fmt::format("has {} output channels; {} were asked for", kOutputChannels, p.channels),
          fmt::format("ask for at most {} channels", kOutputChannels));
    p.rate = params.rate == 0 ? spec_.rate : params.rate;
    if (p.rate < kVirtualMinRate || p.rate > kVirtualMaxRate)
      return refuse(
          fmt::format("cannot run at {} Hz", p.rate),
          fmt::format("ask for a rate from {} to {} Hz", kVirtualMinRate, kVirtualMaxRate));
    p.buffer_frames = params.buffer_frames == 0 ? spec_.buffer : params.buffer_frames;
    if (p.buffer_frames < kVirtualMinBuffer || p.buffer_frames > kVirtualMaxBuffer)
      return refuse(fmt::format("cannot use a buffer of {} frames", p.buffer_frames),
                    fmt::format("ask for {} to {} frames", kVirtualMinBuffer, kVirtualMaxBuffer));
    bool linked = false;
    if (loop_) {
      if (auto why = loop_refusal(); !why.empty()) return refuse(why, loop_hint());
      if (auto why =
              loop_->attach(VirtualLoop::playback, p.rate, p.channels, p.buffer_frames, &linked);
          !why.empty())
        return refuse(why, loop_hint());
    }
    return make_virtual_playback(spec_, p, source, linked ? loop_ : nullptr);
  }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    const std::string label = spec_.label();
    auto refuse = [&](std::string why, std::string hint) {
      return session_error(SessionCode::cannotStartRecording,
                           fmt::format("virtual device '{}' {}", label, why), std::move(hint));
    };
    if (spec_.channels == 0)
      return refuse("has no input channels",
                    "give it input channels (virtual:channels=2) or choose an input device");
    VirtualStreamParams p;
    p.channels = params.channels == 0 ? spec_.channels : params.channels;
    if (p.channels > spec_.channels)
      return refuse(
          fmt::format("has {} input channels; {} were asked for", spec_.channels, p.channels),
          fmt::format("ask for at most {} channels, or give the device more "
                      "(virtual:channels={})",
                      spec_.channels, p.channels));
    p.rate = params.rate == 0 ? spec_.rate : params.rate;
    if (p.rate < kVirtualMinRate || p.rate > kVirtualMaxRate)
      return refuse(
          fmt::format("cannot run at {} Hz", p.rate),
          fmt::format("ask for a rate from {} to {} Hz", kVirtualMinRate, kVirtualMaxRate));
    if (spec_.signal == VirtualSignal::sine && spec_.frequency >= p.rate / 2.0)
      return refuse(fmt::format("cannot play a {} Hz sine at {} Hz", spec_.frequency, p.rate),
                    "ask for a rate above twice the sine frequency");
    p.buffer_frames = params.buffer_frames == 0 ? spec_.buffer : params.buffer_frames;
    if (p.buffer_frames < kVirtualMinBuffer || p.buffer_frames > kVirtualMaxBuffer)
      return refuse(fmt::format("cannot use a buffer of {} frames", p.buffer_frames),
                    fmt::format("ask for {} to {} frames", kVirtualMinBuffer, kVirtualMaxBuffer));
    bool linked = false;
    if (loop_ && loop_refusal().empty()) {  // else the capture stands alone: silence
      if (auto why =
              loop_->attach(VirtualLoop::capture, p.rate, p.channels, p.buffer_frames, &linked);
          !why.empty())
        return refuse(why, loop_hint());
    }
    return make_virtual_stream(spec_, p, sink, linked ? loop_ : nullptr);
  }

 private:
  // Why this spec cannot loop ("" when it can): what open_playback refuses.
  std::string loop_refusal() const {
    if (spec_.latency > kMaxLoopLatency)
      return fmt::format("cannot loop with a latency of {}", format_duration(spec_.latency));
    for (const auto& f : spec_.faults)
      if (f.kind == VirtualFault::Kind::rate_change)
        return fmt::format("cannot loop across a rate change (at {})", format_duration(f.at));
    return "";
  }
  static std::string loop_hint() {
    return fmt::format(
        "a loop plays and captures at one rate, with a latency up to {}, from streams opened "
        "before either starts",
        format_duration(kMaxLoopLatency));
  }

  const VirtualSpec spec_;
  const DeviceInfo info_;
  // signal=loop: pairs this device's capture and playback streams (virtual/loop.h).
  const std::shared_ptr<VirtualLoop> loop_;
};

}  // namespace

Result<std::unique_ptr<Device>> make_virtual_device(std::string_view options) {
  auto spec = parse_virtual_spec(options);
  if (!spec) return spec.error();
  return std::unique_ptr<Device>(std::make_unique<VirtualDevice>(std::move(*spec)));
}

DeviceInfo virtual_device_info() { return make_info(VirtualSpec{}); }

}  // namespace sc::audio
