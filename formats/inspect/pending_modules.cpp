// TEMPORARY: a stand-in for the MP4 module (formats/ffmpeg/mp4_repair.cpp) until it lands;
// this file is deleted when it does. Until then an M4A is read as any other file (FFmpeg,
// then libsndfile) and reported finalized, and nothing about it is repaired.
#include <fmt/format.h>

#include "formats/inspect/modules.h"

namespace sc::formats {
namespace {

Error not_yet(const std::string& path, const char* what) {
  return make_error(Exit::data,
                    fmt::format("cannot repair '{}': {} repair is not supported yet", path, what),
                    "");
}

}  // namespace

Result<FileInfo> inspect_mp4(const std::string& path) {
  auto info = inspect_generic(path);
  if (info && info->format == "mov") info->format = "m4a";
  return info;
}

Result<std::string> repair_mp4(const std::string& path, const std::string&) {
  return not_yet(path, "MP4");
}

}  // namespace sc::formats
