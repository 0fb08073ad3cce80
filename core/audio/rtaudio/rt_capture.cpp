#include "core/audio/rtaudio/rt_capture.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>
#include <vector>

#include "core/audio/rtaudio/rt_instance.h"

namespace sc::audio::rt {
namespace {

constexpr const char* kStreamName = "soundcheck";

bool is_numeric_hw(std::string_view name) {
  return name.rfind("hw:", 0) == 0 && name.size() > 3 &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}

bool fail(Failure& why, std::string cause, std::string hint = {}) {
  why.cause = std::move(cause);
  why.hint = std::move(hint);
  return false;
}

// Which RtAudio device number the device named `name` is now (indexes can change between
// listing and opening).
bool find_device(RtAudio& rt, const std::string& name, unsigned& index, Failure& why) {
  std::vector<unsigned> same;
  for (const auto& d : list_locked(rt, ""))
    if (d.name == name && d.input_channels > 0) same.push_back(static_cast<unsigned>(d.index));
  if (same.empty())
    return fail(why, "RtAudio does not list it (any more)", "see 'soundcheck route list --input'");
  if (same.size() > 1)
    return fail(why, fmt::format("RtAudio lists {} devices with that name", same.size()));
  index = same.front();
  return true;
}

}  // namespace

Capture::Capture(const DeviceInfo& device, CaptureSink& sink)
    : api_(device.api), name_(device.name), id_(device.id), alsa_(api_ == "alsa"), sink_(sink) {
  join_live();
}

Capture::~Capture() {
  leave_live();
  stop();
  std::lock_guard lock(rtaudio_mutex());
  CallerScope caller(this);
  try {
    if (rt_ && rt_->isStreamOpen()) rt_->closeStream();
  } catch (const RtAudioError&) {
  }
  rt_.reset();  // joins RtAudio's thread while the members it may touch still exist
}

bool Capture::open(const StreamParams& params, Failure& why) {
  std::lock_guard lock(rtaudio_mutex());
  rt_ = make_rtaudio(api_of(api_));
  if (!rt_) return fail(why, fmt::format("RtAudio has no {} support here", api_));
  unsigned device = 0;
  if (!find_device(*rt_, name_, device, why)) return false;
  RtAudio::DeviceInfo now;
  try {
    now = rt_->getDeviceInfo(device);
  } catch (const RtAudioError& e) {
    return fail(why, clean_message(e.getMessage()));
  }
  if (now.inputChannels == 0) return fail(why, "the device has no input channels");

  unsigned channels = params.channels;
  if (channels == 0) {
    channels = now.inputChannels;
    // ALSA plugin devices such as "default" claim 32 channels.
    if (api_ == "alsa" && !is_numeric_hw(id_)) channels = std::min(channels, 2u);
  }
  if (channels > now.inputChannels)
    return fail(why,
                fmt::format("it has {} input channel{}, {} asked for", now.inputChannels,
                            now.inputChannels == 1 ? "" : "s", channels),
                fmt::format("ask for at most {} channels", now.inputChannels));

  // The rate asked for when the device lists it, else the device's own, else 48000 or the
  // highest it lists. The pipeline converts from whatever rate() says.
  const auto& rates = now.sampleRates;
  const auto listed = [&](unsigned r) {
    return r != 0 && (rates.empty() || std::find(rates.begin(), rates.end(), r) != rates.end());
  };
  unsigned rate = params.rate;
  if (!listed(rate)) rate = now.preferredSampleRate;
  if (!listed(rate)) rate = listed(48000) || rates.empty() ? 48000 : rates.back();

  RtAudio::StreamParameters in;
  in.deviceId = device;
  in.nChannels = channels;
  in.firstChannel = 0;
  RtAudio::StreamOptions options;
  options.streamName = kStreamName;
  unsigned frames = fragment_frames(params, rate);
  try {
    rt_->openStream(nullptr, &in, RTAUDIO_FLOAT32, rate, &frames, &Capture::callback, this,
                    &options, &route_error);
    rate_ = rt_->getStreamSampleRate();
    latency_frames_ = static_cast<size_t>(std::max(rt_->getStreamLatency(), 0L));
  } catch (const RtAudioError& e) {
    return fail(why, clean_message(e.getMessage()));
  }
  if (rate_ == 0) rate_ = rate;
  channels_ = channels;
  period_frames_ = frames;
  return true;
}

bool Capture::start(Failure& why) {
  if (gone_.load()) return fail(why, "the device is gone");
  if (running_.load()) return true;
  if (!rt_ || !rt_->isStreamOpen()) return fail(why, "the stream is not open");
  std::string cause;
  {
    std::lock_guard lock(rtaudio_mutex());
    skip_first_ = true;
    frames_delivered_.store(0);
    started_.store(true);
    running_.store(true);
    start_error_.clear();
    CallerScope caller(this);  // RtAudio reports start failures through the error callback
    in_start_ = true;
    try {
      rt_->startStream();
    } catch (const RtAudioError& e) {
      cause = clean_message(e.getMessage());
    }
    in_start_ = false;
  }
  if (cause.empty()) cause = start_error_;
  if (cause.empty() && !rt_->isStreamRunning()) cause = "the stream did not start";
  if (!cause.empty()) {
    running_.store(false);
    started_.store(false);
    return fail(why, cause);
  }
  return true;
}

void Capture::stop() noexcept {
  running_.store(false);
  // A callback that saw running_ true finishes before stop returns; later ones do nothing.
  while (in_callback_.load() != 0) std::this_thread::yield();
  if (!rt_) return;
  std::lock_guard lock(rtaudio_mutex());
  CallerScope caller(this);
  try {
    if (rt_->isStreamRunning()) rt_->abortStream();
  } catch (const RtAudioError&) {
  }
}

void Capture::on_caller_error(const std::string& text) {
  if (in_start_ && start_error_.empty()) start_error_ = clean_message(text);
}

void Capture::on_error(RtAudioError::Type type, const std::string& text) {
  const bool fatal = type != RtAudioError::WARNING ||
                     text.find("read error") != std::string::npos ||
                     text.find("shutting down") != std::string::npos;
  if (fatal && started_.load()) gone_.store(true);
}

bool Capture::owns_message(const std::string& text) const {
  return text.rfind(message_prefix(api_), 0) == 0;
}

int Capture::callback(void*, void* input, unsigned int frames, double, RtAudioStreamStatus status,
                      void* user) {
  auto* self = static_cast<Capture*>(user);
  set_callback_stream(self);
  return self->deliver(static_cast<const float*>(input), frames, status);
}

// Real-time thread: no allocation, no locks, no system calls.
int Capture::deliver(const float* input, unsigned frames, RtAudioStreamStatus status) noexcept {
  int ret = 0;
  in_callback_.fetch_add(1);
  if (running_.load()) {
    if (gone_.load()) {
      if (!ended_sent_.exchange(true))
        sink_.on_event(DeviceEvent{DeviceEvent::Kind::ended, clock()});
      ret = 2;  // abort: RtAudio stops calling
    } else if (skip_first_) {
      skip_first_ = false;  // the buffer before the first read: zeros, or the last run's
    } else {
      const bool overflow = (status & RTAUDIO_INPUT_OVERFLOW) != 0;
      if (overflow) sink_.on_event(DeviceEvent{DeviceEvent::Kind::xrun, clock()});
      // After an ALSA overrun RtAudio's buffer still holds the period already delivered.
      const bool stale = overflow && alsa_;
      if (input && frames > 0 && !stale) {
        sink_.on_frames(input, frames, clock());
        frames_delivered_.fetch_add(frames, std::memory_order_relaxed);
      }
    }
  }
  in_callback_.fetch_sub(1);
  return ret;
}

}  // namespace sc::audio::rt
