// The loopback self-test's signal and its analysis (DESIGN.md "route test"): what `route test`
// plays, and what it concludes from the capture alone. Pure functions of sample arrays: the
// analysis never sees a device's settings, only the samples it captured.
//
// The test signal, mono at `rate` (the engine copies it to every channel), in order:
//   silence  for the noise floor
//   tone     1 kHz sine at `level_dbfs` (peak), for gain and THD+N
//   sweep    exponential (log) sine sweep 50 Hz .. min(20 kHz, 0.45 rate), for the round-trip
//            latency from the cross-correlation of the capture with it
//   tail     silence, so that a capture up to `tail` late still holds the whole sweep
// Each part is faded in and out over a few milliseconds so that none starts with a click.
//
// Threads: none; no state. Cost: the cross-correlation is FFT-based (libavutil's av_tx).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/common/duration.h"
#include "core/common/error.h"

namespace sc::route {

struct TestPlan {
  unsigned rate = 48000;
  Duration silence = std::chrono::milliseconds(500);
  Duration tone = std::chrono::milliseconds(500);
  Duration sweep = std::chrono::milliseconds(1000);
  Duration tail = std::chrono::milliseconds(500);  // the largest latency that can be measured
  double level_dbfs = -6;                          // peak of the tone and the sweep
  double tone_hz = 1000;
};

// A plan whose parts add up to `total` (silence, tone, sweep, tail in the default
// proportions 1:1:2:1), at `rate`. Exit::usage when `total` is under 1 s or over 60 s.
Result<TestPlan> plan_for(Duration total, unsigned rate);

// Frame counts of the parts and where each starts in the played signal.
struct PlanFrames {
  size_t silence = 0, tone = 0, sweep = 0, tail = 0;
  size_t tone_at() const { return silence; }
  size_t sweep_at() const { return silence + tone; }
  size_t total() const { return silence + tone + sweep + tail; }
};
PlanFrames frames_of(const TestPlan& plan);

// The signal to play: frames_of(plan).total() samples.
std::vector<float> test_signal(const TestPlan& plan);

// One discontinuity in the capture: frames missing (or inserted) at a time of the capture.
struct Dropout {
  double at_s = 0;        // in the capture
  long shift_frames = 0;  // how far the capture jumps against the signal (+: frames lost)
};

struct Measurement {
  double latency_ms = 0;  // round trip, from the sweep's cross-correlation, sub-sample
  double gain_db = 0;     // captured tone level against the played one
  double noise_dbfs = 0;  // RMS of the capture during the silence, dBFS (full-scale sine = 0)
  double thdn_db = 0;     // tone residual after a notch at the fundamental, against it (< 0)
  std::vector<Dropout> dropouts;
  // When the capture holds no trace of the signal (silence, a disconnected cable): the
  // measurements above are meaningless and `why` says so ("no signal in the capture: its peak
  // is -96.3 dBFS").
  std::optional<std::string> no_signal;
};

// Analyses `captured` (mono, at plan.rate, starting when the first frame of the signal was
// handed to the output, and at least frames_of(plan).total() long; a shorter capture is
// analysed as far as it goes and counted as a dropout at its end).
Measurement analyze(const TestPlan& plan, std::span<const float> captured);

}  // namespace sc::route
