// The route test's signal and analysis on synthetic captures: delays (whole and fractional
// frames), gains, noise, distortion, dropouts (frames lost, zeros inserted), silence; and the
// engine (loop_test.h) on the virtual loop device.
#include "core/route/analysis.h"

#include "core/audio/virtual/device.h"
#include "core/route/loop_test.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace sc::route {
namespace {

using std::chrono::milliseconds;
using std::numbers::pi;

TestPlan default_plan() {
  auto plan = plan_for(milliseconds(2500), 48000);
  EXPECT_TRUE(plan.ok());
  return *plan;
}

// `signal` delayed by `delay` frames (a fraction through a Blackman-windowed sinc of 2 x 64
// taps), scaled by `gain_db`, as long as the signal.
std::vector<float> delayed(const std::vector<float>& signal, double delay, double gain_db) {
  const double g = std::pow(10.0, gain_db / 20);
  std::vector<float> out(signal.size(), 0.0f);
  const long whole = static_cast<long>(std::floor(delay));
  const double frac = delay - static_cast<double>(whole);
  const long n = static_cast<long>(signal.size());
  if (frac == 0) {
    for (long i = 0; i < n; ++i)
      if (i - whole >= 0 && i - whole < n)
        out[static_cast<size_t>(i)] =
            static_cast<float>(g * signal[static_cast<size_t>(i - whole)]);
    return out;
  }
  constexpr long kHalf = 64;
  std::vector<double> h(2 * kHalf);
  for (long k = -kHalf + 1; k <= kHalf; ++k) {
    const double x = static_cast<double>(k) - frac;  // out[i] = sum signal[i - whole - k] h(k)
    const double sinc = std::sin(pi * x) / (pi * x);
    const double w = (x + kHalf) / (2.0 * kHalf);
    const double blackman = 0.42 - 0.5 * std::cos(2 * pi * w) + 0.08 * std::cos(4 * pi * w);
    h[static_cast<size_t>(k + kHalf - 1)] = sinc * blackman;
  }
  for (long i = 0; i < n; ++i) {
    double acc = 0;
    for (long k = -kHalf + 1; k <= kHalf; ++k) {
      const long j = i - whole - k;
      if (j >= 0 && j < n)
        acc += signal[static_cast<size_t>(j)] * h[static_cast<size_t>(k + kHalf - 1)];
    }
    out[static_cast<size_t>(i)] = static_cast<float>(g * acc);
  }
  return out;
}

// White Gaussian noise at `dbfs` (RMS, a full-scale sine being 0 dBFS), deterministic.
void add_noise(std::vector<float>& x, double dbfs, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> d(0, std::pow(10.0, (dbfs - 3.0103) / 20));
  for (auto& v : x) v += static_cast<float>(d(gen));
}

std::string list(const std::vector<Dropout>& ds) {
  std::string out;
  for (const auto& d : ds)
    out += " (" + std::to_string(d.at_s) + " s, " + std::to_string(d.shift_frames) + ")";
  return out;
}

size_t frame_at(double seconds) { return static_cast<size_t>(std::llround(seconds * 48000)); }

TEST(RoutePlan, PartsInTheDefaultProportions) {
  const auto plan = default_plan();
  const auto f = frames_of(plan);
  EXPECT_EQ(f.silence, 24000u);
  EXPECT_EQ(f.tone, 24000u);
  EXPECT_EQ(f.sweep, 48000u);
  EXPECT_EQ(f.tail, 24000u);
  EXPECT_EQ(f.total(), 120000u);
  EXPECT_EQ(plan_for(std::chrono::seconds(5), 44100)->sweep, std::chrono::seconds(2));
  for (auto bad : {milliseconds(999), milliseconds(60001), milliseconds(0)}) {
    auto p = plan_for(bad, 48000);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().exit, Exit::usage);
  }
}

TEST(RoutePlan, SignalIsSilenceToneSweepTailWithFades) {
  const auto plan = default_plan();
  const auto f = frames_of(plan);
  const auto s = test_signal(plan);
  ASSERT_EQ(s.size(), f.total());
  const double amp = std::pow(10.0, -6.0 / 20);
  auto peak = [&](size_t from, size_t to) {
    float p = 0;
    for (size_t i = from; i < to; ++i) p = std::max(p, std::abs(s[i]));
    return p;
  };
  EXPECT_EQ(peak(0, f.silence), 0.0f);
  EXPECT_NEAR(peak(f.tone_at(), f.sweep_at()), amp, 1e-4);
  EXPECT_NEAR(peak(f.sweep_at(), f.sweep_at() + f.sweep), amp, 1e-3);
  EXPECT_EQ(peak(f.sweep_at() + f.sweep, f.total()), 0.0f);
  // Fades: each part starts and ends near zero, with no step.
  EXPECT_LT(std::abs(s[f.tone_at()]), 1e-3);
  EXPECT_LT(std::abs(s[f.sweep_at() - 1]), 1e-3);
  EXPECT_LT(std::abs(s[f.sweep_at()]), 1e-3);
  EXPECT_LT(std::abs(s[f.sweep_at() + f.sweep - 1]), 1e-3);
}

struct DelayCase {
  double delay_ms;
  double gain_db;
};

TEST(RouteAnalysis, LatencyAndGainOfCleanCaptures) {
  const auto plan = default_plan();
  const auto signal = test_signal(plan);
  for (const DelayCase c : {DelayCase{0, 0}, DelayCase{5, 0}, DelayCase{7.3, 0}, DelayCase{20, 0},
                            DelayCase{100, 0}, DelayCase{0, -6}, DelayCase{5, -6},
                            DelayCase{7.3, -6}, DelayCase{20, -6}, DelayCase{100, -6}}) {
    SCOPED_TRACE(testing::Message() << "delay " << c.delay_ms << " ms, gain " << c.gain_db);
    const auto cap = delayed(signal, c.delay_ms * 48, c.gain_db);
    const auto m = analyze(plan, cap);
    ASSERT_FALSE(m.no_signal) << *m.no_signal;
    EXPECT_NEAR(m.latency_ms, c.delay_ms, 0.01);
    EXPECT_NEAR(m.gain_db, c.gain_db, 0.05);
    EXPECT_LT(m.noise_dbfs, -120);
    EXPECT_LT(m.thdn_db, -80);
    EXPECT_TRUE(m.dropouts.empty()) << list(m.dropouts);
  }
}

TEST(RouteAnalysis, NoiseFloorAtMinus60) {
  const auto plan = default_plan();
  const auto signal = test_signal(plan);
  for (const DelayCase c : {DelayCase{0, 0}, DelayCase{7.3, -6}, DelayCase{100, -20}}) {
    SCOPED_TRACE(testing::Message() << "delay " << c.delay_ms << " ms, gain " << c.gain_db);
    auto cap = delayed(signal, c.delay_ms * 48, c.gain_db);
    add_noise(cap, -60, 7);
    const auto m = analyze(plan, cap);
    ASSERT_FALSE(m.no_signal) << *m.no_signal;
    EXPECT_NEAR(m.noise_dbfs, -60, 1.0);
    EXPECT_NEAR(m.latency_ms, c.delay_ms, 0.02);
    EXPECT_NEAR(m.gain_db, c.gain_db, 0.1);
    EXPECT_TRUE(m.dropouts.empty());
    // The tone at -6 dBFS + gain, the noise at -60 dBFS over the whole band.
    EXPECT_NEAR(m.thdn_db, -60 - (-6 + c.gain_db), 1.0);
  }
}

// y = x - c x^3: a sine of peak A comes out as (A - 3cA^3/4) sin + (cA^3/4) sin 3wt.
TEST(RouteAnalysis, ThdnOfAThirdHarmonic) {
  const auto plan = default_plan();
  const auto signal = test_signal(plan);
  const double A = std::pow(10.0, -6.0 / 20);
  for (double target_db : {-20.0, -30.0, -50.0}) {
    SCOPED_TRACE(testing::Message() << "THD " << target_db << " dB");
    const double ratio = std::pow(10.0, target_db / 20);
    const double q = ratio / (1 + 3 * ratio);  // c A^2 / 4
    const double c = 4 * q / (A * A);
    auto cap = delayed(signal, 20 * 48, 0);
    for (auto& v : cap) v = static_cast<float>(v - c * v * v * v);
    const auto m = analyze(plan, cap);
    ASSERT_FALSE(m.no_signal);
    EXPECT_NEAR(m.thdn_db, target_db, 1.0);
    EXPECT_NEAR(m.gain_db, 20 * std::log10(1 - 3 * q), 0.1);
    EXPECT_NEAR(m.latency_ms, 20, 0.05);
    EXPECT_TRUE(m.dropouts.empty());
  }
}

// A capture clock a little off (200 ppm): the fitted frequency follows it.
TEST(RouteAnalysis, ThdnOfAToneSlightlyOffFrequency) {
  auto plan = default_plan();
  plan.tone_hz = 1000.2;
  const auto played = test_signal(plan);
  plan.tone_hz = 1000;
  const auto m = analyze(plan, delayed(played, 240, 0));
  EXPECT_LT(m.thdn_db, -80);
  EXPECT_NEAR(m.gain_db, 0, 0.05);
}

struct DropoutCase {
  double delay_ms;
  double at_s;  // in the capture
  long frames;  // + removed, - zeros inserted
};

TEST(RouteAnalysis, OneDropoutWhereFramesWereLostOrInserted) {
  const auto plan = default_plan();
  const auto signal = test_signal(plan);
  for (const DropoutCase c :
       {DropoutCase{5, 1.6, 480}, DropoutCase{5, 1.6, -480}, DropoutCase{7.3, 1.3, 480},
        DropoutCase{7.3, 1.3, -480}, DropoutCase{100, 1.75, 480}, DropoutCase{0, 1.2, -480},
        DropoutCase{20, 1.9, 96}, DropoutCase{20, 1.45, -1000}}) {
    SCOPED_TRACE(testing::Message() << "delay " << c.delay_ms << " ms, " << c.frames
                                    << " frames at " << c.at_s << " s");
    auto cap = delayed(signal, c.delay_ms * 48, -3);
    add_noise(cap, -70, 3);
    const auto at = cap.begin() + static_cast<long>(frame_at(c.at_s));
    if (c.frames > 0) {
      cap.erase(at, at + c.frames);
      cap.resize(signal.size(), 0.0f);  // the capture goes on for as long
    } else {
      cap.insert(at, static_cast<size_t>(-c.frames), 0.0f);
      cap.resize(signal.size());
    }
    const auto m = analyze(plan, cap);
    ASSERT_FALSE(m.no_signal);
    EXPECT_NEAR(m.latency_ms, c.delay_ms, 0.05);
    ASSERT_EQ(m.dropouts.size(), 1u) << list(m.dropouts);
    // To a window (10 ms): low in the sweep, 480 frames are whole periods give or take.
    EXPECT_NEAR(m.dropouts[0].at_s, c.at_s, 0.010);
    // Exact, except low in the sweep (under 200 Hz), where the alignment before the dropout
    // is known to a frame only.
    EXPECT_NEAR(m.dropouts[0].shift_frames, c.frames, c.at_s < 1.25 ? 1 : 0);
  }
}

TEST(RouteAnalysis, ZerosInPlaceOfSignalAreOneDropout) {
  const auto plan = default_plan();
  auto cap = delayed(test_signal(plan), 240, 0);
  std::fill_n(cap.begin() + static_cast<long>(frame_at(1.4)), 960, 0.0f);
  const auto m = analyze(plan, cap);
  ASSERT_EQ(m.dropouts.size(), 1u) << list(m.dropouts);
  EXPECT_NEAR(m.dropouts[0].at_s, 1.4, 0.002);
  EXPECT_EQ(m.dropouts[0].shift_frames, 0);
}

TEST(RouteAnalysis, TwoDropoutsApartAreTwo) {
  const auto plan = default_plan();
  auto cap = delayed(test_signal(plan), 240, 0);
  cap.erase(cap.begin() + static_cast<long>(frame_at(1.7)),
            cap.begin() + static_cast<long>(frame_at(1.7)) + 480);
  cap.erase(cap.begin() + static_cast<long>(frame_at(1.2)),
            cap.begin() + static_cast<long>(frame_at(1.2)) + 480);
  cap.resize(120000, 0.0f);
  const auto m = analyze(plan, cap);
  ASSERT_EQ(m.dropouts.size(), 2u) << list(m.dropouts);
  EXPECT_NEAR(m.dropouts[0].at_s, 1.2, 0.002);
  EXPECT_NEAR(m.dropouts[1].at_s, 1.7 - 0.01, 0.002);
}

TEST(RouteAnalysis, AShortCaptureEndsInADropout) {
  const auto plan = default_plan();
  auto cap = delayed(test_signal(plan), 240, 0);
  cap.resize(110000);
  const auto m = analyze(plan, cap);
  ASSERT_FALSE(m.no_signal);
  EXPECT_NEAR(m.latency_ms, 5, 0.01);
  ASSERT_EQ(m.dropouts.size(), 1u) << list(m.dropouts);
  EXPECT_NEAR(m.dropouts[0].at_s, 110000 / 48000.0, 1e-9);
  EXPECT_EQ(m.dropouts[0].shift_frames, 10000);
}

TEST(RouteAnalysis, SilenceAndNoiseAreNoSignal) {
  const auto plan = default_plan();
  std::vector<float> silence(120000, 0.0f);
  const auto m = analyze(plan, silence);
  ASSERT_TRUE(m.no_signal);
  EXPECT_NE(m.no_signal->find("no signal"), std::string::npos) << *m.no_signal;
  auto noise = silence;
  add_noise(noise, -20, 11);
  const auto n = analyze(plan, noise);
  ASSERT_TRUE(n.no_signal);
  EXPECT_NEAR(n.noise_dbfs, -20, 1.0);
  // The tone alone (a sweep that never came) is no signal either.
  auto tone_only = test_signal(plan);
  const auto f = frames_of(plan);
  std::fill(tone_only.begin() + static_cast<long>(f.sweep_at()), tone_only.end(), 0.0f);
  EXPECT_TRUE(analyze(plan, tone_only).no_signal);
  EXPECT_TRUE(analyze(plan, std::vector<float>{}).no_signal);
}

TEST(RouteAnalysis, OtherRatesAndDurations) {
  for (unsigned rate : {8000u, 44100u, 96000u}) {
    for (auto total : {milliseconds(1000), milliseconds(5000)}) {
      SCOPED_TRACE(testing::Message() << rate << " Hz, " << total.count() << " ms");
      const auto plan = *plan_for(total, rate);
      const double delay = 0.0123 * rate;  // 12.3 ms
      const auto m = analyze(plan, delayed(test_signal(plan), delay, -6));
      ASSERT_FALSE(m.no_signal);
      EXPECT_NEAR(m.latency_ms, 12.3, 0.05);
      EXPECT_NEAR(m.gain_db, -6, 0.1);
      EXPECT_TRUE(m.dropouts.empty());
    }
  }
}

}  // namespace
}  // namespace sc::route

// --- The engine on the virtual loop device, in this process.

namespace sc::route {
namespace {

Result<LoopTestReport> run_virtual(const std::string& options, unsigned rate = 0) {
  auto device = audio::make_virtual_device(options);
  EXPECT_TRUE(device.ok());
  auto plan = *plan_for(std::chrono::milliseconds(2500), 48000);
  plan.rate = rate;
  return run_loop_test(**device, **device, plan);
}

TEST(RouteLoopTest, TheVirtualLoopsLatencyToTheFrame) {
  // D = round(latency * rate), halves up: 7.3 ms at 48 kHz is 350 frames.
  for (auto [latency, frames] : {std::pair{"0", 0}, std::pair{"5ms", 240}, std::pair{"7.3ms", 350},
                                 std::pair{"100ms", 4800}}) {
    SCOPED_TRACE(latency);
    auto r = run_virtual(std::string("signal=loop,speed=max,latency=") + latency);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->plan.rate, 48000u);
    EXPECT_EQ(r->captured_frames, frames_of(r->plan).total());
    EXPECT_NEAR(r->measurement.latency_ms, frames / 48.0, 0.001);
    EXPECT_NEAR(r->measurement.gain_db, 0, 0.01);
    EXPECT_TRUE(r->measurement.dropouts.empty());
    EXPECT_EQ(r->xruns(), 0u);
    EXPECT_EQ(r->output_channels, 2u);
  }
}

TEST(RouteLoopTest, AnXrunIsReportedAndFoundInTheSamples) {
  auto r = run_virtual("signal=loop,speed=max,latency=20ms,xrun=1.5s,buffer=256");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->capture_xruns, 1u);
  ASSERT_EQ(r->measurement.dropouts.size(), 1u);
  EXPECT_NEAR(r->measurement.dropouts[0].at_s, 1.5, 0.01);
  EXPECT_EQ(r->measurement.dropouts[0].shift_frames, 256);
  EXPECT_NEAR(r->measurement.latency_ms, 20, 0.01);
}

TEST(RouteLoopTest, TheStreamsRateIsTheTests) {
  auto r = run_virtual("signal=loop,speed=max,rate=96000,latency=3ms");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->plan.rate, 96000u);
  EXPECT_NEAR(r->measurement.latency_ms, 3, 0.001);
}

TEST(RouteLoopTest, ADeviceWithoutInputIsItsOpenError) {
  auto r = run_virtual("signal=loop,speed=max,channels=0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::unavailable);
}

TEST(RouteLoopTest, TwoDevicesThatDoNotLoopCaptureNoSignal) {
  auto in = audio::make_virtual_device("signal=silence,speed=max");
  auto out = audio::make_virtual_device("signal=loop,speed=max");
  auto r = run_loop_test(**out, **in, *plan_for(std::chrono::seconds(1), 48000));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->measurement.no_signal);
}

}  // namespace
}  // namespace sc::route
