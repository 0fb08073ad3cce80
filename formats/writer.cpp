#include "formats/writer.h"

#include <algorithm>

#include "core/common/pcm16.h"

namespace sc::formats {

Status Writer::write_s16(const int16_t* interleaved, size_t frames) {
  const size_t channels = spec().channels;
  constexpr size_t kPiece = 4096;  // samples widened at a time, on the stack
  if (channels > kPiece) {         // cannot happen (kMaxChannels 1024), but never overrun `wide`
    return make_error(Exit::internal, "too many channels for a 16-bit write");
  }
  float wide[kPiece];
  const size_t piece = kPiece / channels;
  while (frames > 0) {
    const size_t n = std::min(piece, frames);
    widen_s16(interleaved, n * channels, wide);
    if (Status s = write(wide, n); !s) return s;
    interleaved += n * channels;
    frames -= n;
  }
  return ok_status();
}

}  // namespace sc::formats
