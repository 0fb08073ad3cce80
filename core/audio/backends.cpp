#include "core/audio/backends.h"

#include <rtaudio/RtAudio.h>

#include "core/audio/pulse_lib.h"

namespace sc::audio {

std::string pulse_version() {
  auto pa = pulse::lib();  // loaded here for the question (it is not loaded at start-up)
  return pa ? (*pa)->get_library_version() : "not loadable";
}

std::string rtaudio_version() { return RtAudio::getVersion(); }

std::vector<std::string> compiled_apis() {
  std::vector<RtAudio::Api> apis;
  RtAudio::getCompiledApi(apis);
  std::vector<std::string> out;
  for (auto api : apis) out.push_back(RtAudio::getApiName(api));
  return out;
}

}  // namespace sc::audio
