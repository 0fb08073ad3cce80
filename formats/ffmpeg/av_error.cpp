// av_error_text and quiet_ffmpeg_logs (av_handles.h).
#include "formats/ffmpeg/av_handles.h"

namespace sc::formats {

std::string av_error_text(int err) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(err, text, sizeof text) < 0) return "FFmpeg error " + std::to_string(err);
  return text;
}

void quiet_ffmpeg_logs() {
  if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_QUIET);
}

}  // namespace sc::formats
