#include "cli/route.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "cli/common.h"
#include "cli/output.h"
#include "core/audio/registry.h"
#include "core/common/names.h"

namespace sc::cli {
namespace {

using audio::DeviceInfo;

// The APIs --api accepts: those listed by this build, then the virtual device.
std::vector<std::string> known_apis() {
  auto apis = audio::device_apis();
  apis.emplace_back("virtual");
  return apis;
}

// "8000-192000 (8)" for many rates, "44100, 48000" for a few, "-" for none.
std::string rates_text(const std::vector<unsigned>& rates) {
  if (rates.empty()) return "-";
  if (rates.size() <= 3) {
    std::vector<std::string> items;
    for (auto r : rates) items.push_back(std::to_string(r));
    return join_comma(items);
  }
  return fmt::format("{}-{} ({})", rates.front(), rates.back(), rates.size());
}

std::string defaults_text(const DeviceInfo& d) {
  if (d.default_input && d.default_output) return "input, output";
  if (d.default_input) return "input";
  if (d.default_output) return "output";
  return "";
}

std::string count_text(unsigned n) { return n ? std::to_string(n) : "-"; }

nlohmann::ordered_json device_json(const DeviceInfo& d) {
  using json = nlohmann::ordered_json;
  json j;
  j["index"] = d.index;
  j["api"] = d.api;
  j["name"] = d.name;
  j["id"] = d.id.empty() ? json(nullptr) : json(d.id);
  j["input_channels"] = d.input_channels;
  j["output_channels"] = d.output_channels;
  j["rates"] = d.rates;
  j["preferred_rate"] = d.preferred_rate ? json(d.preferred_rate) : json(nullptr);
  j["default_input"] = d.default_input;
  j["default_output"] = d.default_output;
  return j;
}

// A table with a header and columns as wide as their widest cell; numbers right-aligned.
void print_table(const std::vector<DeviceInfo>& devices) {
  std::vector<std::array<std::string, 8>> rows;
  rows.push_back({"#", "API", "NAME", "ID", "IN", "OUT", "RATE", "RATES"});
  for (const auto& d : devices)
    rows.push_back({std::to_string(d.index), d.api, d.name, d.id.empty() ? "-" : d.id,
                    count_text(d.input_channels), count_text(d.output_channels),
                    d.preferred_rate ? std::to_string(d.preferred_rate) : "-",
                    rates_text(d.rates)});
  std::array<size_t, 8> width{};
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  constexpr std::array<bool, 8> right = {true, false, false, false, true, true, true, false};
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (size_t c = 0; c < rows[i].size(); ++c) {
      if (c > 0) line += "  ";
      line += right[c] ? fmt::format("{:>{}}", rows[i][c], width[c])
                       : fmt::format("{:<{}}", rows[i][c], width[c]);
    }
    line += i == 0 ? "  DEFAULT"
                   : (defaults_text(devices[i - 1]).empty() ? ""
                                                            : "  " + defaults_text(devices[i - 1]));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
}

std::string empty_hint(const std::string& api) {
  if (api == "jack") return "start a JACK server, or use the virtual device (-D virtual)";
  if (api == "alsa") return "no ALSA card or plugin answered; use the virtual device (-D virtual)";
  return "start PulseAudio (scripts/start-pulse), or use the virtual device (-D virtual)";
}

}  // namespace

void setup_route(CLI::App& parent, RouteOptions& opts, const GlobalOptions& g,
                 std::function<int()>& action) {
  auto* route = parent.add_subcommand(
      "route", "Audio routes: devices, the route a profile gets, route changes, the loopback test");
  route->require_subcommand(1);
  auto* list =
      route->add_subcommand("list", "List the devices of every audio API and the virtual device");
  list->add_flag("--input", opts.list.input, "Only devices that can capture");
  list->add_flag("--output", opts.list.output, "Only devices that can play");
  list->add_option("--api", opts.list.api, "Only this API: pulse, alsa, jack, virtual")
      ->type_name("NAME");
  list->callback([&] { action = [&] { return run_route_list(opts.list, g); }; });
  setup_route_show(*route, opts.show, g, action);
  setup_route_set(*route, opts.set, g, action);
  setup_route_watch(*route, opts.watch, g, action);
  setup_route_test(*route, opts.test, g, action);
  setup_route_loopback(*route, opts.loopback, g, action);
}

int run_route_list(const RouteListOptions& opts, const GlobalOptions& g) {
  const std::string api = to_lower(opts.api);
  if (!opts.api.empty()) {
    const auto apis = known_apis();
    if (std::find(apis.begin(), apis.end(), api) == apis.end()) {
      auto near = close_matches(opts.api, apis);
      const std::string listed = fmt::format("APIs: {}", join_comma(apis));
      return report_error(
          g, "route list",
          make_error(
              Exit::usage, fmt::format("unknown API '{}'", opts.api),
              near.empty() ? listed : fmt::format("did you mean {}? {}", join_or(near), listed)));
    }
  }
  // --input and --output together ask for both, the same as neither.
  const bool only_input = opts.input && !opts.output;
  const bool only_output = opts.output && !opts.input;
  std::vector<DeviceInfo> shown;
  for (auto& d : audio::list_devices()) {
    if (!api.empty() && d.api != api) continue;
    if (only_input && d.input_channels == 0) continue;
    if (only_output && d.output_channels == 0) continue;
    shown.push_back(std::move(d));
  }

  if (g.json) {
    auto devices = nlohmann::ordered_json::array();
    for (const auto& d : shown) devices.push_back(device_json(d));
    print_json({{"ok", true}, {"command", "route list"}, {"devices", devices}});
    return 0;
  }
  if (shown.empty()) {
    const std::string what = only_input ? "input " : only_output ? "output " : "";
    fmt::print("no {}{}devices\nhint: {}\n", api.empty() ? "" : api + " ", what, empty_hint(api));
    return 0;
  }
  print_table(shown);
  return 0;
}

}  // namespace sc::cli
