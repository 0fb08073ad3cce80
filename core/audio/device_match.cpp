#include "core/audio/device_match.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "core/common/names.h"

namespace sc::audio {
namespace {

// The APIs a SPEC may name before a colon, and the order "default" tries them in.
constexpr std::array<std::string_view, 4> kApiPrefixes = {"pulse", "alsa", "jack", "virtual"};
constexpr std::array<std::string_view, 3> kDefaultOrder = {"pulse", "jack", "alsa"};

constexpr size_t kMaxListed = 8;  // candidates named in an ambiguity message

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool contains(std::string_view hay, std::string_view needle) {
  return to_lower(hay).find(to_lower(needle)) != std::string::npos;
}

bool equals(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

bool matches_exactly(const DeviceInfo& d, std::string_view text) {
  return equals(d.name, text) || (!d.id.empty() && equals(d.id, text));
}

bool matches_part(const DeviceInfo& d, std::string_view text) {
  return contains(d.name, text) || (!d.id.empty() && contains(d.id, text));
}

bool is_default_for(const DeviceInfo& d, Direction dir) {
  return dir == Direction::input ? d.default_input : d.default_output;
}

// "[0] Monitor of Null Output (pulse)", with the id when it tells more: "[4] Monitor of Null
// Output (pulse, a.monitor)"; without "[N] " when the listing has no indexes (-1).
std::string label(const DeviceInfo& d) {
  const std::string index = d.index >= 0 ? fmt::format("[{}] ", d.index) : std::string();
  if (d.id.empty() || d.id == d.name) return fmt::format("{}{} ({})", index, d.name, d.api);
  return fmt::format("{}{} ({}, {})", index, d.name, d.api, d.id);
}

std::string route_list_hint(Direction dir) {
  return fmt::format("see 'soundcheck route list --{}'", direction_name(dir));
}

std::string no_devices_hint(std::string_view api) {
  if (api == "jack") return "start a JACK server, or use -D virtual";
  if (api == "alsa") return "no ALSA card or plugin answered; use -D virtual";
  return "start PulseAudio (scripts/start-pulse) or use -D virtual";
}

// The default device of `api` for `dir`: the one the API flags as default, else its first.
std::optional<size_t> default_of_api(std::span<const DeviceInfo> devices, std::string_view api,
                                     Direction dir) {
  std::optional<size_t> first;
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    if (d.api != api || !can_do(d, dir)) continue;
    if (is_default_for(d, dir)) return i;
    if (!first) first = i;
  }
  return first;
}

Result<size_t> resolve_default(std::span<const DeviceInfo> devices, Direction dir) {
  for (auto api : kDefaultOrder)
    if (auto i = default_of_api(devices, api, dir)) return *i;
  return make_error(Exit::no_input, fmt::format("no {} device found", direction_name(dir)),
                    no_devices_hint("pulse"));
}

// A device at the wrong direction that `text` names, and what to use instead: its monitor
// for a PulseAudio sink asked for input ("'Null Output' has no input channels; its monitor
// 'Monitor of Null Output' does (-D loop.monitor)").
std::string wrong_direction_hint(std::span<const DeviceInfo> devices, const DeviceInfo& d,
                                 Direction dir) {
  std::string hint =
      fmt::format("'{}' ({}) has no {} channels", d.name, d.api, direction_name(dir));
  if (dir == Direction::input && d.api == "pulse" && !d.id.empty()) {
    for (const auto& m : devices) {
      if (m.api == d.api && m.id == d.id + ".monitor" && can_do(m, dir))
        return hint + fmt::format("; its monitor '{}' does (-D {})", m.name, m.id);
    }
  }
  return hint + "; " + route_list_hint(dir);
}

Error no_match(std::span<const DeviceInfo> devices, std::string_view spec, std::string_view api,
               std::string_view text, Direction dir) {
  const std::string message = fmt::format("no {} device matches '{}'", direction_name(dir), spec);
  std::vector<std::string> names;
  bool any_candidate = false;
  const DeviceInfo* wrong_way = nullptr;
  for (const auto& d : devices) {
    if (!api.empty() && d.api != api) continue;
    if (!can_do(d, dir)) {
      if (!wrong_way && !text.empty() && matches_part(d, text)) wrong_way = &d;
      continue;
    }
    any_candidate = true;
    names.push_back(d.name);
    if (!d.id.empty() && d.id != d.name) names.push_back(d.id);
  }
  if (wrong_way)
    return make_error(Exit::no_input, message, wrong_direction_hint(devices, *wrong_way, dir));
  if (!any_candidate) {
    const std::string what = api.empty() ? std::string() : std::string(api) + " ";
    return make_error(Exit::no_input, message,
                      fmt::format("there is no {}{} device here; {}", what, direction_name(dir),
                                  no_devices_hint(api)));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto near = close_matches(text, names);
  if (near.empty()) return make_error(Exit::no_input, message, route_list_hint(dir));
  for (auto& n : near) n = "'" + n + "'";
  return make_error(Exit::no_input, message,
                    fmt::format("did you mean {}? {}", join_or(near), route_list_hint(dir)));
}

Error ambiguous(std::span<const DeviceInfo> devices, const std::vector<size_t>& found,
                std::string_view spec, Direction dir) {
  std::vector<std::string> labels;
  for (size_t k = 0; k < found.size() && k < kMaxListed; ++k)
    labels.push_back(label(devices[found[k]]));
  if (found.size() > kMaxListed) labels.emplace_back("...");
  return make_error(Exit::usage,
                    fmt::format("'{}' matches {} {} devices: {}", spec, found.size(),
                                direction_name(dir), join_comma(labels)),
                    "give more of the name, the index, or API:name");
}

Result<size_t> resolve_index(std::span<const DeviceInfo> devices, std::string_view spec,
                             Direction dir) {
  unsigned long long n = 0;
  for (char c : spec) {
    n = n * 10 + static_cast<unsigned>(c - '0');
    if (n > 1'000'000) break;
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    if (devices[i].index < 0 || static_cast<unsigned long long>(devices[i].index) != n) continue;
    if (can_do(devices[i], dir)) return i;
    return make_error(Exit::no_input,
                      fmt::format("device {} '{}' ({}) has no {} channels", devices[i].index,
                                  devices[i].name, devices[i].api, direction_name(dir)),
                      wrong_direction_hint(devices, devices[i], dir));
  }
  return make_error(Exit::no_input, fmt::format("no device has index {}", spec),
                    devices.empty() ? "there are no devices; " + no_devices_hint("pulse")
                                    : fmt::format("indexes go from 0 to {}; {}", devices.size() - 1,
                                                  route_list_hint(dir)));
}

}  // namespace

std::string_view direction_name(Direction dir) {
  return dir == Direction::input ? "input" : "output";
}

bool can_do(const DeviceInfo& d, Direction dir) {
  return (dir == Direction::input ? d.input_channels : d.output_channels) > 0;
}

Result<size_t> match_device(std::span<const DeviceInfo> devices, std::string_view spec,
                            Direction dir) {
  spec = trim(spec);
  if (spec.empty())
    return make_error(
        Exit::usage, "empty device name",
        "give default, an index, a part of a name, or API:name; " + route_list_hint(dir));
  if (equals(spec, "default")) return resolve_default(devices, dir);
  if (all_digits(spec)) return resolve_index(devices, spec, dir);

  std::string api;
  std::string_view text = spec;
  if (const auto colon = spec.find(':'); colon != std::string_view::npos) {
    const std::string prefix = to_lower(spec.substr(0, colon));
    if (std::find(kApiPrefixes.begin(), kApiPrefixes.end(), prefix) != kApiPrefixes.end()) {
      api = prefix;
      text = trim(spec.substr(colon + 1));
    }
  }
  if (!api.empty() && text.empty()) {
    if (auto i = default_of_api(devices, api, dir)) return *i;
    return no_match(devices, spec, api, text, dir);
  }

  std::vector<size_t> exact, partial;
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    if ((!api.empty() && d.api != api) || !can_do(d, dir)) continue;
    if (matches_exactly(d, text)) exact.push_back(i);
    if (matches_part(d, text)) partial.push_back(i);
  }
  if (exact.size() == 1) return exact.front();
  if (exact.size() > 1) return ambiguous(devices, exact, spec, dir);
  if (partial.size() == 1) return partial.front();
  if (partial.size() > 1) return ambiguous(devices, partial, spec, dir);
  return no_match(devices, spec, api, text, dir);
}

}  // namespace sc::audio
