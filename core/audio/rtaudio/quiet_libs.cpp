#include "core/audio/rtaudio/quiet_libs.h"

#include <alsa/asoundlib.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace sc::audio::rt {
namespace {

// libasound's handler is variadic (printf-like); everything is dropped.
void silent_alsa(const char*, int, const char*, int, const char*, ...) {}

void silent_jack(const char*) {}

using JackMessageSetter = void (*)(void (*)(const char*));

// libjack is a dependency of librtaudio, which soundcheck links, so it is loaded with the
// program. Its functions are looked up at run time rather than linked, so that a build
// without JACK's headers works the same.
void quiet_jack() {
  for (const char* fn : {"jack_set_error_function", "jack_set_info_function"}) {
    if (void* sym = dlsym(RTLD_DEFAULT, fn)) {
      JackMessageSetter set;
      static_assert(sizeof(set) == sizeof(sym));
      __builtin_memcpy(&set, &sym, sizeof(set));  // object pointer to function pointer
      set(&silent_jack);
    }
  }
}

}  // namespace

void quiet_audio_libraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    snd_lib_error_set_handler(&silent_alsa);
    setenv("JACK_NO_START_SERVER", "1", /*overwrite=*/0);
    quiet_jack();
  });
}

}  // namespace sc::audio::rt
