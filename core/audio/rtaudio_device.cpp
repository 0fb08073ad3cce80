#include "core/audio/rtaudio_device.h"

#include <fmt/format.h>
#include <rtaudio/RtAudio.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/audio/quiet_libs.h"
#include "core/session/codes.h"

namespace sc::audio {
namespace {

// Without a period asked for, a relaxed one: 250 ms. A recorder needs no low latency, and
// every period costs wake-ups of the server, of RtAudio's thread and of ours: at 512 frames
// the CPU per recorded minute was ~25 times parecord's (bench/run cpu). Callers that need low
// latency ask for it.
constexpr unsigned kDefaultPeriodsPerSecond = 4;
constexpr const char* kStreamName = "soundcheck";

// One RtAudio call at a time: its backends keep state in globals (the PulseAudio one lists
// devices into a global; the others share ALSA's and JACK's error handlers).
std::mutex& rtaudio_mutex() {
  static std::mutex m;
  return m;
}

RtAudio::Api api_of(std::string_view name) {
  return RtAudio::getCompiledApiByName(std::string(name));
}

// The prefix of RtAudio's messages for an API ("RtApiAlsa::probeDeviceOpen: ...").
std::string_view message_prefix(std::string_view api) {
  if (api == "alsa") return "RtApiAlsa";
  if (api == "jack") return "RtApiJack";
  return "RtApi";
}

// RtAudio's message without its "RtApiAlsa::probeDeviceOpen: " prefix, newlines and the
// final period: "pcm device (hw:1,0) won't open for input".
std::string clean_message(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  const auto first = s.find_first_not_of(' ');
  s = first == std::string::npos ? std::string() : s.substr(first);
  if (s.rfind("RtApi", 0) == 0) {
    if (const auto colon = s.find(": "); colon != std::string::npos) s = s.substr(colon + 2);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '.' || s.back() == '!')) s.pop_back();
  return s.empty() ? std::string("unknown RtAudio error") : s;
}

// An RtAudio instance for `api` that prints no warnings; nullptr when it cannot be made.
std::unique_ptr<RtAudio> make_rtaudio(RtAudio::Api api) {
  quiet_audio_libraries();
  if (api == RtAudio::UNSPECIFIED) return nullptr;  // would make RtAudio pick one itself
  try {
    auto rt = std::make_unique<RtAudio>(api);
    rt->showWarnings(false);
    return rt;
  } catch (const RtAudioError&) {
    return nullptr;
  }
}

DeviceInfo to_info(const RtAudio::DeviceInfo& d, std::string_view api, unsigned index) {
  DeviceInfo info;
  info.index = static_cast<int>(index);
  info.api = std::string(api);
  info.name = d.name;
  info.input_channels = d.inputChannels;
  info.output_channels = d.outputChannels;
  info.rates = d.sampleRates;
  std::sort(info.rates.begin(), info.rates.end());
  info.rates.erase(std::unique(info.rates.begin(), info.rates.end()), info.rates.end());
  info.preferred_rate = d.preferredSampleRate;
  info.default_input = d.isDefaultInput;
  info.default_output = d.isDefaultOutput;
  return info;
}

// Caller holds rtaudio_mutex().
std::vector<DeviceInfo> list_locked(RtAudio& rt, std::string_view api) {
  std::vector<DeviceInfo> out;
  unsigned n = 0;
  try {
    n = rt.getDeviceCount();
  } catch (const RtAudioError&) {
    return out;  // an API that cannot count its devices has none
  }
  for (unsigned i = 0; i < n; ++i) {
    try {
      const RtAudio::DeviceInfo d = rt.getDeviceInfo(i);
      if (!d.name.empty()) out.push_back(to_info(d, api, i));
    } catch (const RtAudioError&) {
      // A device RtAudio cannot describe is left out.
    }
  }
  return out;
}

Error cannot_start(const DeviceInfo& info, std::string_view cause,
                   std::string hint =
                       "check that the device is not in use and its server is "
                       "running; see 'soundcheck route list --input'") {
  return cannot_start_recording(info, cause, std::move(hint));
}

// Where `info` is in RtAudio's listing now, and its own rate.
struct Found {
  unsigned index = 0;
  unsigned rate = 0;  // 0: RtAudio's preferredSampleRate
};

// Which RtAudio device number `info` is now (indexes can change between listing and
// opening).
Result<unsigned> find_device(RtAudio& rt, const DeviceInfo& info) {
  const auto now = list_locked(rt, info.api);
  std::vector<unsigned> same;
  for (const auto& d : now)
    if (d.name == info.name && d.input_channels > 0) same.push_back(static_cast<unsigned>(d.index));
  if (same.empty())
    return cannot_start(info, "RtAudio does not list it (any more)",
                        "see 'soundcheck route list --input'");
  if (same.size() > 1)
    return cannot_start(info, fmt::format("RtAudio lists {} devices with that name", same.size()));
  return same.front();
}

bool is_numeric_hw(std::string_view name) {
  return name.rfind("hw:", 0) == 0 && name.size() > 3 &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}

class RtAudioCaptureStream;

// RtAudio calls its error callback without user data. These say which stream an error on
// this thread belongs to: the one whose start(), stop() or close runs here, or the one whose
// callback thread this is.
thread_local RtAudioCaptureStream* t_caller = nullptr;
thread_local RtAudioCaptureStream* t_current = nullptr;

// Marks the stream calling RtAudio on this thread for the scope.
class CallerScope {
 public:
  explicit CallerScope(RtAudioCaptureStream* s) { t_caller = s; }
  ~CallerScope() { t_caller = nullptr; }
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;
};

class RtAudioCaptureStream final : public CaptureStream {
 public:
  RtAudioCaptureStream(DeviceInfo info, CaptureSink& sink);
  ~RtAudioCaptureStream() override;

  // Opens the RtAudio stream (not started).
  Status open(const StreamParams& params);

  Status start() override;
  void stop() noexcept override;
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  Duration clock() const override;
  bool finished() const override { return gone_.load(); }

  // An error RtAudio reported during this stream's own call (start, stop, close): the first
  // one during start() is why it failed; those while stopping do not matter.
  void on_caller_error(const std::string& text) {
    if (in_start_ && start_error_.empty()) start_error_ = clean_message(text);
  }
  // An error reported from the stream's callback thread, or from elsewhere (JACK's shutdown
  // notice): a lost device ends the stream.
  void on_error(RtAudioError::Type type, const std::string& text);
  bool owns_message(std::string_view text) const {
    return text.rfind(message_prefix(info_.api), 0) == 0;
  }

  static int callback(void* output, void* input, unsigned int frames, double stream_time,
                      RtAudioStreamStatus status, void* user);

 private:
  int deliver(const float* input, unsigned frames, RtAudioStreamStatus status) noexcept;

  DeviceInfo info_;
  CaptureSink& sink_;
  std::unique_ptr<RtAudio> rt_;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  const bool alsa_;
  bool skip_first_ = false;  // set by start(), then RT thread only
  std::atomic<bool> running_{false};
  std::atomic<bool> gone_{false};
  std::atomic<bool> ended_sent_{false};
  std::atomic<int> in_callback_{0};
  std::atomic<int64_t> start_ns_{0};  // steady_clock at start; 0 before
  // Frames delivered since start: the session clock is the audio's, not the wall's, so a
  // server that delivers late (a starved JACK) loses nothing to `record -d`.
  std::atomic<uint64_t> frames_delivered_{0};
  bool in_start_ = false;    // the caller's thread only
  std::string start_error_;  // the caller's thread only
};

// Streams alive, for errors that arrive on a thread no stream is known on (JACK's shutdown
// notice).
std::mutex& live_mutex() {
  static std::mutex m;
  return m;
}
std::vector<RtAudioCaptureStream*>& live_streams() {
  static std::vector<RtAudioCaptureStream*> v;
  return v;
}

void on_rtaudio_error(RtAudioError::Type type, const std::string& text) {
  if (auto* s = t_caller) {
    s->on_caller_error(text);
  } else if (auto* c = t_current) {
    c->on_error(type, text);
  } else {
    std::lock_guard lock(live_mutex());
    for (auto* l : live_streams())
      if (l->owns_message(text)) l->on_error(type, text);
  }
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RtAudioCaptureStream::RtAudioCaptureStream(DeviceInfo info, CaptureSink& sink)
    : info_(std::move(info)), sink_(sink), alsa_(info_.api == "alsa") {
  std::lock_guard lock(live_mutex());
  live_streams().push_back(this);
}

RtAudioCaptureStream::~RtAudioCaptureStream() {
  stop();
  {
    std::lock_guard lock(live_mutex());
    auto& v = live_streams();
    v.erase(std::remove(v.begin(), v.end(), this), v.end());
  }
  std::lock_guard lock(rtaudio_mutex());
  CallerScope caller(this);
  try {
    if (rt_ && rt_->isStreamOpen()) rt_->closeStream();
  } catch (const RtAudioError&) {
  }
  rt_.reset();  // joins RtAudio's thread while the members it may touch still exist
}

Status RtAudioCaptureStream::open(const StreamParams& params) {
  std::lock_guard lock(rtaudio_mutex());
  rt_ = make_rtaudio(api_of(info_.api));
  if (!rt_) return cannot_start(info_, fmt::format("RtAudio has no {} support here", info_.api));
  auto device = find_device(*rt_, info_);
  if (!device) return device.error();
  RtAudio::DeviceInfo now;
  try {
    now = rt_->getDeviceInfo(*device);
  } catch (const RtAudioError& e) {
    return cannot_start(info_, clean_message(e.getMessage()));
  }
  if (now.inputChannels == 0) return cannot_start(info_, "the device has no input channels");

  unsigned channels = params.channels;
  if (channels == 0) {
    channels = now.inputChannels;
    if (info_.api == "alsa" && !is_numeric_hw(info_.id)) channels = std::min(channels, 2u);
  }
  if (channels > now.inputChannels)
    return cannot_start(info_,
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
  in.deviceId = *device;
  in.nChannels = channels;
  in.firstChannel = 0;
  RtAudio::StreamOptions options;
  options.streamName = kStreamName;
  unsigned frames =
      params.buffer_frames ? params.buffer_frames : std::max(rate / kDefaultPeriodsPerSecond, 64u);
  try {
    rt_->openStream(nullptr, &in, RTAUDIO_FLOAT32, rate, &frames, &RtAudioCaptureStream::callback,
                    this, &options, &on_rtaudio_error);
    rate_ = rt_->getStreamSampleRate();
  } catch (const RtAudioError& e) {
    return cannot_start(info_, clean_message(e.getMessage()));
  }
  if (rate_ == 0) rate_ = rate;
  channels_ = channels;
  return ok_status();
}

Status RtAudioCaptureStream::start() {
  if (gone_.load()) return cannot_start(info_, "the device is gone");
  if (running_.load()) return ok_status();
  if (!rt_ || !rt_->isStreamOpen()) return cannot_start(info_, "the stream is not open");
  std::string cause;
  {
    std::lock_guard lock(rtaudio_mutex());
    skip_first_ = true;
    frames_delivered_.store(0);
    start_ns_.store(now_ns());
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
    start_ns_.store(0);
    return cannot_start(info_, cause);
  }
  return ok_status();
}

void RtAudioCaptureStream::stop() noexcept {
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

Duration RtAudioCaptureStream::clock() const {
  return frames_duration(frames_delivered_.load(std::memory_order_relaxed), rate_);
}

void RtAudioCaptureStream::on_error(RtAudioError::Type type, const std::string& text) {
  const bool fatal = type != RtAudioError::WARNING ||
                     text.find("read error") != std::string::npos ||
                     text.find("shutting down") != std::string::npos;
  if (fatal && start_ns_.load() != 0) gone_.store(true);
}

int RtAudioCaptureStream::callback(void*, void* input, unsigned int frames, double,
                                   RtAudioStreamStatus status, void* user) {
  auto* self = static_cast<RtAudioCaptureStream*>(user);
  t_current = self;
  return self->deliver(static_cast<const float*>(input), frames, status);
}

// Real-time thread: no allocation, no locks, no system calls (steady_clock reads the vDSO).
int RtAudioCaptureStream::deliver(const float* input, unsigned frames,
                                  RtAudioStreamStatus status) noexcept {
  int ret = 0;
  in_callback_.fetch_add(1);
  if (running_.load()) {
    const Duration at = clock();
    if (gone_.load()) {
      if (!ended_sent_.exchange(true)) sink_.on_event(DeviceEvent{DeviceEvent::Kind::ended, at});
      ret = 2;  // abort: RtAudio stops calling
    } else if (skip_first_) {
      skip_first_ = false;  // the buffer before the first read: zeros, or the last run's
    } else {
      const bool overflow = (status & RTAUDIO_INPUT_OVERFLOW) != 0;
      if (overflow) sink_.on_event(DeviceEvent{DeviceEvent::Kind::xrun, at});
      // After an ALSA overrun RtAudio's buffer still holds the period already delivered.
      const bool stale = overflow && alsa_;
      if (input && frames > 0 && !stale) {
        sink_.on_frames(input, frames, at);
        frames_delivered_.fetch_add(frames, std::memory_order_relaxed);
      }
    }
  }
  in_callback_.fetch_sub(1);
  return ret;
}

class RtAudioDevice final : public Device {
 public:
  explicit RtAudioDevice(DeviceInfo info) : info_(std::move(info)) {}
  const DeviceInfo& info() const override { return info_; }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    if (info_.input_channels == 0)
      return cannot_start(info_, "the device has no input channels",
                          "see 'soundcheck route list --input'");
    auto stream = std::make_unique<RtAudioCaptureStream>(info_, sink);
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<CaptureStream>(std::move(stream));
  }

 private:
  DeviceInfo info_;
};

}  // namespace

std::vector<std::string> rtaudio_apis() {
  std::vector<std::string> out;
  for (const char* api : {"alsa", "jack"})
    if (api_of(api) != RtAudio::UNSPECIFIED) out.emplace_back(api);
  return out;
}

std::vector<DeviceInfo> rtaudio_list(std::string_view api) {
  std::lock_guard lock(rtaudio_mutex());
  auto rt = make_rtaudio(api_of(api));
  if (!rt) return {};
  return list_locked(*rt, api);
}

std::unique_ptr<Device> make_rtaudio_device(DeviceInfo info) {
  return std::make_unique<RtAudioDevice>(std::move(info));
}

}  // namespace sc::audio
