// Durations as users write them: "1.5" (seconds), "500ms", "2s", "1m30s", "10h", "1h20m5.5s".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/error.h"

namespace sc {

using Duration = std::chrono::nanoseconds;

// Parses a non-negative duration. Units: h, m (minutes), s, ms, us; a bare number is seconds.
// Components go from larger to smaller units, each at most once ("1m30s", not "30s1m").
// Errors are Exit::usage with a message that quotes the input; `what` names the option
// ("--duration") for the message.
Result<Duration> parse_duration(std::string_view text, std::string_view what);

// Seconds as a double, for JSON and arithmetic.
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// How long `frames` frames last at `rate` (0 counts as 1), floored to the nanosecond; whole
// seconds and the rest apart, so no product overflows 64 bits.
inline Duration frames_duration(uint64_t frames, unsigned rate) {
  const uint64_t r = rate ? rate : 1;
  return Duration(
      static_cast<int64_t>(frames / r * 1'000'000'000 + frames % r * 1'000'000'000 / r));
}

// Shortest exact-ish human form: "5ms", "2s", "1m30s", "1h", "1.5s", "250us".
std::string format_duration(Duration d);

}  // namespace sc
