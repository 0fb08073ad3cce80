#include "core/audio/quiet_libs.h"

#include <alsa/asoundlib.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace sc::audio {
namespace {

// libasound's handler is variadic (printf-like); everything is dropped.
void silent_alsa(const char*, int, const char*, int, const char*, ...) {}

void silent_jack(const char*) {}

using JackMessageSetter = void (*)(void (*)(const char*));

// libjack is a dependency of librtaudio, so it is normally loaded already. It is looked up
// at run time rather than linked, so that a build without JACK's headers works the same.
void quiet_jack() {
  void* lib = dlopen("libjack.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (!lib) return;
  for (const char* fn : {"jack_set_error_function", "jack_set_info_function"}) {
    if (void* sym = dlsym(lib, fn)) {
      JackMessageSetter set;
      static_assert(sizeof(set) == sizeof(sym));
      __builtin_memcpy(&set, &sym, sizeof(set));  // object pointer to function pointer
      set(&silent_jack);
    }
  }
  dlclose(lib);  // drops only the reference NOLOAD took
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

}  // namespace sc::audio

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's built-in suppressions for sanitizer builds (CI runs them with
// detect_leaks=1). RtAudio 5.2 drops the pa_operation references its PulseAudio device
// listing gets (and libpulse recycles operation objects through a free list, so such a leak
// is reported at whichever caller first allocated the block, often ours): not our leaks,
// and not ones we can fix.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpulse.so\n"
         "leak:librtaudio.so\n";
}
// ...and without a report of the suppressions used on stderr, which commands keep for
// their own messages.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif
