#include "core/audio/virtual/signal.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sc::audio {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr double kTwoPi = 2 * std::numbers::pi;
// Sine and chirp are evaluated exactly at least this often (frames).
constexpr size_t kAnchorFrames = 256;

double frac(double x) { return x - std::floor(x); }

// (f * n) mod 1 without losing the product's low bits: f * n = p + e exactly (two-product).
double frac_product(double f, uint64_t n) {
  const double dn = static_cast<double>(n);
  const double p = f * dn;
  const double e = std::fma(f, dn, -p);
  return frac(frac(p) + e);
}

// Writes `frames` frames of `channels` copies of next() (a double, stored as T).
// The common channel counts get their own loops so the compiler can unroll them.
template <typename T, typename Next>
inline T* emit(T* out, size_t frames, unsigned channels, Next&& next) {
  switch (channels) {
    case 1:
      for (size_t j = 0; j < frames; ++j) *out++ = static_cast<T>(next());
      break;
    case 2:
      for (size_t j = 0; j < frames; ++j) {
        const T x = static_cast<T>(next());
        out[0] = x;
        out[1] = x;
        out += 2;
      }
      break;
    default:
      for (size_t j = 0; j < frames; ++j) {
        const T x = static_cast<T>(next());
        for (unsigned c = 0; c < channels; ++c) *out++ = x;
      }
  }
  return out;
}

}  // namespace

uint64_t frames_at_or_after(Duration d, unsigned rate) {
  const int64_t ns = d.count();
  if (ns <= 0) return 0;
  const auto q = static_cast<uint64_t>(ns / kNsPerSecond);
  const auto r = static_cast<uint64_t>(ns % kNsPerSecond);
  return q * rate + (r * rate + kNsPerSecond - 1) / kNsPerSecond;
}

Duration frame_time(Duration start, unsigned rate, uint64_t k) {
  const uint64_t q = k / rate;
  const uint64_t r = k % rate;
  return start + Duration(static_cast<int64_t>(q * kNsPerSecond + r * kNsPerSecond / rate));
}

uint64_t splitmix64_nth(uint64_t seed, uint64_t n) {
  uint64_t z = seed + (n + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

SignalGenerator::SignalGenerator(const VirtualSpec& spec, double chirp_top)
    : signal_(spec.signal),
      amplitude_(std::pow(10.0, spec.level_dbfs / 20.0)),
      frequency_(spec.frequency),
      f1_(chirp_top),
      seed_(spec.seed) {
  begin_segment(Duration(0), spec.rate);
}

void SignalGenerator::begin_segment(Duration start, unsigned rate) {
  start_ = start;
  rate_ = rate;
  const int64_t ns = start.count();
  const auto whole = static_cast<uint64_t>(ns / kNsPerSecond);
  const auto rem = static_cast<uint64_t>(ns % kNsPerSecond);
  start_cycles_ = frac(frac_product(frequency_, whole) +
                       frequency_ * static_cast<double>(rem) / static_cast<double>(kNsPerSecond));
  start_units_ = rem * rate;
  noise_base_ = frames_at_or_after(start, rate);
  const double step = kTwoPi * frequency_ / rate;
  step_cos_ = std::cos(step);
  step_sin_ = std::sin(step);
}

double SignalGenerator::sine_cycles(uint64_t k) const {
  const uint64_t q = k / rate_;
  const uint64_t r = k % rate_;
  return frac(start_cycles_ + frac_product(frequency_, q) +
              frequency_ * static_cast<double>(r) / rate_);
}

uint64_t SignalGenerator::chirp_tau_units(uint64_t k) const {
  const uint64_t whole = static_cast<uint64_t>(rate_) * kNsPerSecond;
  uint64_t u = start_units_ + (k % rate_) * kNsPerSecond;
  return u >= whole ? u - whole : u;
}

double SignalGenerator::chirp_cycles(double tau) const {
  return f0_ * tau + (f1_ - f0_) * tau * tau / 2;
}

double SignalGenerator::sample(uint64_t k) const {
  switch (signal_) {
    case VirtualSignal::sine:
      return amplitude_ * std::sin(kTwoPi * sine_cycles(k));
    case VirtualSignal::chirp: {
      const double tau =
          static_cast<double>(chirp_tau_units(k)) / (static_cast<double>(rate_) * kNsPerSecond);
      return amplitude_ * std::sin(kTwoPi * frac(chirp_cycles(tau)));
    }
    case VirtualSignal::noise: {
      const uint64_t u = splitmix64_nth(seed_, noise_base_ + k) >> 11;
      return amplitude_ * (static_cast<double>(u) * 0x1p-52 - 1);
    }
    case VirtualSignal::silence:
    case VirtualSignal::loop:
      break;
  }
  return 0;
}

void SignalGenerator::fill(float* out, uint64_t k0, size_t frames, unsigned channels) const {
  fill_any(out, k0, frames, channels);
}

void SignalGenerator::fill(double* out, uint64_t k0, size_t frames, unsigned channels) const {
  fill_any(out, k0, frames, channels);
}

template <typename T>
void SignalGenerator::fill_any(T* out, uint64_t k0, size_t frames, unsigned channels) const {
  switch (signal_) {
    case VirtualSignal::sine:
      return fill_sine(out, k0, frames, channels);
    case VirtualSignal::chirp:
      return fill_chirp(out, k0, frames, channels);
    case VirtualSignal::noise:
      return fill_noise(out, k0, frames, channels);
    case VirtualSignal::silence:
    case VirtualSignal::loop:
      std::fill(out, out + frames * channels, T(0));
      return;
  }
}

// Anchored at sin/cos of the exact phase, then rotated by the per-frame step w:
// s' = s cos w + c sin w, c' = c cos w - s sin w.
template <typename T>
void SignalGenerator::fill_sine(T* out, uint64_t k0, size_t frames, unsigned channels) const {
  const double a = amplitude_;
  const double cw = step_cos_;
  const double sw = step_sin_;
  while (frames > 0) {
    const size_t n = std::min(frames, kAnchorFrames);
    const double phase = kTwoPi * sine_cycles(k0);
    double s = std::sin(phase);
    double c = std::cos(phase);
    out = emit(out, n, channels, [&] {
      const double x = a * s;
      const double s1 = s * cw + c * sw;
      c = c * cw - s * sw;
      s = s1;
      return x;
    });
    k0 += n;
    frames -= n;
  }
}

// Within one sweep the phase is quadratic in the frame offset j: phi(j) = phi0 + b j + c j^2
// (cycles), so the phasor z = e^(i 2 pi phi) is rotated by d(j) = e^(i 2 pi (b + c (2j + 1))),
// and d by the constant e^(i 2 pi 2c). Anchored exactly every kAnchorFrames and at each wrap.
template <typename T>
void SignalGenerator::fill_chirp(T* out, uint64_t k0, size_t frames, unsigned channels) const {
  const double a = amplitude_;
  const double rate = rate_;
  const double whole = rate * kNsPerSecond;
  const double c2 = (f1_ - f0_) / (2 * rate * rate);
  const double ec = std::cos(kTwoPi * 2 * c2);
  const double es = std::sin(kTwoPi * 2 * c2);
  while (frames > 0) {
    const uint64_t units = chirp_tau_units(k0);
    const uint64_t to_wrap =
        (static_cast<uint64_t>(rate_) * kNsPerSecond - units + kNsPerSecond - 1) / kNsPerSecond;
    const size_t n = std::min({frames, kAnchorFrames, static_cast<size_t>(to_wrap)});
    const double tau = static_cast<double>(units) / whole;
    const double phase = kTwoPi * frac(chirp_cycles(tau));
    const double b = (f0_ + (f1_ - f0_) * tau) / rate;
    double zr = std::cos(phase);
    double zi = std::sin(phase);
    double dr = std::cos(kTwoPi * (b + c2));
    double di = std::sin(kTwoPi * (b + c2));
    out = emit(out, n, channels, [&] {
      const double x = a * zi;
      const double zr1 = zr * dr - zi * di;
      zi = zr * di + zi * dr;
      zr = zr1;
      const double dr1 = dr * ec - di * es;
      di = dr * es + di * ec;
      dr = dr1;
      return x;
    });
    k0 += n;
    frames -= n;
  }
}

template <typename T>
void SignalGenerator::fill_noise(T* out, uint64_t k0, size_t frames, unsigned channels) const {
  const double a = amplitude_;
  uint64_t n = noise_base_ + k0;
  emit(out, frames, channels, [&] {
    const uint64_t u = splitmix64_nth(seed_, n++) >> 11;
    return a * (static_cast<double>(u) * 0x1p-52 - 1);
  });
}

}  // namespace sc::audio
