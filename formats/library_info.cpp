#include "formats/library_info.h"

#include <sndfile.h>

#include <fmt/format.h>

#include "formats/ffmpeg_lib.h"

namespace sc::formats {
namespace {

std::string av_version(unsigned v) {
  return fmt::format("{}.{}.{}", AV_VERSION_MAJOR(v), AV_VERSION_MINOR(v), AV_VERSION_MICRO(v));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> library_versions() {
  // sf_version_string() is "libsndfile-1.2.0"; keep only the number.
  std::string sf = sf_version_string();
  if (auto dash = sf.rfind('-'); dash != std::string::npos) sf = sf.substr(dash + 1);
  std::vector<std::pair<std::string, std::string>> out = {{"libsndfile", sf}};
  // Loaded here for the question (they are not loaded at start-up): one that cannot be
  // loaded says so instead of a version.
  auto av = ffmpeg::avutil();
  out.emplace_back("libavutil", av ? av_version((*av)->version()) : "not loadable");
  auto sw = ffmpeg::swresample();
  out.emplace_back("libswresample", sw ? av_version((*sw)->version()) : "not loadable");
  return out;
}

}  // namespace sc::formats
