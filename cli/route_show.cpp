// `soundcheck route show [profile options] [--input SPEC] [--output SPEC]`: the route a
// session with this profile gets, in AVAudioSession's terms (core/route/route_report.h).
// Text: aligned "key: value" lines on stdout; --json: one document with AVAudioSession's
// names. Activates no session.
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/route.h"
#include "core/common/names.h"
#include "core/route/route_report.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;
using route::PortReport;
using route::RouteReport;

constexpr const char* kCmd = "route show";

json seconds(const std::optional<Duration>& d) { return d ? json(to_seconds(*d)) : json(nullptr); }

json port_json(const PortReport& p) {
  auto text = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j;
  j["port_type"] = p.port_type;
  j["port_type_reason"] = p.port_type_reason;
  j["name"] = p.name;
  j["api"] = p.api;
  j["id"] = text(p.id);
  j["channels"] = p.channels;
  j["spec"] = p.choice.spec;
  j["source"] = std::string(source_name(p.choice.source));
  j["unavailable_preference"] = text(p.wanted);
  j["sample_rate"] = p.sample_rate ? json(p.sample_rate) : json(nullptr);
  j["device_sample_rate"] = p.device_sample_rate ? json(p.device_sample_rate) : json(nullptr);
  j["io_buffer_duration"] = seconds(p.io_buffer_duration);
  j["io_buffer_frames"] = p.io_buffer_frames ? json(p.io_buffer_frames) : json(nullptr);
  j["latency"] = seconds(p.latency);
  j["measured"] = p.unmeasured.empty();
  j["unmeasured_reason"] = text(p.unmeasured);
  return j;
}

json report_json(const RouteReport& r) {
  json inputs = json::array(), outputs = json::array();
  for (const auto& p : r.inputs) inputs.push_back(port_json(p));
  for (const auto& p : r.outputs) outputs.push_back(port_json(p));
  json j;
  j["ok"] = true;
  j["command"] = kCmd;
  j["profile"] = profile_json(r.profile);
  j["category"] = std::string(name(r.profile.category));
  j["mode"] = std::string(name(r.profile.mode));
  j["category_options"] = option_names(r.profile);
  j["sample_rate"] = r.sample_rate ? json(r.sample_rate) : json(nullptr);
  j["preferred_sample_rate"] =
      r.preferred_sample_rate ? json(*r.preferred_sample_rate) : json(nullptr);
  j["io_buffer_duration"] = seconds(r.io_buffer_duration);
  j["preferred_io_buffer_duration"] = seconds(r.preferred_io_buffer_duration);
  j["input_latency"] = seconds(r.input_latency);
  j["output_latency"] = seconds(r.output_latency);
  j["input_channels"] = r.input_channels;
  j["output_channels"] = r.output_channels;
  j["route"] = {{"inputs", inputs}, {"outputs", outputs}};
  j["notes"] = r.notes;
  return j;
}

std::string ms(const std::optional<Duration>& d) {
  return d ? fmt::format("{:.1f} ms", to_seconds(*d) * 1000) : "unknown";
}

void print_text(const RouteReport& r) {
  std::vector<std::pair<std::string, std::string>> rows;
  const Profile& p = r.profile;
  rows.emplace_back("profile", p.name.empty() ? "(flags and defaults)" : p.name);
  rows.emplace_back("category", std::string(name(p.category)));
  rows.emplace_back("mode", std::string(name(p.mode)));
  const auto options = option_names(p);
  rows.emplace_back("options", options.empty() ? "none"
                                               : fmt::format("{} (0x{:x})", join_comma(options),
                                                             p.options_value()));
  rows.emplace_back("mixable", is_mixable(p) ? "yes" : "no");
  for (auto [side, ports] : {std::pair{"input", &r.inputs}, std::pair{"output", &r.outputs}}) {
    const std::string s = side;
    for (const auto& port : *ports) {
      rows.emplace_back(s, port.name);
      rows.emplace_back(s + " port type",
                        fmt::format("{} (a guess: {})", port.port_type, port.port_type_reason));
      rows.emplace_back(s + " device",
                        port.id.empty() ? port.api : fmt::format("{}, id {}", port.api, port.id));
      rows.emplace_back(
          s + " chosen by",
          port.choice.source != DeviceSource::fallback
              ? fmt::format("{}: {}", source_name(port.choice.source), port.choice.spec)
          : port.wanted.empty() ? std::string("the default (no preference)")
                                : fmt::format("the default ({} is not available)", port.wanted));
      rows.emplace_back(s + " channels", std::to_string(port.channels));
      if (r.inputs.empty() || r.outputs.empty()) continue;  // else the session's is the input's
      rows.emplace_back(s + " sample rate", port.sample_rate
                                                ? fmt::format("{} Hz", port.sample_rate)
                                                : std::string("unknown"));
    }
  }
  if (r.inputs.empty() && r.outputs.empty()) rows.emplace_back("route", "none");
  rows.emplace_back(
      "sample rate",
      fmt::format(
          "{} (preferred: {})", r.sample_rate ? fmt::format("{} Hz", r.sample_rate) : "unknown",
          r.preferred_sample_rate ? fmt::format("{} Hz", *r.preferred_sample_rate) : "none"));
  const PortReport* main = !r.inputs.empty()    ? &r.inputs.front()
                           : !r.outputs.empty() ? &r.outputs.front()
                                                : nullptr;
  std::string buffer = ms(r.io_buffer_duration);
  if (main && main->io_buffer_frames) buffer += fmt::format(", {} frames", main->io_buffer_frames);
  rows.emplace_back(
      "I/O buffer duration",
      fmt::format("{} (preferred: {})", buffer,
                  r.preferred_io_buffer_duration ? ms(r.preferred_io_buffer_duration) : "none"));
  if (!r.inputs.empty()) rows.emplace_back("input latency", ms(r.input_latency));
  if (!r.outputs.empty()) rows.emplace_back("output latency", ms(r.output_latency));
  for (const auto& note : r.notes) rows.emplace_back("note", note);
  size_t width = 0;
  for (const auto& [k, v] : rows) width = std::max(width, k.size() + 1);
  for (const auto& [k, v] : rows) fmt::print("{:<{}} {}\n", k + ":", width, v);
}

int run_route_show(const RouteShowOptions& opts, const GlobalOptions& g) {
  auto profile = load_profile(g, kCmd, opts.profile, Category::soloAmbient);
  if (!profile) return report_error(g, kCmd, profile.error());
  const bool explicit_config = !g.config.empty();
  const std::string config = explicit_config ? g.config : default_config_path();
  auto input =
      read_candidates(opts.input, config, explicit_config, opts.profile, audio::Direction::input);
  if (!input) return report_error(g, kCmd, input.error());
  auto output =
      read_candidates(opts.output, config, explicit_config, opts.profile, audio::Direction::output);
  if (!output) return report_error(g, kCmd, output.error());
  auto report = route::route_report(*profile, *input, *output);
  if (!report) return report_error(g, kCmd, report.error());
  // A stored preference that was gone is said on stderr too (the report has it as a note).
  for (const auto* side : {&report->inputs, &report->outputs})
    for (const auto& port : *side)
      if (!port.notice.empty()) fmt::print(stderr, "soundcheck {}: {}\n", kCmd, port.notice);
  if (g.json)
    print_json(report_json(*report));
  else
    print_text(*report);
  return 0;
}

}  // namespace

void setup_route_show(CLI::App& route, RouteShowOptions& opts, const GlobalOptions& g,
                      std::function<int()>& action) {
  auto* show = route.add_subcommand(
      "show",
      "The route a session with this profile gets: devices and port types, actual and "
      "preferred rate and I/O buffer, latencies, channels");
  add_profile_options(*show, opts.profile);
  show->add_option("--input", opts.input, "Input device SPEC instead of the preferred one")
      ->type_name("SPEC");
  show->add_option("--output", opts.output, "Output device SPEC instead of the preferred one")
      ->type_name("SPEC");
  show->callback([&] { action = [&] { return run_route_show(opts, g); }; });
}

}  // namespace sc::cli
