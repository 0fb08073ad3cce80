#include "formats/library_info.h"

#include <sndfile.h>

extern "C" {
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
}

#include <fmt/format.h>

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
  out.emplace_back("libavutil", av_version(avutil_version()));
  out.emplace_back("libswresample", av_version(swresample_version()));
  return out;
}

}  // namespace sc::formats
