// The sample encoder of the writers (formats/pcm_encode.h) against an independent statement
// of libsndfile's conversion: scale by 2^31 in double, clip, lrint, keep the top bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "formats/pcm_encode.h"

namespace sc::formats {
namespace {

int32_t reference_int32(float x) {
  if (std::isnan(x)) return 0;
  const double s = static_cast<double>(x) * 2147483648.0;
  if (s >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (s <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(std::lrint(s));
}

// The bytes `codec` stores for `x`, in the order asked for.
std::vector<unsigned char> reference_bytes(Codec codec, float x, bool big_endian) {
  uint32_t v = 0;
  size_t n = sample_bytes(codec);
  switch (codec) {
    case Codec::pcm16:
      v = static_cast<uint32_t>(reference_int32(x) >> 16);
      break;
    case Codec::pcm24:
      v = static_cast<uint32_t>(reference_int32(x) >> 8);
      break;
    case Codec::pcm32:
      v = static_cast<uint32_t>(reference_int32(x));
      break;
    case Codec::float32: {
      const float c = std::isnan(x) ? 0.0f : std::fmax(-1.0f, std::fmin(1.0f, x));
      std::memcpy(&v, &c, sizeof v);
      break;
    }
    default:  // packet codecs: not pcm_encode's
      ADD_FAILURE() << "not a PCM codec";
  }
  std::vector<unsigned char> out(n);
  for (size_t b = 0; b < n; ++b)
    out[big_endian ? n - 1 - b : b] = static_cast<unsigned char>(v >> (8 * b));
  return out;
}

// Values where rounding, clipping and NaN matter, then noise past full scale.
std::vector<float> samples() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f,
                          -0.0f,
                          1.0f,
                          -1.0f,
                          0.5f,
                          -0.5f,
                          1.5f,
                          -1.5f,
                          inf,
                          -inf,
                          1e-10f,
                          -1e-10f,
                          std::nanf(""),
                          std::nextafter(1.0f, 0.0f),
                          std::nextafter(-1.0f, -2.0f),
                          1.0f / 32768,
                          -1.0f / 32768,
                          std::numeric_limits<float>::denorm_min()};
  // x * 2^31 just either side of a pcm16 step (k * 65536 +- 0.5 and +- 1).
  for (int k : {-32768, -2, -1, 0, 1, 2, 32767})
    for (double d : {-1.0, -0.5, 0.5, 1.0})
      v.push_back(static_cast<float>((k * 65536.0 + d) / 2147483648.0));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  for (int i = 0; i < 4099; ++i) v.push_back(u(rng));  // not a multiple of 8: a tail too
  return v;
}

TEST(PcmEncode, MatchesLibsndfilesConversionForEveryCodecAndByteOrder) {
  const auto in = samples();
  for (Codec codec : {Codec::pcm16, Codec::pcm24, Codec::pcm32, Codec::float32}) {
    for (bool big_endian : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "codec " << static_cast<int>(codec)
                                        << (big_endian ? " big-endian" : " little-endian"));
      const size_t n = sample_bytes(codec);
      std::vector<unsigned char> out(in.size() * n);
      encode(codec, in.data(), in.size(), out.data(), big_endian);
      size_t wrong = 0;
      for (size_t i = 0; i < in.size(); ++i) {
        const auto want = reference_bytes(codec, in[i], big_endian);
        if (!std::equal(want.begin(), want.end(), out.begin() + static_cast<long>(i * n))) {
          if (++wrong <= 5) ADD_FAILURE() << "sample " << i << " = " << in[i];
        }
      }
      EXPECT_EQ(wrong, 0u);
    }
  }
}

TEST(PcmEncode, Pcm16EndsAtTheRightPlaceForEveryLength) {
  // The vector loop does 8 at a time; every length up to 17 exercises its tail.
  for (size_t count = 0; count <= 17; ++count) {
    std::vector<float> in(count, 0.25f);
    std::vector<unsigned char> out(2 * count + 2, 0xAB);
    encode(Codec::pcm16, in.data(), count, out.data(), false);
    for (size_t i = 0; i < count; ++i) {
      EXPECT_EQ(out[2 * i], 0x00) << count;
      EXPECT_EQ(out[2 * i + 1], 0x20) << count;  // 0.25 * 32768 = 8192 = 0x2000
    }
    EXPECT_EQ(out[2 * count], 0xAB) << "wrote past the end for " << count;
  }
}

}  // namespace
}  // namespace sc::formats
