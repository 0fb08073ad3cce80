#include "core/audio/rtaudio/rt_instance.h"

#include <algorithm>

#include "core/audio/rtaudio/quiet_libs.h"

namespace sc::audio::rt {

std::mutex& rtaudio_mutex() {
  static std::mutex m;
  return m;
}

RtAudio::Api api_of(std::string_view name) {
  return RtAudio::getCompiledApiByName(std::string(name));
}

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
      if (d.name.empty()) continue;
      DeviceInfo l;
      l.index = static_cast<int>(i);
      l.api = std::string(api);
      l.name = d.name;
      l.input_channels = d.inputChannels;
      l.output_channels = d.outputChannels;
      l.rates = d.sampleRates;
      std::sort(l.rates.begin(), l.rates.end());
      l.rates.erase(std::unique(l.rates.begin(), l.rates.end()), l.rates.end());
      l.preferred_rate = d.preferredSampleRate;
      l.default_input = d.isDefaultInput;
      l.default_output = d.isDefaultOutput;
      out.push_back(std::move(l));
    } catch (const RtAudioError&) {
      // A device RtAudio cannot describe is left out.
    }
  }
  return out;
}

namespace {

thread_local ErrorTarget* t_caller = nullptr;
thread_local ErrorTarget* t_current = nullptr;

// Streams alive, for errors that arrive on a thread no stream is known on (JACK's shutdown
// notice).
std::mutex& live_mutex() {
  static std::mutex m;
  return m;
}
std::vector<ErrorTarget*>& live_streams() {
  static std::vector<ErrorTarget*> v;
  return v;
}

}  // namespace

void ErrorTarget::join_live() {
  std::lock_guard lock(live_mutex());
  live_streams().push_back(this);
}

void ErrorTarget::leave_live() noexcept {
  std::lock_guard lock(live_mutex());
  auto& v = live_streams();
  v.erase(std::remove(v.begin(), v.end(), this), v.end());
}

void route_error(RtAudioError::Type type, const std::string& text) {
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

CallerScope::CallerScope(ErrorTarget* s) { t_caller = s; }
CallerScope::~CallerScope() { t_caller = nullptr; }

void set_callback_stream(ErrorTarget* s) noexcept { t_current = s; }

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

std::string_view message_prefix(std::string_view api) {
  if (api == "alsa") return "RtApiAlsa";
  if (api == "jack") return "RtApiJack";
  return "RtApi";
}

}  // namespace sc::audio::rt
