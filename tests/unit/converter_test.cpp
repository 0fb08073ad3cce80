// Rate and channel conversion through libswresample.
#include "core/record/converter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/record/file_sequence.h"

namespace sc::record {
namespace {

std::vector<float> sine(double freq, unsigned rate, size_t frames, unsigned channels) {
  std::vector<float> out(frames * channels);
  for (size_t i = 0; i < frames; ++i)
    for (unsigned c = 0; c < channels; ++c)
      out[i * channels + c] =
          static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * freq * i / rate));
  return out;
}

// Frequency from rising zero crossings of channel 0.
double frequency(const std::vector<float>& x, unsigned channels, unsigned rate) {
  std::vector<double> crossings;
  for (size_t i = 1; i < x.size() / channels; ++i) {
    const float a = x[(i - 1) * channels], b = x[i * channels];
    if (a < 0 && b >= 0) crossings.push_back(static_cast<double>(i - 1) + a / (a - b));
  }
  if (crossings.size() < 2) return 0;
  return rate * (crossings.size() - 1) / (crossings.back() - crossings.front());
}

TEST(Converter, IdentityCopiesExactly) {
  auto c = Converter::create(48000, 2, 48000, 2);
  ASSERT_TRUE(c.ok());
  auto in = sine(1000, 48000, 480, 2);
  std::vector<float> out;
  (*c)->convert(in.data(), 480, out);
  EXPECT_EQ(out, in);
}

TEST(Converter, ResamplingKeepsFrequencyAndLength) {
  struct Case {
    unsigned in_rate, out_rate;
  };
  for (auto tc : {Case{48000, 44100}, Case{44100, 48000}, Case{48000, 16000}, Case{8000, 96000}}) {
    SCOPED_TRACE(std::to_string(tc.in_rate) + " -> " + std::to_string(tc.out_rate));
    auto c = Converter::create(tc.in_rate, 2, tc.out_rate, 2);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto in = sine(440, tc.in_rate, tc.in_rate, 2);  // one second
    std::vector<float> out;
    for (size_t off = 0; off < tc.in_rate; off += 1000)
      (*c)->convert(in.data() + off * 2, std::min<size_t>(1000, tc.in_rate - off), out);
    (*c)->flush(out);
    const double frames = static_cast<double>(out.size() / 2);
    EXPECT_NEAR(frames, tc.out_rate, tc.out_rate * 0.002);
    EXPECT_NEAR(frequency(out, 2, tc.out_rate), 440.0, 0.5);
  }
}

TEST(Converter, ChannelMaps) {
  // Stereo to mono: the average.
  auto down = Converter::create(48000, 2, 48000, 1);
  ASSERT_TRUE(down.ok());
  std::vector<float> in = {0.2f, 0.4f, -1.0f, 1.0f}, out;
  (*down)->convert(in.data(), 2, out);
  (*down)->flush(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NEAR(out[0], 0.3f, 1e-6);
  EXPECT_NEAR(out[1], 0.0f, 1e-6);
  // Mono to stereo: duplicated at the same level.
  auto up = Converter::create(48000, 1, 48000, 2);
  ASSERT_TRUE(up.ok());
  std::vector<float> mono = {0.5f, -0.25f}, stereo;
  (*up)->convert(mono.data(), 2, stereo);
  (*up)->flush(stereo);
  ASSERT_EQ(stereo.size(), 4u);
  EXPECT_NEAR(stereo[0], 0.5f, 1e-6);
  EXPECT_NEAR(stereo[1], 0.5f, 1e-6);
  EXPECT_NEAR(stereo[3], -0.25f, 1e-6);
  // Four to two: the first two.
  auto four = Converter::create(48000, 4, 48000, 2);
  ASSERT_TRUE(four.ok());
  std::vector<float> quad = {0.1f, 0.2f, 0.3f, 0.4f}, two;
  (*four)->convert(quad.data(), 1, two);
  (*four)->flush(two);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NEAR(two[0], 0.1f, 1e-6);
  EXPECT_NEAR(two[1], 0.2f, 1e-6);
}

TEST(FileSequence, NumberedPaths) {
  EXPECT_EQ(numbered_path("take.wav", 2), "take-002.wav");
  EXPECT_EQ(numbered_path("dir/take.caf", 13), "dir/take-013.caf");
  EXPECT_EQ(numbered_path("take", 3), "take-003");
}

}  // namespace
}  // namespace sc::record
