// The virtual device's signal generator and clock arithmetic (virtual_signal.h), far from
// the stream start where accumulated errors would show.
#include "core/audio/virtual/signal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace sc::audio {
namespace {

using namespace std::chrono_literals;

TEST(VirtualClock, FramesAndTimesAgree) {
  EXPECT_EQ(frames_at_or_after(0ns, 48000), 0u);
  EXPECT_EQ(frames_at_or_after(-5s, 48000), 0u);
  EXPECT_EQ(frames_at_or_after(1s, 48000), 48000u);
  EXPECT_EQ(frames_at_or_after(1s + 1ns, 48000), 48001u);
  EXPECT_EQ(frames_at_or_after(100300us, 48000), 4815u);
  EXPECT_EQ(frames_at_or_after(10h, 768000), 27'648'000'000u);
  EXPECT_EQ(frame_time(0ns, 48000, 48000), 1s);
  EXPECT_EQ(frame_time(2s, 44100, 1), 2s + 22675ns);  // floor(1e9 / 44100)
  EXPECT_EQ(frame_time(0ns, 768000, 27'648'000'000u), 10h);
  // A frame is at or after T exactly when its index is at least frames_at_or_after(T).
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    const unsigned rate = 1000 + static_cast<unsigned>(rng() % 767001);
    const Duration d(static_cast<int64_t>(rng() % 400'000'000'000'000ULL));
    const uint64_t k = frames_at_or_after(d, rate);
    ASSERT_GE(frame_time(0ns, rate, k), d) << rate << " " << d.count();
    ASSERT_LT(frame_time(0ns, rate, k - 1), d) << rate << " " << d.count();
  }
}

TEST(VirtualClock, SplitMix64) {
  // The published first outputs for seed 0 and seed 1234567.
  EXPECT_EQ(splitmix64_nth(0, 0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64_nth(1234567, 0), 6457827717110365317ULL);
  EXPECT_EQ(splitmix64_nth(1234567, 1), 3203168211198807973ULL);
}

constexpr long double kTwoPiL = 2 * std::numbers::pi_v<long double>;

__extension__ using u128 = unsigned __int128;  // for exact phase references

// Sine of the double `f` at `rate`, frame k: f k / rate mod 1 in exact integer arithmetic
// (f = m / 2^s exactly, m a 53-bit integer).
long double sine_ref(double f, unsigned rate, uint64_t k, double amp) {
  int e = 0;
  const double m = std::frexp(f, &e);
  const auto mant = static_cast<u128>(std::ldexp(m, 53));
  const u128 den = static_cast<u128>(rate) << (53 - e);
  const auto num = static_cast<long double>(static_cast<uint64_t>(mant * k % den));
  return amp * std::sin(kTwoPiL * num / static_cast<long double>(static_cast<uint64_t>(den)));
}

struct Errors {
  double formula = 0;  // against the reference
  double direct = 0;   // against sample(k), evaluated without the recurrence
};

// Generates `frames` frames from k0 in double and measures them.
template <typename Ref>
Errors errors(const SignalGenerator& gen, uint64_t k0, size_t frames, Ref ref) {
  std::vector<double> out(frames);
  gen.fill(out.data(), k0, frames, 1);
  Errors e;
  for (size_t j = 0; j < frames; ++j) {
    e.formula = std::max(e.formula, static_cast<double>(std::abs(out[j] - ref(k0 + j))));
    e.direct = std::max(e.direct, std::abs(out[j] - gen.sample(k0 + j)));
  }
  return e;
}

TEST(VirtualGenerator, SineStaysExactAfterTenHours) {
  const uint64_t ten_hours = 10ULL * 3600 * 48000;
  for (double f : {1000.0, 997.3, 23999.9}) {
    VirtualSpec spec;
    spec.frequency = f;
    spec.level_dbfs = 0;
    SignalGenerator gen(spec, 20000);
    const auto ref = [&](uint64_t k) { return sine_ref(f, 48000, k, 1); };
    const Errors near = errors(gen, 0, 4800, ref);
    const Errors far = errors(gen, ten_hours - 2400, 4800, ref);
    std::printf("[ error    ] sine %g Hz: %.1e at 0, %.1e after 10 h (%.1e from direct)\n", f,
                near.formula, far.formula, far.direct);
    EXPECT_LT(near.formula, 1e-10);
    EXPECT_LT(far.formula, 1e-10);
    EXPECT_LT(far.direct, 1e-10);
  }
}

TEST(VirtualGenerator, SegmentsStartAtTheirTime) {
  VirtualSpec spec;
  spec.frequency = 1000;
  SignalGenerator gen(spec, 20000);
  gen.begin_segment(1500ms + 1ns, 44100);  // frame k at 1.500000001 + k / 44100
  const double a = std::pow(10.0, -6.0 / 20);
  const Errors err = errors(gen, 7, 2000, [&](uint64_t k) {
    const long double t = 1.500000001L + static_cast<long double>(k) / 44100;
    return a * std::sin(kTwoPiL * (1000 * t - std::floor(1000 * t)));
  });
  EXPECT_LT(err.formula, 1e-10);
}

TEST(VirtualGenerator, ChirpStaysExactAfterTenHours) {
  VirtualSpec spec;
  spec.signal = VirtualSignal::chirp;
  const double top = 0.45 * 44100;
  SignalGenerator gen(spec, top);
  gen.begin_segment(0s, 44100);
  const double a = std::pow(10.0, -6.0 / 20);
  const auto ref = [&](uint64_t k) {
    const long double tau = static_cast<long double>(k % 44100) / 44100;
    const long double cycles = 20 * tau + (top - 20) * tau * tau / 2;
    return a * std::sin(kTwoPiL * (cycles - std::floor(cycles)));
  };
  const uint64_t ten_hours = 10ULL * 3600 * 44100;
  const Errors near = errors(gen, 0, 3 * 44100, ref);
  const Errors far = errors(gen, ten_hours - 30000, 60000, ref);
  std::printf("[ error    ] chirp: %.1e at 0, %.1e after 10 h (%.1e from direct)\n", near.formula,
              far.formula, far.direct);
  EXPECT_LT(near.formula, 1e-10);
  EXPECT_LT(far.formula, 1e-10);
  EXPECT_LT(far.direct, 1e-10);
}

TEST(VirtualGenerator, NoiseIndexFollowsTheSegment) {
  VirtualSpec spec;
  spec.signal = VirtualSignal::noise;
  spec.seed = 42;
  spec.level_dbfs = 0;
  SignalGenerator gen(spec, 20000);
  gen.begin_segment(1s + 1ns, 48000);  // ceil(48000.000048) = 48001
  std::vector<float> out(8 * 3);
  gen.fill(out.data(), 5, 8, 3);
  for (size_t j = 0; j < 8; ++j) {
    const double want = static_cast<double>(splitmix64_nth(42, 48001 + 5 + j) >> 11) / 0x1p52 - 1;
    for (size_t c = 0; c < 3; ++c) EXPECT_EQ(out[j * 3 + c], static_cast<float>(want));
  }
}

}  // namespace
}  // namespace sc::audio
