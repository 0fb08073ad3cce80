#include "core/audio/rtaudio/rt_playback.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <thread>
#include <vector>

namespace sc::audio::rt {
namespace {

constexpr const char* kStreamName = "soundcheck";
constexpr const char* kListHint = "see 'soundcheck route list --output'";

bool fail(Failure& why, std::string cause, std::string hint = {}) {
  why.cause = std::move(cause);
  why.hint = std::move(hint);
  return false;
}

bool is_numeric_hw(std::string_view name) {
  return name.rfind("hw:", 0) == 0 && name.size() > 3 &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}

// Which RtAudio device number the output device named `name` is now (indexes can change
// between listing and opening).
bool find_output(RtAudio& rt, const std::string& name, unsigned& index, Failure& why) {
  std::vector<unsigned> same;
  for (const auto& d : list_locked(rt, ""))
    if (d.name == name && d.output_channels > 0) same.push_back(static_cast<unsigned>(d.index));
  if (same.empty()) return fail(why, "RtAudio does not list it (any more)", kListHint);
  if (same.size() > 1)
    return fail(why, fmt::format("RtAudio lists {} devices with that name", same.size()));
  index = same.front();
  return true;
}

}  // namespace

Playback::Playback(const DeviceInfo& device, PlaybackSource& source)
    : api_(device.api), name_(device.name), id_(device.id), source_(source) {
  join_live();
}

Playback::~Playback() {
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

bool Playback::open(const PlaybackParams& params, Failure& why) {
  std::lock_guard lock(rtaudio_mutex());
  rt_ = make_rtaudio(api_of(api_));
  if (!rt_) return fail(why, fmt::format("RtAudio has no {} support here", api_));
  unsigned device = 0;
  if (!find_output(*rt_, name_, device, why)) return false;
  RtAudio::DeviceInfo now;
  try {
    now = rt_->getDeviceInfo(device);
  } catch (const RtAudioError& e) {
    return fail(why, clean_message(e.getMessage()));
  }
  unsigned channels = params.channels;
  if (channels == 0) {
    channels = now.outputChannels;
    // ALSA plugin devices such as "default" claim 32 channels.
    if (api_ == "alsa" && !is_numeric_hw(id_)) channels = std::min(channels, 2u);
  }
  if (channels == 0 || channels > now.outputChannels)
    return fail(why,
                fmt::format("it has {} output channel{}, {} asked for", now.outputChannels,
                            now.outputChannels == 1 ? "" : "s", channels),
                fmt::format("ask for at most {} channels", now.outputChannels));

  const auto& rates = now.sampleRates;
  const auto listed = [&](unsigned r) {
    return r != 0 && (rates.empty() || std::find(rates.begin(), rates.end(), r) != rates.end());
  };
  unsigned rate = params.rate;
  if (!listed(rate)) rate = now.preferredSampleRate;
  if (!listed(rate)) rate = listed(48000) || rates.empty() ? 48000 : rates.back();

  RtAudio::StreamParameters out;
  out.deviceId = device;
  out.nChannels = channels;
  out.firstChannel = 0;
  RtAudio::StreamOptions options;
  options.streamName = kStreamName;
  unsigned frames = fragment_frames(StreamParams{rate, channels, params.buffer_frames}, rate);
  CallerScope caller(this);
  try {
    rt_->openStream(&out, nullptr, RTAUDIO_FLOAT32, rate, &frames, &Playback::callback, this,
                    &options, &route_error);
    rate_ = rt_->getStreamSampleRate();
    latency_frames_ = static_cast<size_t>(std::max(rt_->getStreamLatency(), 0L));
  } catch (const RtAudioError& e) {
    return fail(why, clean_message(e.getMessage()));
  }
  if (rate_ == 0) rate_ = rate;
  channels_ = channels;
  period_frames_ = frames;
  if (latency_frames_ == 0) latency_frames_ = frames;  // at least the period RtAudio holds
  return true;
}

bool Playback::start(Failure& why) {
  if (running_.load() && !paused_.load()) return true;
  return run(paused_.load(), why);
}

// Starts RtAudio's stream: the first time, or again after pause().
bool Playback::run(bool resume, Failure& why) {
  if (gone_.load()) return fail(why, "the device is gone");
  if (ended_.load()) return true;  // nothing more to play
  if (!rt_ || !rt_->isStreamOpen()) return fail(why, "the stream is not open");
  std::string cause;
  {
    std::lock_guard lock(rtaudio_mutex());
    running_.store(true);
    paused_.store(false);
    start_error_.clear();
    CallerScope caller(this);  // RtAudio reports start failures through the error callback
    in_start_ = true;
    try {
      rt_->startStream();
    } catch (const RtAudioError& e) {
      cause = clean_message(e.getMessage());
    }
    in_start_ = false;
    if (cause.empty()) cause = start_error_;
    if (cause.empty() && !rt_->isStreamRunning()) cause = "the stream did not start";
  }
  if (!cause.empty()) {
    paused_.store(resume);
    running_.store(resume);
    return fail(why, cause);
  }
  return true;
}

bool Playback::pause(Failure& why) {
  if (gone_.load()) return fail(why, "the device is gone");
  if (!running_.load() || paused_.load() || ended_.load()) return true;
  std::lock_guard lock(rtaudio_mutex());
  CallerScope caller(this);
  try {
    // Returns once the device played what it held; no callback runs after it (RtAudio's own
    // drain writes silence, not ours).
    if (rt_->isStreamRunning()) rt_->stopStream();
  } catch (const RtAudioError& e) {
    return fail(why, clean_message(e.getMessage()));
  }
  paused_.store(true);
  heard_.store(taken_.load());
  return true;
}

void Playback::stop() noexcept {
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

uint64_t Playback::heard() const {
  const uint64_t t = taken_.load(std::memory_order_acquire);
  const bool all = paused_.load() || (ended_.load() && finished());
  uint64_t h = all ? t : (t > latency_frames_ ? t - latency_frames_ : 0);
  // Never back: a floor raised by pause() or an earlier call.
  uint64_t floor = heard_.load();
  while (h > floor && !heard_.compare_exchange_weak(floor, h)) {
  }
  return std::min(std::max(h, heard_.load()), t);
}

bool Playback::finished() const {
  if (gone_.load()) return true;
  if (!ended_.load()) return false;
  std::lock_guard end_lock(end_mutex_);
  if (!stopped_at_) {
    // RtAudio marks the stream stopped before it drains (ALSA's stopStream): the latency after.
    std::lock_guard lock(rtaudio_mutex());
    if (rt_ && rt_->isStreamRunning()) return false;
    stopped_at_ = std::chrono::steady_clock::now();
  }
  return std::chrono::steady_clock::now() - *stopped_at_ >=
         frames_duration(latency_frames_, rate_ ? rate_ : 1);
}

void Playback::on_caller_error(const std::string& text) {
  if (in_start_ && start_error_.empty()) start_error_ = clean_message(text);
}

void Playback::on_error(RtAudioError::Type type, const std::string& text) {
  const bool fatal = type != RtAudioError::WARNING ||
                     text.find("write error") != std::string::npos ||
                     text.find("shutting down") != std::string::npos;
  if (fatal && running_.load()) gone_.store(true);
}

bool Playback::owns_message(const std::string& text) const {
  return text.rfind(message_prefix(api_), 0) == 0;
}

int Playback::callback(void* output, void*, unsigned int frames, double, RtAudioStreamStatus status,
                       void* user) {
  auto* self = static_cast<Playback*>(user);
  set_callback_stream(self);
  return self->pull(static_cast<float*>(output), frames, status);
}

void Playback::send(DeviceEvent::Kind kind, uint64_t lost) noexcept {
  DeviceEvent e{kind, frames_duration(written_, rate_)};
  e.lost_frames = lost;
  source_.on_event(e);
}

// Real-time thread: no allocation, no locks, no system calls.
int Playback::pull(float* out, unsigned frames, RtAudioStreamStatus status) noexcept {
  int ret = 0;
  in_callback_.fetch_add(1);
  const size_t samples = static_cast<size_t>(frames) * channels_;
  if (!out) {
    ret = 2;
  } else if (!running_.load() || paused_.load() || ended_.load()) {
    std::memset(out, 0, samples * sizeof(float));  // stopping: silence until RtAudio stops
    ret = ended_.load() ? 1 : 0;
  } else if (gone_.load()) {
    std::memset(out, 0, samples * sizeof(float));
    if (!ended_sent_.exchange(true)) send(DeviceEvent::Kind::ended);
    ret = 2;  // abort: RtAudio stops calling
  } else {
    if (status & RTAUDIO_OUTPUT_UNDERFLOW) send(DeviceEvent::Kind::xrun);
    const size_t got =
        std::min(source_.on_need(out, frames, frames_duration(written_, rate_)), size_t{frames});
    if (got < frames)
      std::memset(out + got * channels_, 0, (frames - got) * channels_ * sizeof(float));
    taken_.fetch_add(got, std::memory_order_release);
    written_ += frames;
    if (source_.end()) {
      ended_.store(true);
      ret = 1;  // RtAudio plays this buffer and what it holds, then stops
    } else if (got < frames) {
      send(DeviceEvent::Kind::xrun, frames - got);
    }
  }
  in_callback_.fetch_sub(1);
  return ret;
}

}  // namespace sc::audio::rt
