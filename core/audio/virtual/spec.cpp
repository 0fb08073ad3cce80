#include "core/audio/virtual/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "core/common/names.h"

namespace sc::audio {
namespace {

constexpr std::string_view kWho = "virtual device";

struct KeyInfo {
  std::string_view name;
  bool repeats;
  std::string_view accepts;  // the hint for a bad value
};

constexpr std::array<KeyInfo, 11> kKeys{{
    {"signal", false, "signal=sine:FREQ, chirp, noise, silence or loop (default sine:1000)"},
    {"level", false, "level=DBFS: the peak level, 0 or below (-6, -20dB; default -6)"},
    {"rate", false, "rate=HZ: a sample rate from 1000 to 768000 (44100, 48k; default 48000)"},
    {"channels", false, "channels=N: input channels from 0 to 32 (default 2)"},
    {"buffer", false, "buffer=FRAMES: the period, from 16 to 65536 frames (default 480)"},
    {"latency", false, "latency=DUR: the loop delay (5ms, 0.005; default 0)"},
    {"speed", false, "speed=realtime or speed=max (default realtime)"},
    {"seed", false, "seed=N: the noise seed, a whole number from 0 to 2^64-1 (default 1)"},
    {"drop", true, "drop=AT[:BACK]: durations from stream start, BACK after AT (drop=2s:3s)"},
    {"xrun", true, "xrun=AT: a duration from stream start (xrun=1.5s)"},
    {"rate-change", true, "rate-change=AT:HZ, HZ from 1000 to 768000 (rate-change=2s:44100)"},
}};

constexpr size_t kSignalKey = 0;
static_assert(kKeys[kSignalKey].name == "signal");

Error bad(std::string message, std::string_view hint) {
  return make_error(Exit::usage, fmt::format("{}: {}", kWho, message), std::string(hint));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A finite decimal number, optionally with a 'k' suffix (x1000): "48000", "44.1k", "-6".
std::optional<double> parse_number(std::string_view text) {
  double scale = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) {
    scale = 1000;
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  std::string_view digits = text.front() == '+' ? text.substr(1) : text;
  double value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                   std::chars_format::fixed);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value))
    return std::nullopt;
  // 11.025k: 11.025 is not exact in binary, so the product lands a hair off 11025.
  const double scaled = value * scale;
  return scale != 1 && std::abs(scaled - std::round(scaled)) < 1e-6 ? std::round(scaled) : scaled;
}

// A whole number of Hz ("48000", "48k", "44.1k") within the device's rates.
Result<unsigned> parse_rate(std::string_view key, std::string_view text) {
  const auto& info =
      *std::find_if(kKeys.begin(), kKeys.end(), [&](const KeyInfo& k) { return k.name == key; });
  auto v = parse_number(text);
  if (!v || *v != std::floor(*v))
    return bad(fmt::format("{} '{}' is not a whole number of Hz", key, text), info.accepts);
  if (*v < kVirtualMinRate || *v > kVirtualMaxRate)
    return bad(
        fmt::format("{} '{}' is outside {}..{}", key, text, kVirtualMinRate, kVirtualMaxRate),
        info.accepts);
  return static_cast<unsigned>(*v);
}

// A whole number in lo..hi.
Result<uint64_t> parse_whole(const KeyInfo& key, std::string_view text, uint64_t lo, uint64_t hi) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != text.data() + text.size())
    return bad(fmt::format("{} '{}' is not a whole number", key.name, text), key.accepts);
  if (ec == std::errc::result_out_of_range || value < lo || value > hi)
    return bad(fmt::format("{} '{}' is outside {}..{}", key.name, text, lo, hi), key.accepts);
  return value;
}

Result<Duration> parse_time(const KeyInfo& key, std::string_view text) {
  auto d = parse_duration(text, fmt::format("{}: {}", kWho, key.name));
  if (!d) {
    Error e = d.error();
    e.hint = fmt::format("{}; {}", key.accepts, e.hint);
    return e;
  }
  return *d;
}

Status parse_signal(const KeyInfo& key, std::string_view value, VirtualSpec& spec) {
  static constexpr std::array<std::pair<std::string_view, VirtualSignal>, 5> kSignals{{
      {"sine", VirtualSignal::sine},
      {"chirp", VirtualSignal::chirp},
      {"noise", VirtualSignal::noise},
      {"silence", VirtualSignal::silence},
      {"loop", VirtualSignal::loop},
  }};
  const auto colon = value.find(':');
  const std::string_view name = value.substr(0, colon);
  for (const auto& [n, kind] : kSignals) {
    if (fold_name(name) != n) continue;
    spec.signal = kind;
    if (colon == std::string_view::npos) return ok_status();  // sine: 1000 Hz
    if (kind != VirtualSignal::sine)
      return bad(fmt::format("signal '{}' takes no parameter", value), key.accepts);
    const std::string_view freq = value.substr(colon + 1);
    auto f = parse_number(freq);
    if (!f || *f <= 0)
      return bad(fmt::format("signal '{}' needs a frequency above 0 Hz", value), key.accepts);
    spec.frequency = *f;
    return ok_status();
  }
  std::vector<std::string> names;
  for (const auto& s : kSignals) names.emplace_back(s.first);
  auto close = close_matches(name, names);
  return bad(
      fmt::format("signal '{}' is not one of sine:FREQ, chirp, noise, silence or loop", value),
      close.empty() ? std::string(key.accepts)
                    : fmt::format("did you mean {}? {}", close.front(), key.accepts));
}

Status parse_level(const KeyInfo& key, std::string_view value, VirtualSpec& spec) {
  std::string_view number = value;
  for (std::string_view unit : {"dbfs", "db"}) {
    if (number.size() > unit.size() &&
        fold_name(number.substr(number.size() - unit.size())) == unit) {
      number.remove_suffix(unit.size());
      break;
    }
  }
  auto v = (!number.empty() && (number.back() == 'k' || number.back() == 'K'))
               ? std::nullopt
               : parse_number(number);
  if (!v) return bad(fmt::format("level '{}' is not a number of dBFS", value), key.accepts);
  if (*v > 0) return bad(fmt::format("level '{}' is above 0 dBFS", value), key.accepts);
  spec.level_dbfs = *v;
  return ok_status();
}

Status parse_fault(const KeyInfo& key, std::string_view value, VirtualSpec& spec) {
  VirtualFault f;
  const auto colon = value.find(':');
  const std::string_view first = value.substr(0, colon);
  const std::string_view second =
      colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
  auto at = parse_time(key, first);
  if (!at) return at.error();
  f.at = *at;
  if (key.name == "xrun") {
    f.kind = VirtualFault::Kind::xrun;
    if (colon != std::string_view::npos)
      return bad(fmt::format("xrun '{}' takes one time", value), key.accepts);
  } else if (key.name == "drop") {
    f.kind = VirtualFault::Kind::drop;
    if (colon != std::string_view::npos) {
      auto back = parse_time(key, second);
      if (!back) return back.error();
      if (*back <= *at)
        return bad(fmt::format("drop '{}' comes back before it goes away", value), key.accepts);
      f.back = *back;
    }
  } else {
    f.kind = VirtualFault::Kind::rate_change;
    if (colon == std::string_view::npos)
      return bad(fmt::format("rate-change '{}' needs a rate (AT:HZ)", value), key.accepts);
    auto rate = parse_rate("rate-change", second);
    if (!rate) return rate.error();
    f.rate = *rate;
  }
  spec.faults.push_back(f);
  return ok_status();
}

Status parse_item(const KeyInfo& key, std::string_view value, VirtualSpec& spec) {
  const std::string_view name = key.name;
  if (name == "signal") return parse_signal(key, value, spec);
  if (name == "level") return parse_level(key, value, spec);
  if (name == "rate") {
    auto r = parse_rate("rate", value);
    if (!r) return r.error();
    spec.rate = *r;
  } else if (name == "channels") {
    auto n = parse_whole(key, value, 0, kVirtualMaxChannels);
    if (!n) return n.error();
    spec.channels = static_cast<unsigned>(*n);
  } else if (name == "buffer") {
    auto n = parse_whole(key, value, kVirtualMinBuffer, kVirtualMaxBuffer);
    if (!n) return n.error();
    spec.buffer = static_cast<unsigned>(*n);
  } else if (name == "latency") {
    auto d = parse_time(key, value);
    if (!d) return d.error();
    spec.latency = *d;
  } else if (name == "speed") {
    if (fold_name(value) == "realtime") {
      spec.speed = VirtualSpeed::realtime;
    } else if (fold_name(value) == "max") {
      spec.speed = VirtualSpeed::max;
    } else {
      return bad(fmt::format("speed '{}' is not realtime or max", value), key.accepts);
    }
  } else if (name == "seed") {
    auto n = parse_whole(key, value, 0, UINT64_MAX);
    if (!n) return n.error();
    spec.seed = *n;
  } else {
    return parse_fault(key, value, spec);
  }
  return ok_status();
}

std::string fault_name(const VirtualFault& f) {
  switch (f.kind) {
    case VirtualFault::Kind::drop:
      return f.back ? fmt::format("drop={}:{}", format_duration(f.at), format_duration(*f.back))
                    : fmt::format("drop={}", format_duration(f.at));
    case VirtualFault::Kind::xrun:
      return fmt::format("xrun={}", format_duration(f.at));
    case VirtualFault::Kind::rate_change:
      return fmt::format("rate-change={}:{}", format_duration(f.at), f.rate);
  }
  return {};
}

// Checks that need every key: the sine below every Nyquist frequency, nothing after the end.
Status check_whole(VirtualSpec& spec, bool signal_given) {
  std::stable_sort(spec.faults.begin(), spec.faults.end(),
                   [](const VirtualFault& a, const VirtualFault& b) { return a.at < b.at; });
  if (spec.signal == VirtualSignal::sine) {
    unsigned lowest = spec.rate;
    for (const auto& f : spec.faults)
      if (f.kind == VirtualFault::Kind::rate_change) lowest = std::min(lowest, f.rate);
    if (spec.frequency >= lowest / 2.0)
      return bad(fmt::format("{}signal 'sine:{}' is not below half the rate ({} Hz)",
                             signal_given ? "" : "the default ", spec.frequency, lowest / 2.0),
                 "the sine frequency must be below rate/2 at every rate (rate, rate-change); "
                 "choose signal=sine:FREQ or another signal");
  }
  const VirtualFault* end = nullptr;
  for (const auto& f : spec.faults) {
    if (end != nullptr)
      return bad(fmt::format("{} comes after {}, where the device is gone for good", fault_name(f),
                             fault_name(*end)),
                 "give the drop a time to come back (drop=AT:BACK), or move the other fault");
    if (f.kind == VirtualFault::Kind::drop && !f.back) end = &f;
  }
  return ok_status();
}

}  // namespace

std::string VirtualSpec::label() const {
  return options.empty() ? std::string("virtual") : fmt::format("virtual:{}", options);
}

const std::vector<std::string>& virtual_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto& k : kKeys) out.emplace_back(k.name);
    return out;
  }();
  return keys;
}

Result<VirtualSpec> parse_virtual_spec(std::string_view options) {
  VirtualSpec spec;
  spec.options = std::string(options);
  if (trim(options).empty()) return spec;
  std::array<std::string_view, kKeys.size()> seen{};  // the item that set each key
  size_t pos = 0;
  while (pos <= options.size()) {
    size_t comma = options.find(',', pos);
    if (comma == std::string_view::npos) comma = options.size();
    const std::string_view item = trim(options.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty())
      return bad(fmt::format("empty option in '{}'", options),
                 "separate key=value options with single commas");
    const auto eq = item.find('=');
    const std::string_view key = trim(item.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : trim(item.substr(eq + 1));
    size_t index = kKeys.size();
    for (size_t i = 0; i < kKeys.size(); ++i)
      if (fold_name(key) == fold_name(kKeys[i].name)) index = i;
    if (index == kKeys.size()) {
      auto close = close_matches(key, virtual_keys());
      const std::string keys = join_comma(virtual_keys());
      return bad(fmt::format("unknown key '{}'", key),
                 close.empty() ? fmt::format("keys: {}", keys)
                               : fmt::format("did you mean {}? keys: {}", close.front(), keys));
    }
    const KeyInfo& info = kKeys[index];
    if (eq == std::string_view::npos || value.empty())
      return bad(fmt::format("{} needs a value ('{}')", info.name, item), info.accepts);
    if (!info.repeats && !seen[index].empty())
      return bad(fmt::format("{} is given twice ('{}' and '{}')", info.name, seen[index], item),
                 "only drop, xrun and rate-change may repeat");
    seen[index] = item;
    if (auto st = parse_item(info, value, spec); !st) return st.error();
  }
  if (auto st = check_whole(spec, !seen[kSignalKey].empty()); !st) return st.error();
  return spec;
}

}  // namespace sc::audio
