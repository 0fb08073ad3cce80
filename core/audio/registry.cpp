#include "core/audio/registry.h"

#include <cctype>
#include <string>

#include "core/audio/alsa_ids.h"
#include "core/audio/device_match.h"
#include "core/audio/pulse_devices.h"
#include "core/audio/pulse_introspect.h"
#include "core/audio/quiet_libs.h"
#include "core/audio/rtaudio_device.h"
#include "core/audio/virtual_device.h"

namespace sc::audio {
namespace {

// A PulseAudio server that answers: RtAudio's own listing is asked only then, so that it
// never waits on (or autospawns) a server that is not there.
std::vector<DeviceInfo> pulse_devices() {
  auto snap = query_pulse();
  if (!snap) return {};
  return pulse_rows(*snap, rtaudio_list("pulse"));
}

// ALSA devices with their "hw:C,D" identifiers.
std::vector<DeviceInfo> alsa_devices() {
  auto devices = rtaudio_list("alsa");
  if (devices.empty()) return devices;
  const auto pcms = alsa_pcms();
  for (auto& d : devices) d.id = alsa_id(d.name, static_cast<size_t>(d.index), pcms);
  return devices;
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

}  // namespace

std::vector<DeviceInfo> list_devices() {
  quiet_audio_libraries();
  std::vector<DeviceInfo> out;
  for (const auto& api : rtaudio_apis()) {
    std::vector<DeviceInfo> found;
    if (api == "pulse")
      found = pulse_devices();
    else if (api == "alsa")
      found = alsa_devices();
    else
      found = rtaudio_list(api);
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
  const auto devices = list_devices();
  auto found = match_device(devices, s, dir);
  if (!found) return found.error();
  const DeviceInfo& d = devices[*found];
  if (d.api == "virtual") return make_virtual_device("");
  return make_rtaudio_device(d);
}

}  // namespace sc::audio
