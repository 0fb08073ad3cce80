#include "core/audio/rtaudio_module.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#ifndef SOUNDCHECK_MODULE_SUBDIR
#define SOUNDCHECK_MODULE_SUBDIR "lib/soundcheck"
#endif

namespace sc::audio {
namespace {

// The directory of the running program, from /proc/self/exe; empty if unknown.
std::string program_dir() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<size_t>(n) >= path.size()) return {};
  path.resize(static_cast<size_t>(n));
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::vector<std::string> candidates() {
  if (const char* dir = std::getenv("SOUNDCHECK_MODULE_DIR"); dir && *dir)
    return {fmt::format("{}/{}", dir, SC_RTAUDIO_FILE)};
  const std::string dir = program_dir();
  if (dir.empty()) return {};
  return {fmt::format("{}/{}", dir, SC_RTAUDIO_FILE),
          fmt::format("{}/../{}/{}", dir, SOUNDCHECK_MODULE_SUBDIR, SC_RTAUDIO_FILE)};
}

// Loads the first candidate that exists; the table, or every failure in `why`.
const sc_rt_module* load(std::string& why) {
  const auto paths = candidates();
  if (paths.empty()) why = "cannot tell where this program is (/proc/self/exe)";
  for (const auto& path : paths) {
    if (access(path.c_str(), F_OK) != 0) {
      why += fmt::format("{}{}: not found", why.empty() ? "" : "; ", path);
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      why += fmt::format("{}{}", why.empty() ? "" : "; ", dlerror());
      continue;
    }
    void* entry = dlsym(handle, SC_RTAUDIO_ENTRY);
    if (!entry) {
      why += fmt::format("{}{}: no {} (a module of another soundcheck version)",
                         why.empty() ? "" : "; ", path, SC_RTAUDIO_ENTRY);
      dlclose(handle);
      continue;
    }
    sc_rt_entry fn;
    static_assert(sizeof(fn) == sizeof(entry));
    __builtin_memcpy(&fn, &entry, sizeof(fn));  // object pointer to function pointer
    return fn();
  }
  return nullptr;
}

}  // namespace

Result<const sc_rt_module*> rtaudio_module() {
  static std::string why;
  static const sc_rt_module* const module = load(why);
  if (module) return module;
  return make_error(Exit::unavailable,
                    fmt::format("ALSA and JACK devices need {}, which cannot be loaded: {}",
                                SC_RTAUDIO_FILE, why),
                    "reinstall soundcheck (cmake --install), or point SOUNDCHECK_MODULE_DIR at "
                    "the directory that holds it");
}

}  // namespace sc::audio
