#include "core/audio/backends.h"

#include <pulse/version.h>

#include "core/audio/rtaudio_module.h"

namespace sc::audio {

std::string pulse_version() { return pa_get_library_version(); }

std::string rtaudio_version() {
  auto module = rtaudio_module();
  return module ? (*module)->version() : "not loadable";
}

std::vector<std::string> compiled_apis() {
  std::vector<std::string> out;
  auto module = rtaudio_module();
  if (!module) return out;
  const char* names[8] = {};
  const size_t n = (*module)->compiled_apis(names, std::size(names));
  for (size_t i = 0; i < n && i < std::size(names); ++i) out.emplace_back(names[i]);
  return out;
}

}  // namespace sc::audio
