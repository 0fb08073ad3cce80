#include "formats/ffmpeg_lib.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <optional>
#include <string>

namespace sc::formats::ffmpeg {
namespace {

// A library opened for good (never closed: its functions are used until exit), or why not.
struct Library {
  void* handle = nullptr;
  std::string soname;
  std::string failure;  // dlerror() of the open, or of the first symbol missing

  explicit Library(std::string name) : soname(std::move(name)) {
    handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) failure = dlerror();
  }

  // Points `fn` at `symbol`; records the first that is missing.
  template <typename Fn>
  void bind(Fn& fn, const char* symbol) {
    if (!handle) return;
    void* p = dlsym(handle, symbol);
    if (!p && failure.empty()) failure = fmt::format("{} has no {}", soname, symbol);
    fn = reinterpret_cast<Fn>(p);
  }

  Error error(std::string_view package) const {
    return make_error(Exit::unavailable, fmt::format("cannot load {}: {}", soname, failure),
                      fmt::format("install it: apt-get install {}", package));
  }
};

std::string soname(const char* base, int major) { return fmt::format("{}.so.{}", base, major); }

}  // namespace

Result<const Avutil*> avutil() {
  static Library lib(soname("libavutil", LIBAVUTIL_VERSION_MAJOR));
  static const Avutil table = [] {
    Avutil t{};
    lib.bind(t.version, "avutil_version");
    lib.bind(t.strerror, "av_strerror");
    lib.bind(t.channel_layout_default, "av_channel_layout_default");
    lib.bind(t.channel_layout_uninit, "av_channel_layout_uninit");
    return t;
  }();
  if (!lib.failure.empty()) return lib.error(fmt::format("libavutil{}", LIBAVUTIL_VERSION_MAJOR));
  return &table;
}

Result<const Swresample*> swresample() {
  static Library lib(soname("libswresample", LIBSWRESAMPLE_VERSION_MAJOR));
  static const Swresample table = [] {
    Swresample t{};
    lib.bind(t.version, "swresample_version");
    lib.bind(t.alloc_set_opts2, "swr_alloc_set_opts2");
    lib.bind(t.set_matrix, "swr_set_matrix");
    lib.bind(t.init, "swr_init");
    lib.bind(t.free, "swr_free");
    lib.bind(t.get_out_samples, "swr_get_out_samples");
    lib.bind(t.convert, "swr_convert");
    return t;
  }();
  if (!lib.failure.empty())
    return lib.error(fmt::format("libswresample{}", LIBSWRESAMPLE_VERSION_MAJOR));
  return &table;
}

}  // namespace sc::formats::ffmpeg
