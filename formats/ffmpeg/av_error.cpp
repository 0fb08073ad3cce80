// av_error_text (av_handles.h).
#include "formats/ffmpeg/av_handles.h"

namespace sc::formats {

std::string av_error_text(int err) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(err, text, sizeof text) < 0) return "FFmpeg error " + std::to_string(err);
  return text;
}

}  // namespace sc::formats
