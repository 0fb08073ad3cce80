#include "formats/writer.h"

#include <algorithm>

namespace sc::formats {

Status Writer::write_s16(const int16_t* interleaved, size_t frames) {
  const size_t channels = spec().channels;
  constexpr size_t kPiece = 4096;  // samples widened at a time, on the stack
  float wide[kPiece];
  const size_t piece = std::max<size_t>(1, kPiece / channels);
  if (channels > kPiece) {  // cannot happen (kMaxChannels 1024), but never overrun `wide`
    return make_error(Exit::internal, "too many channels for a 16-bit write");
  }
  while (frames > 0) {
    const size_t n = std::min(piece, frames);
    for (size_t i = 0; i < n * channels; ++i)
      wide[i] = static_cast<float>(interleaved[i]) * (1.0f / 32768.0f);
    if (Status s = write(wide, n); !s) return s;
    interleaved += n * channels;
    frames -= n;
  }
  return ok_status();
}

}  // namespace sc::formats
