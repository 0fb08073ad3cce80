#include "formats/pcm_encode.h"

#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sc::formats {

float clip_unit(float x) {
  x = x > 1.0f ? 1.0f : x;  // NaN stays NaN here
  x = x < -1.0f ? -1.0f : x;
  return x == x ? x : 0.0f;
}

int32_t to_int32(float x) {
  // Multiplying by a power of two is exact, so this matches libsndfile's float arithmetic:
  // scale, clip to the int32 range, round to nearest with ties to even (as lrintf does in the
  // default rounding mode). Written without branches so that the encoders' loops vectorize.
  double d = static_cast<double>(x * 2147483648.0f);
  d = d > 2147483647.0 ? 2147483647.0 : d;    // NaN stays NaN here
  d = d < -2147483648.0 ? -2147483648.0 : d;  // and here
  d = d == d ? d : 0.0;                       // NaN gives 0 (libsndfile: full-scale negative)
  // Adding and subtracting 1.5 * 2^52 leaves a double with no fraction bits: rounding inline,
  // unlike lrintf, which GCC calls out of line unless -fno-math-errno.
  constexpr double kRound = 6755399441055744.0;
  return static_cast<int32_t>((d + kRound) - kRound);
}

namespace {

// The `bytes` low bytes of `v`, least significant first (little-endian) or last.
template <size_t Bytes, bool BigEndian>
inline void store(uint32_t v, unsigned char* out) {
  for (size_t b = 0; b < Bytes; ++b)
    out[BigEndian ? Bytes - 1 - b : b] = static_cast<unsigned char>(v >> (8 * b));
}

#if defined(__SSE2__)
// pcm16 eight samples at a time, with the same results as to_int32() >> 16: cvtps2dq rounds
// to nearest with ties to even (the MXCSR default, as lrintf) and gives INT32_MIN for what is
// out of range or NaN, which is then set right. Written with SSE2 intrinsics (every x86-64
// has them) because GCC does not vectorize lrintf, and pcm16 is what most recordings are.
// Returns how many samples it did (a multiple of 8); the caller does the rest.
template <bool BigEndian>
size_t encode_pcm16_sse2(const float* in, size_t count, unsigned char* out) {
  const __m128 scale = _mm_set1_ps(2147483648.0f);
  const auto convert = [&](const float* p) {
    const __m128 y = _mm_mul_ps(_mm_loadu_ps(p), scale);
    __m128i i = _mm_cvtps_epi32(y);
    // y >= 2^31 gave INT32_MIN: flipping every bit makes it INT32_MAX.
    i = _mm_xor_si128(i, _mm_castps_si128(_mm_cmpge_ps(y, scale)));
    i = _mm_andnot_si128(_mm_castps_si128(_mm_cmpunord_ps(y, y)), i);  // NaN gives 0
    return _mm_srai_epi32(i, 16);
  };
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m128i v = _mm_packs_epi32(convert(in + i), convert(in + i + 4));  // in range: exact
    if constexpr (BigEndian) v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i), v);
  }
  return i;
}
#endif

template <bool BigEndian>
void encode_as(Codec codec, const float* in, size_t count, unsigned char* out) {
  switch (codec) {
    case Codec::pcm16:
#if defined(__SSE2__)
      if constexpr (std::endian::native == std::endian::little) {
        const size_t done = encode_pcm16_sse2<BigEndian>(in, count, out);
        in += done;
        count -= done;
        out += 2 * done;
      }
#endif
      for (size_t i = 0; i < count; ++i, out += 2)
        store<2, BigEndian>(static_cast<uint32_t>(to_int32(in[i]) >> 16), out);
      return;
    case Codec::pcm24:
      for (size_t i = 0; i < count; ++i, out += 3)
        store<3, BigEndian>(static_cast<uint32_t>(to_int32(in[i]) >> 8), out);
      return;
    case Codec::pcm32:
      for (size_t i = 0; i < count; ++i, out += 4)
        store<4, BigEndian>(static_cast<uint32_t>(to_int32(in[i])), out);
      return;
    case Codec::float32:
      for (size_t i = 0; i < count; ++i, out += 4)
        store<4, BigEndian>(std::bit_cast<uint32_t>(clip_unit(in[i])), out);
      return;
    case Codec::aac:  // packets, not samples: PacketEncoder's
    case Codec::alac:
    case Codec::alac24:
      return;
  }
}

}  // namespace

void encode(Codec codec, const float* in, size_t count, unsigned char* out, bool big_endian) {
  if (big_endian)
    encode_as<true>(codec, in, count, out);
  else
    encode_as<false>(codec, in, count, out);
}

}  // namespace sc::formats
