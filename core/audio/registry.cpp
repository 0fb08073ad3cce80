#include "core/audio/registry.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/audio/device_match.h"
#include "core/audio/pulse/device.h"
#include "core/audio/pulse/query.h"
#include "core/audio/pulse/rows.h"
#include "core/audio/rtaudio/device.h"
#include "core/audio/virtual/device.h"
#include "core/common/names.h"

namespace sc::audio {
namespace {

using PulseConnection = std::unique_ptr<pulse::Context>;

// PulseAudio's sources and sinks, from the server itself; nothing when no server answers
// (one is never started). The connection asked goes to `kept` when one is given.
std::vector<DeviceInfo> pulse_devices(PulseConnection* kept = nullptr) {
  auto snap = query_pulse(std::chrono::milliseconds(2000), kept);
  if (!snap) return {};
  return pulse_rows(*snap);
}

// The devices of one API (one of device_apis()), unnumbered; for PulseAudio, the connection
// asked goes to `kept` when one is given.
std::vector<DeviceInfo> list_api(std::string_view api, PulseConnection* kept = nullptr) {
  std::vector<DeviceInfo> found = api == "pulse" ? pulse_devices(kept) : rtaudio_list(api);
  for (auto& d : found) d.index = -1;
  return found;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// The API an "API:rest" spec names, or empty.
std::string spec_api(std::string_view spec) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) return {};
  const std::string api = to_lower(spec.substr(0, colon));
  if (api == "pulse") return api;  // known without asking RtAudio
  const auto apis = device_apis();
  return std::find(apis.begin(), apis.end(), api) != apis.end() ? api : std::string();
}

// The devices `spec` can name, listing no more APIs than it needs: "API:rest" is matched
// against that API alone, and "default" against PulseAudio alone when it has a device for
// `dir` (it comes first). Others need the whole numbered listing. The PulseAudio connection
// asked goes to `kept`, for the stream.
std::vector<DeviceInfo> candidates(std::string_view spec, Direction dir, PulseConnection& kept) {
  std::vector<DeviceInfo> devices;
  if (const auto api = spec_api(spec); !api.empty()) {
    devices = list_api(api, &kept);
  } else if (spec.size() == 7 && starts_with_nocase(spec, "default")) {
    devices = list_api("pulse", &kept);
    if (std::none_of(devices.begin(), devices.end(),
                     [&](const DeviceInfo& d) { return can_do(d, dir); }))
      devices.clear();
  }
  if (devices.empty()) return list_devices();
  // PulseAudio is listed first: its rows have the indexes `route list` shows.
  if (devices.front().api == "pulse")
    for (size_t i = 0; i < devices.size(); ++i) devices[i].index = static_cast<int>(i);
  return devices;
}

}  // namespace

std::vector<std::string> device_apis() {
  std::vector<std::string> apis = {"pulse"};
  for (auto& api : rtaudio_apis()) apis.push_back(std::move(api));
  return apis;
}

std::vector<DeviceInfo> list_devices() {
  std::vector<DeviceInfo> out;
  for (const auto& api : device_apis()) {
    auto found = list_api(api);
    out.insert(out.end(), found.begin(), found.end());
  }
  out.push_back(virtual_device_info());
  for (size_t i = 0; i < out.size(); ++i) out[i].index = static_cast<int>(i);
  return out;
}

Result<std::unique_ptr<Device>> open_device(std::string_view spec, Direction dir) {
  const std::string_view s = trim(spec);
  if (s.size() == 7 && starts_with_nocase(s, "virtual")) return make_virtual_device("");
  if (starts_with_nocase(s, "virtual:")) return make_virtual_device(s.substr(8));
  PulseConnection conn;
  const auto devices = candidates(s, dir, conn);
  auto found = match_device(devices, s, dir);
  if (!found) return found.error();
  const DeviceInfo& d = devices[*found];
  if (d.api == "virtual") return make_virtual_device("");
  if (d.api == "pulse") return make_pulse_device(d, std::move(conn));
  return make_rtaudio_device(d);
}

}  // namespace sc::audio

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's built-in suppressions for sanitizer builds (CI runs them with
// detect_leaks=1), here because every program that opens devices links this file. RtAudio 5.2 drops
// the pa_operation references its PulseAudio device listing gets (and libpulse recycles operation
// objects through a free list, so such a leak is reported at whichever caller first allocated the
// block, often ours): not our leaks, and not ones we can fix.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpulse.so\n"
         "leak:librtaudio.so\n";
}
// ...and without a report of the suppressions used on stderr, which commands keep for
// their own messages.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif
