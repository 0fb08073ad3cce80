#include "formats/library_info.h"

#include <sndfile.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/log.h>
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
  out.emplace_back("libavcodec", av_version(avcodec_version()));
  out.emplace_back("libavformat", av_version(avformat_version()));
  return out;
}

void set_library_logging(bool verbose) {
  av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
}

}  // namespace sc::formats
