#include "formats/pcm_encode.h"

#include <bit>
#include <cmath>
#include <limits>

namespace sc::formats {

float clip_unit(float x) {
  if (std::isnan(x)) return 0.0f;
  return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x);
}

int32_t to_int32(float x) {
  // Multiplying by a power of two is exact, so this matches libsndfile's float arithmetic.
  const float scaled = x * 2147483648.0f;
  if (!(static_cast<double>(scaled) < 2147483647.0))  // also NaN
    return std::isnan(scaled) ? 0 : std::numeric_limits<int32_t>::max();
  if (static_cast<double>(scaled) <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  // Round to nearest, ties to even, as lrintf does in the default rounding mode: adding and
  // subtracting 1.5 * 2^52 leaves a double with no fraction bits. Inline, unlike lrintf, which
  // GCC calls out of line unless -fno-math-errno: this halves the CPU cost of the stream writer.
  constexpr double kRound = 6755399441055744.0;
  return static_cast<int32_t>((static_cast<double>(scaled) + kRound) - kRound);
}

void encode_le(Codec codec, const float* in, size_t count, unsigned char* out) {
  switch (codec) {
    case Codec::pcm16:
      for (size_t i = 0; i < count; ++i, out += 2) {
        const auto v = static_cast<uint32_t>(to_int32(in[i]) >> 16);
        out[0] = static_cast<unsigned char>(v);
        out[1] = static_cast<unsigned char>(v >> 8);
      }
      return;
    case Codec::pcm24:
      for (size_t i = 0; i < count; ++i, out += 3) {
        const auto v = static_cast<uint32_t>(to_int32(in[i]) >> 8);
        out[0] = static_cast<unsigned char>(v);
        out[1] = static_cast<unsigned char>(v >> 8);
        out[2] = static_cast<unsigned char>(v >> 16);
      }
      return;
    case Codec::pcm32:
    case Codec::float32:
      for (size_t i = 0; i < count; ++i, out += 4) {
        const auto v = codec == Codec::pcm32 ? static_cast<uint32_t>(to_int32(in[i]))
                                             : std::bit_cast<uint32_t>(clip_unit(in[i]));
        out[0] = static_cast<unsigned char>(v);
        out[1] = static_cast<unsigned char>(v >> 8);
        out[2] = static_cast<unsigned char>(v >> 16);
        out[3] = static_cast<unsigned char>(v >> 24);
      }
      return;
  }
}

void clip_floats(const float* in, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = clip_unit(in[i]);
}

}  // namespace sc::formats
