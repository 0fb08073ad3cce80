#include "core/audio/rtaudio/quiet_libs.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>

#include <cstdlib>
#include <mutex>

namespace sc::audio::rt {
namespace {

// libasound's handler is variadic (printf-like); everything is dropped.
void silent_alsa(const char*, int, const char*, int, const char*, ...) {}

void silent_jack(const char*) {}

}  // namespace

void quiet_audio_libraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    snd_lib_error_set_handler(&silent_alsa);
    setenv("JACK_NO_START_SERVER", "1", /*overwrite=*/0);
    jack_set_error_function(&silent_jack);
    jack_set_info_function(&silent_jack);
  });
}

}  // namespace sc::audio::rt
