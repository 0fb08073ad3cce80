// The virtual device's signal and clock arithmetic: what sample a frame carries, as an exact
// function of device time, and how frame indices map to time.
//
// Time. The device clock runs in segments: a segment starts at a time `start` (nanoseconds
// since stream start) at one `rate`, and frame k of the segment is at t = start + k/rate
// seconds. A stream begins with a segment at 0; a rate change or a reconnection begins a new
// one. A fault at time AT takes effect at frame ceil((AT - start) * rate) of its segment.
//
// Signals, with A = 10^(level/20) and every channel of a frame carrying the same sample:
//   sine:F   x(t) = A sin(2 pi F t)
//   chirp    tau = t mod 1, x(t) = A sin(2 pi (f0 tau + (f1 - f0) tau^2 / 2)): a linear sweep
//            from f0 = 20 Hz to f1 = min(20000, 0.45 * the lowest rate the stream can run at)
//            each second (the lowest rate, so the function of t is the same at every rate)
//   noise    x = A (2 u / 2^53 - 1), u = the top 53 bits of the n-th output (n from 0) of
//            splitmix64 seeded with `seed`: z = seed + (n + 1) * 0x9E3779B97F4A7C15, then
//            z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9, z = (z ^ z >> 27) * 0x94D049BB133111EB,
//            z ^= z >> 31. n = ceil(start * rate) + k: the frame's index had the device run at
//            this segment's rate since stream start (so from the start, n = k).
//   silence  0
//   loop     0 from the generator: a capture paired with a playback stream of the same device
//            captures what it plays, `latency` later (virtual/stream.h "Loop"); a capture
//            alone captures silence
// Samples are computed in double and stored as float. Phases come from integer frame counts
// (never an accumulated phase): sine and chirp are evaluated exactly at least every 256 frames
// and rotated by an exact per-frame step in between (error below 1e-10 of full scale).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/audio/virtual/spec.h"
#include "core/common/duration.h"

namespace sc::audio {

// ceil(d * rate) for d >= 0: the first frame at or after d in a segment at `rate`.
uint64_t frames_at_or_after(Duration d, unsigned rate);
// The time of frame k in a segment: start + floor(k * 1e9 / rate) nanoseconds. A frame is at
// or after a time T exactly when frame_time(...) >= T.
Duration frame_time(Duration start, unsigned rate, uint64_t k);

// The n-th (from 0) output of splitmix64 seeded with `seed`.
uint64_t splitmix64_nth(uint64_t seed, uint64_t n);

// Generates the signal of one spec. Not thread-safe; fill() neither allocates nor locks.
class SignalGenerator {
 public:
  // `chirp_top` is f1 of the chirp in Hz.
  SignalGenerator(const VirtualSpec& spec, double chirp_top);

  // Starts a segment at `start` and `rate`; later fill() calls index frames within it.
  void begin_segment(Duration start, unsigned rate);

  // Writes frames k0 .. k0+frames-1 of the current segment, interleaved, `channels` identical
  // samples per frame, into `out` (frames * channels floats).
  void fill(float* out, uint64_t k0, size_t frames, unsigned channels) const;
  // The same in double, before the cast to float (to measure the generator's own error).
  void fill(double* out, uint64_t k0, size_t frames, unsigned channels) const;

  // The exact sample of frame k of the current segment, evaluated directly (for anchors).
  double sample(uint64_t k) const;

 private:
  template <typename T>
  void fill_any(T* out, uint64_t k0, size_t frames, unsigned channels) const;
  template <typename T>
  void fill_sine(T* out, uint64_t k0, size_t frames, unsigned channels) const;
  template <typename T>
  void fill_chirp(T* out, uint64_t k0, size_t frames, unsigned channels) const;
  template <typename T>
  void fill_noise(T* out, uint64_t k0, size_t frames, unsigned channels) const;
  double sine_cycles(uint64_t k) const;  // F t mod 1 at frame k
  // tau * rate * 1e9 at frame k, an integer in [0, rate * 1e9)
  uint64_t chirp_tau_units(uint64_t k) const;
  double chirp_cycles(double tau) const;  // f0 tau + (f1 - f0) tau^2 / 2

  VirtualSignal signal_;
  double amplitude_;
  double frequency_;
  double f0_ = 20;
  double f1_;
  uint64_t seed_;
  // The current segment.
  Duration start_{0};
  unsigned rate_ = 1;
  double start_cycles_ = 0;   // sine: F * start mod 1
  uint64_t start_units_ = 0;  // chirp: (start mod 1 s) in ns * rate
  uint64_t noise_base_ = 0;   // noise: ceil(start * rate)
  double step_cos_ = 1;       // sine: cos and sin of 2 pi F / rate
  double step_sin_ = 0;
};

}  // namespace sc::audio
