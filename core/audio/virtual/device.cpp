// The virtual device (virtual_device.h): its DeviceInfo and open_capture's checks. The
// options are parsed in virtual_spec.cpp, the signal is virtual_signal.cpp and the stream
// with its faults is virtual_stream.cpp.
#include "core/audio/virtual/device.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/audio/virtual/spec.h"
#include "core/audio/virtual/stream.h"
#include "core/session/codes.h"

namespace sc::audio {
namespace {

// The common rates a sound card offers; the configured rate joins them if it is not one.
constexpr unsigned kCommonRates[] = {8000,  11025, 16000, 22050,  32000, 44100,
                                     48000, 88200, 96000, 176400, 192000};

// The output side does not play anything yet; it is there for `play` and for loop.
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
  explicit VirtualDevice(VirtualSpec spec) : spec_(std::move(spec)), info_(make_info(spec_)) {}

  const DeviceInfo& info() const override { return info_; }

  // Zeros in `params` mean the spec's rate, all its channels and its buffer. Any rate in
  // 1000..768000 is produced exactly (a perfect device); more channels than the device has,
  // a sine at or above half the rate, or a buffer outside 16..65536 are refused.
  // Playback comes with issue 21's backends; until then every device refuses it.
  Result<std::unique_ptr<PlaybackStream>> open_playback(const PlaybackParams&,
                                                        PlaybackSource&) override {
    return cannot_start_playing(info(), "playback is not built yet", "");
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
    return make_virtual_stream(spec_, p, sink);
  }

 private:
  const VirtualSpec spec_;
  const DeviceInfo info_;
};

}  // namespace

Result<std::unique_ptr<Device>> make_virtual_device(std::string_view options) {
  auto spec = parse_virtual_spec(options);
  if (!spec) return spec.error();
  return std::unique_ptr<Device>(std::make_unique<VirtualDevice>(std::move(*spec)));
}

DeviceInfo virtual_device_info() { return make_info(VirtualSpec{}); }

}  // namespace sc::audio
