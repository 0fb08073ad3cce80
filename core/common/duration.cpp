#include "core/common/duration.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace sc {
namespace {

struct Unit {
  std::string_view name;
  double ns;
};
// Ordered from largest to smallest; "ms" and "us" before "m"/"s" is handled by longest match.
constexpr std::array<Unit, 5> kUnits{
    {{"h", 3600e9}, {"m", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}}};

Error bad(std::string_view text, std::string_view what, std::string_view why) {
  return make_error(Exit::usage, fmt::format("{}: '{}' is not a duration ({})", what, text, why),
                    "write durations as 1.5, 500ms, 2s, 1m30s or 10h");
}

}  // namespace

Result<Duration> parse_duration(std::string_view text, std::string_view what) {
  if (text.empty()) return bad(text, what, "empty");
  double total_ns = 0;
  size_t pos = 0;
  int last_unit = -1;
  while (pos < text.size()) {
    // Number: digits with at most one '.'.
    size_t start = pos;
    bool dot = false;
    while (pos < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[pos])) || (text[pos] == '.' && !dot))) {
      dot = dot || text[pos] == '.';
      ++pos;
    }
    if (pos == start || (pos == start + 1 && dot)) {
      return bad(text, what, text[start] == '-' ? "negative" : "expected a number");
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + pos, value);
    if (ec != std::errc() || ptr != text.data() + pos) return bad(text, what, "bad number");
    // Unit: the longest unit name that matches here.
    size_t ustart = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view uname = text.substr(ustart, pos - ustart);
    int unit = -1;
    if (uname.empty()) {
      if (pos != text.size() || last_unit != -1)
        return bad(text, what, "a number needs a unit here");
      unit = 2;  // bare number: seconds
    } else {
      for (size_t i = 0; i < kUnits.size(); ++i)
        if (kUnits[i].name == uname) unit = static_cast<int>(i);
      if (unit < 0) return bad(text, what, fmt::format("unknown unit '{}'", uname));
    }
    if (unit <= last_unit)
      return bad(text, what, "units must go from larger to smaller, once each");
    last_unit = unit;
    total_ns += value * kUnits[static_cast<size_t>(unit)].ns;
  }
  if (!std::isfinite(total_ns) || total_ns > 1e18) return bad(text, what, "too long");
  return Duration(static_cast<int64_t>(std::llround(total_ns)));
}

std::string format_duration(Duration d) {
  const int64_t ns = d.count();
  if (ns == 0) return "0s";
  if (ns % 1'000'000'000 == 0) {
    int64_t s = ns / 1'000'000'000;
    std::string out;
    if (s >= 3600) out += fmt::format("{}h", s / 3600), s %= 3600;
    if (s >= 60) out += fmt::format("{}m", s / 60), s %= 60;
    if (s > 0) out += fmt::format("{}s", s);
    return out;
  }
  if (ns >= 1'000'000'000) return fmt::format("{:g}s", static_cast<double>(ns) / 1e9);
  if (ns % 1'000'000 == 0 || ns >= 10'000'000)
    return fmt::format("{:g}ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:g}us", static_cast<double>(ns) / 1e3);
}

}  // namespace sc
