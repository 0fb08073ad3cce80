#include "core/route/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <memory>
#include <new>
#include <numbers>
#include <numeric>
#include <optional>

extern "C" {
#include <libavutil/tx.h>
}

namespace sc::route {
namespace {

using std::numbers::pi;

// What a level of exactly zero is reported as: JSON has no -inf.
constexpr double kFloorDb = -200;
// Each part fades in and out over this much (a raised cosine).
constexpr double kFadeS = 0.005;
// Measurement windows stay this far from the edges of a part (its fades, a resampler's
// ringing, a sub-sample misalignment).
constexpr double kEdgeS = 0.020;
// The sweep's band.
constexpr double kSweepLowHz = 50;
constexpr double kSweepHighHz = 20000;
// Below this normalized correlation with the sweep the capture holds no trace of it: white
// noise reaches about 0.02 (48 kHz, 1 s sweep) to 0.08 (8 kHz, 0.4 s); a captured sweep
// with a dropout, -20 dB of distortion and noise 30 dB under it stays above 0.7.
constexpr double kNoSignalCorrelation = 0.2;
// Dropout tracking: short windows checked against the aligned reference.
constexpr double kWindowS = 0.010;
constexpr double kGoodCorrelation = 0.8;     // a window that follows the reference
constexpr double kAcquireCorrelation = 0.9;  // a new alignment after a discontinuity
constexpr double kSearchS = 0.050;           // how far a new alignment is looked for
constexpr size_t kSearchWindow = 2048;       // frames compared when searching

double db(double ratio) {
  return ratio > 0 ? std::max(kFloorDb, 20 * std::log10(ratio)) : kFloorDb;
}

size_t frames_in(Duration d, unsigned rate) {
  return static_cast<size_t>(std::llround(to_seconds(d) * rate));
}

// --- FFT: libavutil's av_tx (complex float, at the sizes it does fast: fft_size). Not
// written by hand (STYLE.md 14).

struct TxFree {
  void operator()(AVTXContext* c) const { av_tx_uninit(&c); }
};

class Fft {
 public:
  // A forward and an inverse transform of `n` points (a power of two). Throws
  // std::bad_alloc when libavutil cannot allocate them (its only failure for these sizes).
  explicit Fft(size_t n) : n_(n) {
    const float scale = 1;
    for (int inv = 0; inv < 2; ++inv) {
      AVTXContext* ctx = nullptr;
      if (av_tx_init(&ctx, &fn_[inv], AV_TX_FLOAT_FFT, inv, static_cast<int>(n), &scale,
                     AV_TX_UNALIGNED) < 0)
        throw std::bad_alloc();
      ctx_[inv].reset(ctx);
    }
  }
  size_t size() const { return n_; }
  // In place through a scratch buffer; the inverse is not normalized (divide by size()).
  void forward(std::vector<AVComplexFloat>& v) { run(0, v); }
  void inverse(std::vector<AVComplexFloat>& v) { run(1, v); }

 private:
  void run(int inv, std::vector<AVComplexFloat>& v) {
    scratch_.resize(n_);
    fn_[inv](ctx_[inv].get(), scratch_.data(), v.data(), sizeof(AVComplexFloat));
    v.swap(scratch_);
  }
  size_t n_;
  std::array<std::unique_ptr<AVTXContext, TxFree>, 2> ctx_;
  std::array<av_tx_fn, 2> fn_{};
  std::vector<AVComplexFloat> scratch_;
};

// The FFT sizes used: 2^k, 3, 5 and 15 times 2^k, up to 65536 points. libavutil 5.1 (Debian
// 12) does those fast and right; above them its power-of-two FFT is a naive DFT (131072
// points take minutes) and its 3 x 65536, 5 x 32768 and 15 x 16384 point FFTs give wrong
// results or crash (measured here). The smallest such size >= n, 0 above them all.
constexpr size_t kMaxFft = 65536;
size_t fft_size(size_t n) {
  size_t best = 0;
  for (size_t m : {1, 3, 5, 15})
    for (size_t p = 16; m * p <= kMaxFft; p *= 2)
      if (m * p >= n && (best == 0 || m * p < best)) best = m * p;
  return best;
}

std::vector<AVComplexFloat> spectrum(Fft& fft, std::span<const float> x) {
  std::vector<AVComplexFloat> v(fft.size(), AVComplexFloat{0, 0});
  for (size_t i = 0; i < x.size() && i < v.size(); ++i) v[i].re = x[i];
  fft.forward(v);
  return v;
}

// r[k] = sum_m x[k + m] * y[m] for k in [0, count), with both zero beyond their ends, from
// their spectra; the FFT is at least x.size() + y.size() long, so nothing wraps around.
std::vector<double> correlate(Fft& fft, const std::vector<AVComplexFloat>& X,
                              const std::vector<AVComplexFloat>& Y, size_t count) {
  std::vector<AVComplexFloat> p(fft.size());
  for (size_t i = 0; i < p.size(); ++i)
    p[i] = {X[i].re * Y[i].re + X[i].im * Y[i].im, X[i].im * Y[i].re - X[i].re * Y[i].im};
  fft.inverse(p);
  std::vector<double> r(std::min(count, p.size()));
  const double n = static_cast<double>(fft.size());
  for (size_t k = 0; k < r.size(); ++k) r[k] = p[k].re / n;
  return r;
}

// The same for signals of any length: in one FFT when they fit in kMaxFft, else in pieces of
// y (kMaxFft / 2 long) against blocks of lags.
std::vector<double> correlate(std::span<const float> x, std::span<const float> y, size_t count) {
  if (x.size() + y.size() <= kMaxFft) {
    Fft fft(fft_size(std::max<size_t>(x.size() + y.size(), 16)));
    return correlate(fft, spectrum(fft, x), spectrum(fft, y), count);
  }
  Fft fft(kMaxFft);
  const size_t piece = kMaxFft / 2, lags = kMaxFft - piece;
  std::vector<double> r(count, 0.0);
  for (size_t o = 0; o < y.size(); o += piece) {
    const auto yj = y.subspan(o, std::min(piece, y.size() - o));
    const auto Y = spectrum(fft, yj);
    for (size_t k0 = 0; k0 < count && k0 + o < x.size(); k0 += lags) {
      const size_t from = k0 + o, to = std::min(x.size(), from + lags + yj.size());
      const auto part = correlate(fft, spectrum(fft, x.subspan(from, to - from)), Y, lags);
      for (size_t k = 0; k < part.size() && k0 + k < count; ++k) r[k0 + k] += part[k];
    }
  }
  return r;
}

// `x` delayed by `delay` frames (any fraction) and scaled by `gain`: a Blackman-windowed sinc
// of 2 x 32 taps, flat within 0.1 dB to 0.8 of Nyquist.
std::vector<float> delayed(std::span<const float> x, double delay, double gain, size_t length) {
  constexpr long kHalf = 32;
  const long whole = static_cast<long>(std::floor(delay));
  const double frac = delay - static_cast<double>(whole);
  std::array<double, 2 * kHalf> h{};
  for (long k = -kHalf + 1; k <= kHalf; ++k) {
    const double t = static_cast<double>(k) - frac;
    const double sinc = std::abs(t) < 1e-9 ? 1.0 : std::sin(pi * t) / (pi * t);
    const double w = (t + kHalf) / (2.0 * kHalf);
    h[static_cast<size_t>(k + kHalf - 1)] =
        gain * sinc * (0.42 - 0.5 * std::cos(2 * pi * w) + 0.08 * std::cos(4 * pi * w));
  }
  std::vector<float> out(length, 0.0f);
  const long n = static_cast<long>(x.size());
  for (long i = 0; i < static_cast<long>(length); ++i) {
    double acc = 0;
    for (long k = -kHalf + 1; k <= kHalf; ++k) {
      const long j = i - whole - k;
      if (j >= 0 && j < n) acc += x[static_cast<size_t>(j)] * h[static_cast<size_t>(k + kHalf - 1)];
    }
    out[static_cast<size_t>(i)] = static_cast<float>(acc);
  }
  return out;
}

// Prefix sums of squares, for the energy of any stretch in O(1).
std::vector<double> energy_sums(std::span<const float> x) {
  std::vector<double> s(x.size() + 1, 0);
  for (size_t i = 0; i < x.size(); ++i) s[i + 1] = s[i] + double{x[i]} * x[i];
  return s;
}
double energy(const std::vector<double>& sums, size_t from, size_t to) {
  to = std::min(to, sums.size() - 1);
  return from < to ? std::max(0.0, sums[to] - sums[from]) : 0.0;
}

// The sub-sample position of the correlation peak of `x` with `y` near `k` (within `near`
// frames): the correlation there in double precision (the float FFT's rounding blurs a broad
// peak, such as a low sweep's), and a parabola through the highest and its neighbours.
double peak_near(std::span<const float> x, std::span<const float> y, size_t k, long near = 24) {
  auto at = [&](long lag) {
    double acc = 0;
    if (lag < 0) return acc;
    for (size_t m = 0; m < y.size() && static_cast<size_t>(lag) + m < x.size(); ++m)
      acc += double{x[static_cast<size_t>(lag) + m]} * y[m];
    return std::abs(acc);
  };
  const long kNear = near;
  const long k0 = static_cast<long>(k);
  std::vector<double> r(static_cast<size_t>(2 * kNear + 3));  // lags k0 - kNear - 1 ..
  for (long i = 0; i < static_cast<long>(r.size()); ++i)
    r[static_cast<size_t>(i)] = at(k0 - kNear - 1 + i);
  size_t best = kNear + 1;
  for (size_t i = 1; i + 1 < r.size(); ++i)
    if (r[i] > r[best]) best = i;
  const double a = r[best - 1], b = r[best], c = r[best + 1];
  const double den = a - 2 * b + c;
  const double delta = den < 0 ? std::clamp(0.5 * (a - c) / den, -0.5, 0.5) : 0.0;
  return static_cast<double>(k0 - kNear - 1 + static_cast<long>(best)) + delta;
}

void fade(std::span<float> part, unsigned rate) {
  const size_t n = std::min(
      part.size() / 2,
      frames_in(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(kFadeS)), rate));
  for (size_t i = 0; i < n; ++i) {
    const float g = static_cast<float>(0.5 - 0.5 * std::cos(pi * (i + 0.5) / n));
    part[i] *= g;
    part[part.size() - 1 - i] *= g;
  }
}

double sweep_high(unsigned rate) { return std::min(kSweepHighHz, 0.45 * rate); }

// --- The tone: a four-parameter sine fit (IEEE 1057): amplitude, phase, offset and a
// frequency refined from the nominal one (a capture through two clocks runs a little off).

struct SineFit {
  double amplitude = 0;
  double residual_rms = 0;
};

// Solves the n x n system `a` x = `b` (row-major, n <= 4) by Gaussian elimination with partial
// pivoting; false when singular.
bool solve(std::array<double, 16>& a, std::array<double, 4>& b, int n) {
  for (int c = 0; c < n; ++c) {
    int p = c;
    for (int r = c + 1; r < n; ++r)
      if (std::abs(a[r * 4 + c]) > std::abs(a[p * 4 + c])) p = r;
    if (std::abs(a[p * 4 + c]) < 1e-300) return false;
    for (int k = 0; k < 4; ++k) std::swap(a[c * 4 + k], a[p * 4 + k]);
    std::swap(b[c], b[p]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r * 4 + c] / a[c * 4 + c];
      for (int k = c; k < n; ++k) a[r * 4 + k] -= f * a[c * 4 + k];
      b[r] -= f * b[c];
    }
  }
  for (int c = 0; c < n; ++c) b[c] /= a[c * 4 + c];
  return true;
}

SineFit fit_sine(std::span<const float> x, double cycles_per_frame) {
  SineFit out;
  if (x.size() < 16) return out;
  const double mid = (static_cast<double>(x.size()) - 1) / 2;
  const double tscale = 1 / std::max(1.0, mid);  // t in -1..1 keeps the 4x4 system conditioned
  double w = 2 * pi * cycles_per_frame;
  const double w0 = w;
  std::array<double, 4> p{};  // cos, sin, offset, frequency step (scaled)
  for (int iter = 0; iter < 8; ++iter) {
    const int n = iter == 0 ? 3 : 4;  // three parameters first, then the frequency too
    std::array<double, 16> ata{};
    std::array<double, 4> atb{};
    for (size_t i = 0; i < x.size(); ++i) {
      const double t = static_cast<double>(i) - mid;
      const double c = std::cos(w * t), s = std::sin(w * t);
      const std::array<double, 4> col{c, s, 1, t * tscale * (-p[0] * s + p[1] * c)};
      for (int r = 0; r < n; ++r) {
        atb[r] += col[r] * x[i];
        for (int k = 0; k < n; ++k) ata[r * 4 + k] += col[r] * col[k];
      }
    }
    if (!solve(ata, atb, n)) break;
    for (int k = 0; k < 3; ++k) p[k] = atb[k];
    if (n == 4) {
      const double step = atb[3] * tscale;
      w = std::clamp(w + step, w0 * 0.99, w0 * 1.01);
      if (std::abs(step) < 1e-12) break;
    }
  }
  out.amplitude = std::hypot(p[0], p[1]);
  double res = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) - mid;
    const double e = x[i] - (p[0] * std::cos(w * t) + p[1] * std::sin(w * t) + p[2]);
    res += e * e;
  }
  out.residual_rms = std::sqrt(res / static_cast<double>(x.size()));
  return out;
}

// --- Dropouts: the capture followed window by window against the aligned reference.

class DropoutTracker {
 public:
  // `cap` is the capture, `ref` the expected capture (the played signal delayed by the
  // measured latency and scaled by the measured gain), both indexed by capture frame. Both
  // must outlive the tracker.
  DropoutTracker(std::span<const float> cap, std::span<const float> ref, unsigned rate,
                 double ref_level)
      : cap_(cap),
        ref_(ref),
        rate_(rate),
        cap_e_(energy_sums(cap)),
        ref_e_(energy_sums(ref)),
        window_(std::max<size_t>(32, static_cast<size_t>(kWindowS * rate))),
        search_(std::min(static_cast<size_t>(kSearchS * rate), (kMaxFft - 2 * kSearchWindow) / 2)),
        fft_(fft_size(kSearchWindow + 2 * search_ + kSearchWindow)),
        min_energy_(0.01 * ref_level * ref_level * static_cast<double>(window_)) {}

  // Walks [from, to) of the capture.
  std::vector<Dropout> run(size_t from, size_t to) {
    std::vector<Dropout> out;
    long shift = 0;  // the capture at n holds the reference at n - shift
    bool in_run = false, zeros = false, refined = false;
    long shift_before = 0;
    size_t run_start = 0;
    for (size_t p = from; p + window_ <= std::min(to, cap_.size()); p += window_) {
      const long r = static_cast<long>(p) - shift;
      if (r < 0 || static_cast<size_t>(r) + window_ > ref_.size()) continue;
      const double re = energy(ref_e_, static_cast<size_t>(r), static_cast<size_t>(r) + window_);
      if (re < min_energy_) continue;  // nothing expected here (silence, tail)
      const double ce = energy(cap_e_, p, p + window_);
      // A new alignment found from a window that may still hold the discontinuity is
      // refined once from the next one, wholly after it.
      if (in_run && shift != shift_before && !refined) {
        refined = true;
        if (auto s = search(p, shift)) shift = *s;
      }
      const double rho = correlation(p, shift, window_);
      if (rho >= kGoodCorrelation) {
        if (in_run && (zeros || shift != shift_before))
          out.push_back(Dropout{static_cast<double>(onset(run_start, shift_before)) / rate_,
                                shift - shift_before});
        in_run = false;
        continue;
      }
      if (!in_run) {
        in_run = true;
        zeros = refined = false;
        shift_before = shift;
        run_start = p;
      }
      if (ce < 1e-3 * re) {
        zeros = true;
        continue;
      }
      // Zeros in part of the window (a stretch of a fifth of it at least).
      for (size_t q = p, n = window_ / 5; q + n <= p + window_; q += n / 2)
        if (energy(cap_e_, q, q + n) < 1e-3 * re / 5) zeros = true;
      if (auto s = search(p, shift)) shift = *s, refined = false;
    }
    if (in_run && (zeros || shift != shift_before))
      out.push_back(Dropout{static_cast<double>(onset(run_start, shift_before)) / rate_,
                            shift - shift_before});
    // The sign of Dropout::shift_frames: + when frames were lost (the capture runs ahead).
    for (auto& d : out) d.shift_frames = -d.shift_frames;
    return out;
  }

 private:
  // Normalized correlation of the capture at [p, p + n) with the reference at p - shift.
  double correlation(size_t p, long shift, size_t n) const {
    const long r = static_cast<long>(p) - shift;
    if (r < 0 || static_cast<size_t>(r) + n > ref_.size() || p + n > cap_.size()) return 0;
    double xy = 0;
    for (size_t i = 0; i < n; ++i) xy += double{cap_[p + i]} * ref_[static_cast<size_t>(r) + i];
    const double e = energy(cap_e_, p, p + n) *
                     energy(ref_e_, static_cast<size_t>(r), static_cast<size_t>(r) + n);
    return e > 0 ? xy / std::sqrt(e) : 0;
  }

  // A new alignment near `shift` for the capture from p on: the one that correlates best over
  // kSearchWindow frames, preferring the peak closest to `shift` among near-equal peaks (a tone
  // is periodic). None when nothing correlates well enough.
  std::optional<long> search(size_t p, long shift) {
    const size_t n = std::min(kSearchWindow, cap_.size() - p);
    if (n < window_) return std::nullopt;
    // Reference candidates start at r0 + k for k in [0, 2 * search_].
    const long r0 = static_cast<long>(p) - shift - static_cast<long>(search_);
    std::vector<float> seg(n + 2 * search_, 0.0f);
    for (size_t i = 0; i < seg.size(); ++i) {
      const long r = r0 + static_cast<long>(i);
      if (r >= 0 && static_cast<size_t>(r) < ref_.size()) seg[i] = ref_[static_cast<size_t>(r)];
    }
    const auto S = spectrum(fft_, seg);
    const auto C = spectrum(fft_, cap_.subspan(p, n));
    const auto xy = correlate(fft_, S, C, 2 * search_ + 1);
    const auto seg_e = energy_sums(seg);
    const double ce = energy(cap_e_, p, p + n);
    std::vector<double> rho(xy.size(), 0);
    double best = 0;
    for (size_t k = 0; k < xy.size(); ++k) {
      const double e = ce * energy(seg_e, k, k + n);
      rho[k] = e > 0 ? xy[k] / std::sqrt(e) : 0;
      best = std::max(best, rho[k]);
    }
    if (best < kAcquireCorrelation) return std::nullopt;
    std::optional<long> pick;
    for (size_t k = 0; k < rho.size(); ++k) {
      // Peaks only; a tone's periods tie.
      if (rho[k] < best - 0.002 || (k > 0 && rho[k - 1] > rho[k]) ||
          (k + 1 < rho.size() && rho[k + 1] > rho[k]))
        continue;
      const long s = static_cast<long>(p) - (r0 + static_cast<long>(k));
      if (!pick || std::abs(s - shift) < std::abs(*pick - shift)) pick = s;
    }
    return pick;
  }

  // Where the capture first leaves the reference at `shift`, from a window before `p` on:
  // the first short stretch whose residual holds a quarter of the expected energy.
  size_t onset(size_t p, long shift) const {
    const size_t step = std::max<size_t>(8, rate_ / 2000);  // 0.5 ms
    const size_t from = p >= window_ ? p - window_ : 0;
    const long r = static_cast<long>(from) - shift;
    if (r < 0) return p;
    const double expected =
        energy(ref_e_, static_cast<size_t>(r), static_cast<size_t>(r) + 3 * window_) /
        static_cast<double>(3 * window_);
    for (size_t q = from; q + step <= std::min(cap_.size(), p + 2 * window_); q += step) {
      double res = 0;
      for (size_t i = q; i < q + step; ++i) {
        const long ri = static_cast<long>(i) - shift;
        const double e =
            ri >= 0 && static_cast<size_t>(ri) < ref_.size() ? ref_[static_cast<size_t>(ri)] : 0.0;
        res += (cap_[i] - e) * (cap_[i] - e);
      }
      if (res / static_cast<double>(step) > 0.25 * expected) return q;
    }
    return p;
  }

  std::span<const float> cap_, ref_;
  unsigned rate_;
  std::vector<double> cap_e_, ref_e_;
  size_t window_, search_;
  Fft fft_;
  double min_energy_;
};

}  // namespace

Result<TestPlan> plan_for(Duration total, unsigned rate) {
  using std::chrono::seconds;
  if (total < seconds(1) || total > seconds(60))
    return make_error(Exit::usage,
                      fmt::format("a test of {} is outside 1s..60s", format_duration(total)),
                      "give --duration between 1s and 60s (default 2.5s)");
  TestPlan plan;
  plan.rate = rate;
  plan.silence = total / 5;
  plan.tone = total / 5;
  plan.sweep = total * 2 / 5;
  plan.tail = total - plan.silence - plan.tone - plan.sweep;
  return plan;
}

PlanFrames frames_of(const TestPlan& plan) {
  PlanFrames f;
  f.silence = frames_in(plan.silence, plan.rate);
  f.tone = frames_in(plan.tone, plan.rate);
  f.sweep = frames_in(plan.sweep, plan.rate);
  f.tail = frames_in(plan.tail, plan.rate);
  return f;
}

std::vector<float> test_signal(const TestPlan& plan) {
  const PlanFrames f = frames_of(plan);
  std::vector<float> out(f.total(), 0.0f);
  const double amp = std::pow(10.0, plan.level_dbfs / 20);
  const double rate = plan.rate;
  std::span<float> tone(out.data() + f.tone_at(), f.tone);
  for (size_t i = 0; i < tone.size(); ++i)
    tone[i] =
        static_cast<float>(amp * std::sin(2 * pi * plan.tone_hz * static_cast<double>(i) / rate));
  fade(tone, plan.rate);
  // Exponential sweep: phase(t) = 2 pi f1 T / K (exp(K t / T) - 1), K = ln(f2 / f1).
  std::span<float> sweep(out.data() + f.sweep_at(), f.sweep);
  const double f1 = kSweepLowHz, f2 = sweep_high(plan.rate);
  const double T = static_cast<double>(f.sweep) / rate, K = std::log(f2 / f1);
  for (size_t i = 0; i < sweep.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    sweep[i] = static_cast<float>(amp * std::sin(2 * pi * f1 * T / K * (std::exp(K * t / T) - 1)));
  }
  fade(sweep, plan.rate);
  return out;
}

Measurement analyze(const TestPlan& plan, std::span<const float> captured) {
  Measurement m;
  const PlanFrames f = frames_of(plan);
  const unsigned rate = plan.rate;
  const std::vector<float> signal = test_signal(plan);
  const std::span<const float> sweep(signal.data() + f.sweep_at(), f.sweep);
  const std::span<const float> cap = captured.subspan(0, std::min(captured.size(), f.total()));
  const size_t edge = std::max<size_t>(1, static_cast<size_t>(kEdgeS * rate));
  const double amp = std::pow(10.0, plan.level_dbfs / 20);
  const auto cap_e = energy_sums(cap);

  auto noise_over = [&](size_t from, size_t to) {
    to = std::min(to, cap.size());
    if (from + 1 >= to) return kFloorDb;
    const double rms = std::sqrt(energy(cap_e, from, to) / static_cast<double>(to - from));
    return rms > 0 ? std::max(kFloorDb, db(rms) + 20 * std::log10(std::sqrt(2.0))) : kFloorDb;
  };

  // Latency: the peak of the cross-correlation of the capture with the sweep.
  const auto r = correlate(cap, sweep, cap.size());
  size_t k = 0;
  for (size_t i = 1; i < r.size(); ++i)
    if (std::abs(r[i]) > std::abs(r[k])) k = i;
  const double sweep_e = std::inner_product(sweep.begin(), sweep.end(), sweep.begin(), 0.0);
  const double window_e = energy(cap_e, k, k + sweep.size());
  const double rho = window_e > 0 && sweep_e > 0
                         ? std::abs(r.empty() ? 0 : r[k]) / std::sqrt(sweep_e * window_e)
                         : 0;
  if (rho < kNoSignalCorrelation) {
    float peak = 0;
    for (float x : cap) peak = std::max(peak, std::abs(x));
    m.no_signal =
        peak == 0 ? std::string("no signal in the capture: it is digital silence")
        : db(peak) < -60
            ? fmt::format("no signal in the capture: its peak is {:.1f} dBFS", db(peak))
            : fmt::format(
                  "no trace of the test signal in the capture (its peak is {:.1f} dBFS, but "
                  "its correlation with the sweep is {:.2f})",
                  db(peak), rho);
    m.noise_dbfs = noise_over(edge, f.silence > edge ? f.silence - edge : 0);
    m.gain_db = m.thdn_db = kFloorDb;
    return m;
  }
  size_t k_main = k;
  // Frames lost or inserted during the sweep split its peak in two: the round trip is the
  // alignment the sweep starts with. Among the peaks near the highest (within kSearchS, a
  // twentieth of it at least), the one whose alignment holds over the sweep's first 100 ms.
  {
    const size_t from = static_cast<size_t>(kFadeS * rate), len = rate / 10;
    auto start_rho = [&](size_t c) {  // the capture at c holds the sweep's first frame
      const size_t at = c + from;
      if (at + len > cap.size() || from + len > sweep.size()) return 0.0;
      double xy = 0, yy = 0;
      for (size_t i = 0; i < len; ++i) {
        xy += double{cap[at + i]} * sweep[from + i];
        yy += double{sweep[from + i]} * sweep[from + i];
      }
      const double xx = energy(cap_e, at, at + len);
      return xx > 0 && yy > 0 ? std::abs(xy) / std::sqrt(xx * yy) : 0.0;
    };
    const size_t span = static_cast<size_t>(kSearchS * rate);
    k_main = k;
    size_t best = k;
    double best_rho = 0;
    for (size_t c = k > span ? k - span : 1; c + 1 < r.size() && c <= k + span; ++c) {
      const double a = std::abs(r[c]);
      if (a < 0.05 * std::abs(r[k]) || a < std::abs(r[c - 1]) || a < std::abs(r[c + 1]) ||
          (c + 24 > k && c < k + 24))
        continue;
      if (const double sr = start_rho(c); sr > best_rho) best = c, best_rho = sr;
    }
    // The peak of a part of the sweep is broad and blurred by the rest: the alignment from
    // the sweep's start alone (refined below once the dropout's time is known).
    if (best_rho >= 0.8 && best_rho > start_rho(k) + 0.05)
      k = static_cast<size_t>(std::lround(peak_near(cap, sweep.first(from + len), best, 48)));
  }
  const double main_peak = peak_near(cap, sweep, k_main);
  double lag = peak_near(cap, sweep, k) - static_cast<double>(f.sweep_at());
  m.latency_ms = 1000 * lag / rate;
  const long lag_i = std::lround(std::floor(lag));
  auto at = [&](size_t played) {  // where a played frame is in the capture, clamped
    const long i = static_cast<long>(played) + lag_i;
    return static_cast<size_t>(std::clamp<long>(i, 0, static_cast<long>(cap.size())));
  };

  // Noise floor: the capture before the tone arrives.
  m.noise_dbfs = noise_over(edge, at(f.tone_at()) > edge ? at(f.tone_at()) - edge : 0);

  // Gain and THD+N: a sine fitted to the tone as captured.
  double tone_gain = 0;
  {
    const size_t from = at(f.tone_at() + edge), to = at(f.tone_at() + f.tone - edge);
    const auto fit =
        from < to ? fit_sine(cap.subspan(from, to - from), plan.tone_hz / rate) : SineFit{};
    tone_gain = fit.amplitude / amp;
    m.gain_db = db(tone_gain);
    m.thdn_db = fit.amplitude > 0 ? db(fit.residual_rms / (fit.amplitude / std::sqrt(2.0)))
                                  : 0;  // no tone at all: all noise
  }

  // Dropouts: the played signal delayed by the latency (the fraction too) and scaled by the
  // sweep's gain, followed window by window.
  {
    // The gain of the tone: the sweep's peak is lower when a dropout splits it. Its sign
    // (a loop that inverts) from the sweep's.
    const double g = std::copysign(tone_gain > 0 ? tone_gain : std::abs(r[k]) / sweep_e, r[k]);
    auto track = [&] {
      const std::vector<float> expected = delayed(signal, lag, g, cap.size());
      DropoutTracker tracker(cap, expected, rate, std::abs(g) * amp / std::sqrt(2.0));
      return tracker.run(at(f.tone_at()), cap.size());
    };
    m.dropouts = track();
    // A dropout during the sweep: the latency again from the sweep before it alone (the part
    // after it blurs the peak by a few frames), and the dropouts again with it.
    if (!m.dropouts.empty()) {
      const auto d = static_cast<size_t>(m.dropouts.front().at_s * rate);
      if (d > k + rate / 20 + rate / 100 && d < k + sweep.size()) {
        // Up to 10 ms before it: its time is known to a few frames.
        // Both cut at the same point, so that the edge does not pull the broad peak.
        const size_t cut = d - rate / 100 - k;
        const double before =
            peak_near(cap.subspan(0, k + cut), sweep.first(std::min(cut, sweep.size())), k);
        // A dropout moves the capture by whole frames: the fraction is the sharp main peak's.
        const double main_frac = main_peak - std::floor(main_peak);
        lag = std::round(before - main_frac) + main_frac - static_cast<double>(f.sweep_at());
        m.latency_ms = 1000 * lag / rate;
        m.dropouts = track();
      }
    }
  }
  if (captured.size() < f.total())
    m.dropouts.push_back(Dropout{static_cast<double>(captured.size()) / rate,
                                 static_cast<long>(f.total() - captured.size())});
  return m;
}

}  // namespace sc::route
