#include "core/audio/rtaudio_device.h"

#include <algorithm>
#include <atomic>

#include "core/audio/backends.h"
#include "core/audio/rtaudio_module.h"

namespace sc::audio {
namespace {

constexpr const char* kDefaultHint =
    "check that the device is not in use and its server is running; see 'soundcheck route "
    "list --input'";

Error cannot_start(const DeviceInfo& info, const sc_rt_error& err) {
  return cannot_start_recording(info, err.cause, err.hint[0] ? err.hint : kDefaultHint);
}

// A stream of the module, seen as a CaptureStream. The module counts nothing: the session
// clock is the frames delivered here, the audio's clock, not the wall's, so a server that
// delivers late (a starved JACK) loses nothing to `record -d`.
class RtAudioCaptureStream final : public CaptureStream {
 public:
  RtAudioCaptureStream(const sc_rt_module& module, DeviceInfo info, CaptureSink& sink)
      : module_(module), info_(std::move(info)), sink_(sink) {}
  ~RtAudioCaptureStream() override {
    if (stream_) module_.close(stream_);  // stops first; no callback after it returns
  }
  RtAudioCaptureStream(const RtAudioCaptureStream&) = delete;
  RtAudioCaptureStream& operator=(const RtAudioCaptureStream&) = delete;

  Status open(const StreamParams& params) {
    const sc_rt_open_params p{info_.api.c_str(), info_.name.c_str(), info_.id.c_str(),
                              params.rate,       params.channels,    params.buffer_frames};
    const sc_rt_sink sink{this, &RtAudioCaptureStream::on_frames, &RtAudioCaptureStream::on_event};
    sc_rt_error err{};
    stream_ = module_.open(&p, sink, &rate_, &channels_, &err);
    if (!stream_) return cannot_start(info_, err);
    return ok_status();
  }

  Status start() override {
    frames_delivered_.store(0);
    sc_rt_error err{};
    if (module_.start(stream_, &err) != 0) return cannot_start(info_, err);
    return ok_status();
  }
  void stop() noexcept override { module_.stop(stream_); }
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  Duration clock() const override {
    return frames_duration(frames_delivered_.load(std::memory_order_relaxed), rate_);
  }
  bool finished() const override { return module_.finished(stream_) != 0; }
  StreamDescription describe() const override {
    return {info_.api, "RtAudio " + rtaudio_version(), rate_, 0, Duration(0)};
  }

 private:
  // RtAudio's real-time thread: no allocation, no locks, no system calls.
  static void on_frames(void* ctx, const float* data, size_t frames) {
    auto* self = static_cast<RtAudioCaptureStream*>(ctx);
    self->sink_.on_frames(data, frames, self->clock());
    self->frames_delivered_.fetch_add(frames, std::memory_order_relaxed);
  }
  static void on_event(void* ctx, int kind) {
    auto* self = static_cast<RtAudioCaptureStream*>(ctx);
    const auto k = kind == SC_RT_EVENT_ENDED ? DeviceEvent::Kind::ended : DeviceEvent::Kind::xrun;
    self->sink_.on_event(DeviceEvent{k, self->clock()});
  }

  const sc_rt_module& module_;
  DeviceInfo info_;
  CaptureSink& sink_;
  sc_rt_stream* stream_ = nullptr;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  std::atomic<uint64_t> frames_delivered_{0};
};

class RtAudioDevice final : public Device {
 public:
  explicit RtAudioDevice(DeviceInfo info) : info_(std::move(info)) {}
  const DeviceInfo& info() const override { return info_; }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    if (info_.input_channels == 0)
      return cannot_start_recording(info_, "the device has no input channels",
                                    "see 'soundcheck route list --input'");
    auto module = rtaudio_module();
    if (!module) return cannot_start_recording(info_, module.error().message, module.error().hint);
    auto stream = std::make_unique<RtAudioCaptureStream>(**module, info_, sink);
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<CaptureStream>(std::move(stream));
  }

 private:
  DeviceInfo info_;
};

}  // namespace

std::vector<std::string> rtaudio_apis() {
  const auto compiled = compiled_apis();  // none without the module
  std::vector<std::string> out;
  for (const char* api : {"alsa", "jack"})
    if (std::find(compiled.begin(), compiled.end(), api) != compiled.end()) out.emplace_back(api);
  return out;
}

std::vector<DeviceInfo> rtaudio_list(std::string_view api) {
  std::vector<DeviceInfo> out;
  auto module = rtaudio_module();
  if (!module) return out;
  struct Ctx {
    std::vector<DeviceInfo>& out;
    std::string api;
  } ctx{out, std::string(api)};
  (*module)->list(
      ctx.api.c_str(),
      [](void* c, const sc_rt_device* d) {
        auto& x = *static_cast<Ctx*>(c);
        try {  // nothing may be thrown into the module
          DeviceInfo info;
          info.index = static_cast<int>(d->index);
          info.api = x.api;
          info.name = d->name;
          info.id = d->id;
          info.input_channels = d->input_channels;
          info.output_channels = d->output_channels;
          info.rates.assign(d->rates, d->rates + d->rate_count);
          info.preferred_rate = d->preferred_rate;
          info.default_input = d->default_input != 0;
          info.default_output = d->default_output != 0;
          x.out.push_back(std::move(info));
        } catch (...) {
          // Out of memory: the device is left out.
        }
      },
      &ctx);
  return out;
}

std::unique_ptr<Device> make_rtaudio_device(DeviceInfo info) {
  return std::make_unique<RtAudioDevice>(std::move(info));
}

}  // namespace sc::audio
