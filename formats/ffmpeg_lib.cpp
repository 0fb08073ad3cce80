#include "formats/ffmpeg_lib.h"

#include <fmt/format.h>

#include <string>

#include "core/common/shared_library.h"

namespace sc::formats::ffmpeg {
namespace {

std::string soname(const char* base, int major) { return fmt::format("{}.so.{}", base, major); }

}  // namespace

Result<const Avutil*> avutil() {
  static SharedLibrary lib(soname("libavutil", LIBAVUTIL_VERSION_MAJOR));
  static const Avutil table = [] {
    Avutil t{};
    lib.bind(t.version, "avutil_version");
    lib.bind(t.strerror, "av_strerror");
    lib.bind(t.channel_layout_default, "av_channel_layout_default");
    lib.bind(t.channel_layout_uninit, "av_channel_layout_uninit");
    return t;
  }();
  if (!lib.ok()) return lib.error(fmt::format("libavutil{}", LIBAVUTIL_VERSION_MAJOR));
  return &table;
}

Result<const Swresample*> swresample() {
  static SharedLibrary lib(soname("libswresample", LIBSWRESAMPLE_VERSION_MAJOR));
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
  if (!lib.ok()) return lib.error(fmt::format("libswresample{}", LIBSWRESAMPLE_VERSION_MAJOR));
  return &table;
}

}  // namespace sc::formats::ffmpeg
