#include "core/audio/backends.h"

#include <pulse/version.h>
#include <rtaudio/RtAudio.h>

namespace sc::audio {

std::string pulse_version() { return pa_get_library_version(); }

std::string rtaudio_version() { return RtAudio::getVersion(); }

std::vector<std::string> compiled_apis() {
  std::vector<RtAudio::Api> apis;
  RtAudio::getCompiledApi(apis);
  std::vector<std::string> out;
  for (auto api : apis) out.push_back(RtAudio::getApiName(api));
  return out;
}

}  // namespace sc::audio
