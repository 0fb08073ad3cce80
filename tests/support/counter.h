// A signal that says where it is: every frame carries its own index, so a capture of it shows
// exactly which frames were heard, once each, in which order, and where a pause fell.
//
//   left  = (k % 16384 + 1) / 32768        right = (k / 16384 + 1) / 32768
//
// Both are whole multiples of 1/32768, so they pass unchanged through 16-bit and float
// formats, a 0 dB volume and a server that converts between them. Silence (both 0) is no frame.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sc::test {

// Stereo, interleaved, frames 0 .. frames-1.
inline std::vector<float> counter_signal(size_t frames) {
  std::vector<float> out(frames * 2);
  for (size_t k = 0; k < frames; ++k) {
    out[2 * k] = static_cast<float>(k % 16384 + 1) / 32768.0f;
    out[2 * k + 1] = static_cast<float>(k / 16384 + 1) / 32768.0f;
  }
  return out;
}

// The frame index a captured stereo frame carries; nullopt for silence or anything that is
// not a counter frame.
inline std::optional<int64_t> counter_index(float left, float right) {
  const long l = std::lround(left * 32768.0f), r = std::lround(right * 32768.0f);
  if (l < 1 || l > 16384 || r < 1) return std::nullopt;
  return static_cast<int64_t>(r - 1) * 16384 + (l - 1);
}

// What a capture of the counter shows.
struct CounterRun {
  size_t heard = 0;    // counter frames in the capture
  int64_t first = -1;  // index of the first, and of the last
  int64_t last = -1;
  // Places where the next frame heard is not the one after, empty cycles apart.
  size_t breaks = 0;
  // At the worst of those breaks: next - (previous + 1), frames (+ skipped, - repeated).
  int64_t worst_jump = 0;
  // Breaks where silence took the place of exactly the frames skipped: the server rendered a
  // cycle empty and went on at the right frame (PipeWire's graph, when a loaded machine makes
  // it miss a cycle). A writer that came late would show as an underrun, and its frames later.
  size_t empty_cycles = 0;
  size_t empty_cycle_frames = 0;  // the frames they skipped, in all
  size_t other = 0;               // captured frames that are neither silence nor counter frames
  size_t gaps = 0;                // runs of silence between counter frames
  size_t longest_gap = 0;         // frames
};

// Reads interleaved stereo frames.
inline CounterRun read_counter(const std::vector<float>& stereo) {
  CounterRun r;
  int64_t prev = -1;
  size_t silent = 0;
  for (size_t i = 0; i + 1 < stereo.size(); i += 2) {
    const float a = stereo[i], b = stereo[i + 1];
    if (a == 0 && b == 0) {
      ++silent;
      continue;
    }
    auto k = counter_index(a, b);
    if (!k) {
      ++r.other;
      continue;
    }
    if (prev >= 0) {
      if (silent) {
        ++r.gaps;
        r.longest_gap = std::max(r.longest_gap, silent);
      }
      const int64_t jump = *k - (prev + 1);
      if (jump > 0 && static_cast<size_t>(jump) == silent) {
        ++r.empty_cycles;
        r.empty_cycle_frames += silent;
      } else if (jump != 0) {
        ++r.breaks;
        if (std::llabs(jump) > std::llabs(r.worst_jump)) r.worst_jump = jump;
      }
    } else {
      r.first = *k;
    }
    silent = 0;
    prev = *k;
    r.last = *k;
    ++r.heard;
  }
  return r;
}

}  // namespace sc::test
