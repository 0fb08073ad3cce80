// The RtAudio module's one exported symbol (rtaudio_abi.h): the table of its functions. Every
// function here catches what the C++ below it may throw, since nothing may cross the C
// interface but C types.
#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/audio/rtaudio/alsa_cards.h"
#include "core/audio/rtaudio/alsa_ids.h"
#include "core/audio/rtaudio/rt_capture.h"
#include "core/audio/rtaudio/rt_instance.h"
#include "core/audio/rtaudio_abi.h"

// The opaque stream handle of the interface is a Capture.
struct sc_rt_stream {
  sc::audio::rt::Capture capture;
  sc_rt_stream(const sc_rt_open_params& p, sc_rt_sink s) : capture(p, s) {}
};

namespace sc::audio::rt {
namespace {

void copy_out(char* to, size_t size, const std::string& from) {
  const size_t n = std::min(size - 1, from.size());
  std::memcpy(to, from.data(), n);
  to[n] = '\0';
}

void set_error(sc_rt_error* err, const Failure& why) {
  if (!err) return;
  copy_out(err->cause, sizeof err->cause, why.cause);
  copy_out(err->hint, sizeof err->hint, why.hint);
}

// RtAudio returns its names by value; the interface hands out static strings (made once; a
// failure to make them, out of memory, answers "" and no APIs).
const char* version() {
  try {
    static const std::string v = RtAudio::getVersion();
    return v.c_str();
  } catch (const std::exception&) {
    return "";
  }
}

const std::vector<std::string>& api_names() {
  static const std::vector<std::string> names = [] {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    std::vector<std::string> out;
    for (auto a : apis) out.push_back(RtAudio::getApiName(a));
    return out;
  }();
  return names;
}

size_t compiled_apis(const char** names, size_t max) {
  try {
    const auto& all = api_names();
    for (size_t i = 0; i < all.size() && i < max; ++i) names[i] = all[i].c_str();
    return all.size();
  } catch (const std::exception&) {
    return 0;
  }
}

void list(const char* api, sc_rt_each_device each, void* ctx) {
  std::vector<Listed> found;
  try {
    std::lock_guard lock(rtaudio_mutex());
    auto rt = make_rtaudio(api_of(api));
    if (!rt) return;
    found = list_locked(*rt);
    if (std::string_view(api) == "alsa" && !found.empty()) {
      const auto pcms = alsa_pcms();
      for (auto& d : found) d.id = alsa_id(d.name, d.index, pcms);
    }
  } catch (const std::exception&) {
    return;  // out of memory while listing: nothing listed
  }
  for (const auto& d : found) {
    const sc_rt_device c{d.index,
                         d.name.c_str(),
                         d.id.c_str(),
                         d.input_channels,
                         d.output_channels,
                         d.rates.data(),
                         d.rates.size(),
                         d.preferred_rate,
                         d.default_input ? 1 : 0,
                         d.default_output ? 1 : 0};
    each(ctx, &c);
  }
}

sc_rt_stream* open(const sc_rt_open_params* params, sc_rt_sink sink, unsigned* rate,
                   unsigned* channels, sc_rt_error* err) {
  Failure why;
  try {
    auto s = std::make_unique<sc_rt_stream>(*params, sink);
    if (s->capture.open(*params, why)) {
      *rate = s->capture.rate();
      *channels = s->capture.channels();
      return s.release();
    }
  } catch (const std::exception& e) {
    why.cause = e.what();
  }
  set_error(err, why);
  return nullptr;
}

int start(sc_rt_stream* s, sc_rt_error* err) {
  Failure why;
  try {
    if (s->capture.start(why)) return 0;
  } catch (const std::exception& e) {
    why.cause = e.what();
  }
  set_error(err, why);
  return -1;
}

void stop(sc_rt_stream* s) { s->capture.stop(); }

int finished(const sc_rt_stream* s) { return s->capture.finished() ? 1 : 0; }

void close(sc_rt_stream* s) { delete s; }

const sc_rt_module kModule = {&version, &compiled_apis, &list,     &open,
                              &start,   &stop,          &finished, &close};

}  // namespace
}  // namespace sc::audio::rt

extern "C" __attribute__((visibility("default"))) const sc_rt_module* sc_rtaudio_module_v1() {
  return &sc::audio::rt::kModule;
}
