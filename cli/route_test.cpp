// `soundcheck route test`: the loopback self-test (DESIGN.md "route test", CLI.md). Plays the
// test signal (core/route/analysis.h) on the output, captures the input, and checks what came
// back against thresholds; exit 1 names every check that failed.
//
// Default thresholds, for a loopback (a cable, a null sink's monitor, the virtual loop):
//   --max-latency  500ms, or the test's tail when shorter (a fifth of --duration: the largest
//                  latency the test can measure)
//   --min-gain -20 dB, --max-gain +6 dB    --max-noise -50 dBFS    --max-thdn -40 dB
//   --max-dropouts 0
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/route.h"
#include "cli/signals.h"
#include "core/audio/registry.h"
#include "core/common/names.h"
#include "core/route/loop_test.h"
#include "core/session/codes.h"
#include "core/session/route_prefs.h"

namespace sc::cli {
namespace {

constexpr const char* kCmd = "route test";
constexpr auto kDefaultDuration = std::chrono::milliseconds(2500);

// "-20", "-20dB", "+6 dB", "-50dBFS": a finite number of decibels.
Result<double> parse_db(std::string_view text, std::string_view flag) {
  std::string t = to_lower(text);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (const char* unit : {"dbfs", "db"})
    if (t.ends_with(unit)) {
      t.resize(t.size() - std::string_view(unit).size());
      break;
    }
  while (!t.empty() && t.back() == ' ') t.pop_back();
  if (!t.empty() && t.front() == '+') t.erase(0, 1);
  double v = 0;
  const char* end = t.data() + t.size();
  auto [p, ec] = std::from_chars(t.data(), end, v);
  if (t.empty() || ec != std::errc() || p != end || !std::isfinite(v))
    return make_error(Exit::usage, fmt::format("{} '{}' is not a number of decibels", flag, text),
                      fmt::format("give decibels, e.g. {} -20 or {} -20dB", flag, flag));
  return v;
}

Result<long> parse_count(std::string_view text, std::string_view flag) {
  long v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < 0)
    return make_error(Exit::usage, fmt::format("{} '{}' is not a count", flag, text),
                      fmt::format("give a whole number from 0, e.g. {} 0", flag));
  return v;
}

struct Thresholds {
  double max_latency_ms = 500;
  double min_gain = -20, max_gain = 6, max_noise = -50, max_thdn = -40;
  long max_dropouts = 0;
};

Result<Thresholds> parse_thresholds(const RouteTestOptions& o, const route::TestPlan& plan) {
  Thresholds t;
  const double tail_ms = to_seconds(plan.tail) * 1000;
  t.max_latency_ms = std::min(t.max_latency_ms, tail_ms);
  if (!o.max_latency.empty()) {
    auto d = parse_duration(o.max_latency, "--max-latency");
    if (!d) return d.error();
    t.max_latency_ms = to_seconds(*d) * 1000;
    if (t.max_latency_ms > tail_ms)
      return make_error(Exit::usage,
                        fmt::format("--max-latency {} is more than the test can measure: {}",
                                    o.max_latency, format_duration(plan.tail)),
                        "the largest latency measured is a fifth of --duration: give a longer "
                        "--duration, e.g. --duration 5s for up to 1s");
  }
  for (auto [text, flag, slot] : {std::tuple{&o.min_gain, "--min-gain", &t.min_gain},
                                  std::tuple{&o.max_gain, "--max-gain", &t.max_gain},
                                  std::tuple{&o.max_noise, "--max-noise", &t.max_noise},
                                  std::tuple{&o.max_thdn, "--max-thdn", &t.max_thdn}}) {
    if (text->empty()) continue;
    auto v = parse_db(*text, flag);
    if (!v) return v.error();
    *slot = *v;
  }
  if (t.min_gain > t.max_gain)
    return make_error(Exit::usage,
                      fmt::format("--min-gain {} is above --max-gain {}", t.min_gain, t.max_gain),
                      "give a gain range whose minimum is at most its maximum");
  if (!o.max_dropouts.empty()) {
    auto n = parse_count(o.max_dropouts, "--max-dropouts");
    if (!n) return n.error();
    t.max_dropouts = *n;
  }
  return t;
}

struct Check {
  std::string name;  // the measurement ("gain_db")
  std::string flag;  // the threshold's flag ("--min-gain")
  double value = 0, threshold = 0;
  bool below = false;  // the value must be at least the threshold (else at most)
  bool ok() const { return below ? value >= threshold : value <= threshold; }
};

std::vector<Check> checks_of(const route::Measurement& m, const Thresholds& t) {
  return {
      {"latency_ms", "--max-latency", m.latency_ms, t.max_latency_ms, false},
      {"gain_db", "--min-gain", m.gain_db, t.min_gain, true},
      {"gain_db", "--max-gain", m.gain_db, t.max_gain, false},
      {"noise_dbfs", "--max-noise", m.noise_dbfs, t.max_noise, false},
      {"thdn_db", "--max-thdn", m.thdn_db, t.max_thdn, false},
      {"dropouts", "--max-dropouts", static_cast<double>(m.dropouts.size()),
       static_cast<double>(t.max_dropouts), false},
  };
}

std::string number(const Check& c) {
  if (c.name == "dropouts") return fmt::format("{}", c.value);
  // Two decimals, and no "-0.00" for a value that rounds to zero.
  return fmt::format("{:.2f}", std::fabs(c.value) < 0.005 ? 0.0 : c.value);
}
std::string limit(const Check& c) {
  return c.name == "dropouts" ? fmt::format("{}", c.threshold) : fmt::format("{:g}", c.threshold);
}

// "gain_db -23.10 is below --min-gain -20"
std::string failure(const Check& c) {
  return fmt::format("{} {} is {} {} {}", c.name, number(c), c.below ? "below" : "above", c.flag,
                     limit(c));
}

std::string dropout_text(const route::Dropout& d) {
  if (d.shift_frames == 0) return fmt::format("{:.3f} s (a gap)", d.at_s);
  return fmt::format("{:.3f} s ({} frames {})", d.at_s, std::abs(d.shift_frames),
                     d.shift_frames > 0 ? "lost" : "inserted");
}

nlohmann::ordered_json device_json(const std::string& spec, const audio::Device& d,
                                   const audio::StreamDescription& s, unsigned channels) {
  nlohmann::ordered_json j;
  j["spec"] = spec;
  j["api"] = d.info().api;
  j["name"] = d.info().name;
  j["rate"] = s.rate;
  j["channels"] = channels;
  j["fragment_frames"] = s.fragment_frames;
  j["reported_latency_ms"] = to_seconds(s.latency) * 1000;  // the device's word, not measured
  return j;
}

struct Devices {
  std::unique_ptr<audio::Device> input, output;  // output null: the input plays too
  std::string input_spec, output_spec;
  audio::Device& out() { return output ? *output : *input; }
};

Result<Devices> open_devices(const RouteTestOptions& o, const GlobalOptions& g) {
  if (!o.device.empty() && (!o.input.empty() || !o.output.empty()))
    return make_error(Exit::usage, "-D and --input/--output both name devices",
                      "give -D for one duplex device, or --input and --output");
  const bool explicit_config = !g.config.empty();
  const std::string config = explicit_config ? g.config : default_config_path();
  // The one precedence (core/session/route_prefs.h): the flag, SOUNDCHECK_INPUT/OUTPUT, the
  // profile's own, route set's, the config's [route], the default.
  auto in = read_candidates(o.device.empty() ? o.input : o.device, config, explicit_config,
                            o.profile, audio::Direction::input);
  if (!in) return in.error();
  auto out = read_candidates(o.device.empty() ? o.output : o.device, config, explicit_config,
                             o.profile, audio::Direction::output);
  if (!out) return out.error();
  Devices d;
  auto input = open_chosen_device(*in, audio::Direction::input);
  if (!input) return input.error();
  if (!input->notice.empty()) fmt::print(stderr, "soundcheck {}: {}\n", kCmd, input->notice);
  d.input_spec = input->choice.spec;
  d.input = std::move(input->device);
  // -D, or one virtual spec for both (SOUNDCHECK_INPUT and _OUTPUT alike): one device object,
  // which signal=loop needs.
  const std::string out_spec = choose_device(*out).spec;
  if (!o.device.empty() || (out_spec == d.input_spec && out_spec.starts_with("virtual"))) {
    d.output_spec = d.input_spec;
    return d;
  }
  auto output = open_chosen_device(*out, audio::Direction::output);
  if (!output) return output.error();
  if (!output->notice.empty()) fmt::print(stderr, "soundcheck {}: {}\n", kCmd, output->notice);
  d.output_spec = output->choice.spec;
  d.output = std::move(output->device);
  return d;
}

int run_route_test(const RouteTestOptions& opts, const GlobalOptions& g) {
  auto fail = [&](const Error& e) { return report_error(g, kCmd, e); };
  Duration total = kDefaultDuration;
  if (!opts.duration.empty()) {
    auto d = parse_duration(opts.duration, "--duration");
    if (!d) return fail(d.error());
    total = *d;
  }
  auto plan = route::plan_for(total, 48000);
  if (!plan) {
    Error e = plan.error();
    e.message = "--duration: " + e.message;
    return fail(e);
  }
  auto thresholds = parse_thresholds(opts, *plan);
  if (!thresholds) return fail(thresholds.error());

  auto profile = load_profile(g, kCmd, opts.profile, Category::playAndRecord);
  if (!profile) return fail(profile.error());
  if (profile->category != Category::playAndRecord)
    return fail(session_error(
        SessionCode::incompatibleCategory,
        fmt::format("category {} cannot play and record at once", name(profile->category)),
        "route test needs --category playAndRecord (the default)"));
  // As record does: the preferred rate unless the mode is measurement (the device's own).
  if (profile->mode != Mode::measurement)
    plan->rate = profile->preferred_rate.value_or(0);
  else
    plan->rate = 0;
  unsigned buffer_frames = 0;
  if (profile->io_buffer)
    buffer_frames = static_cast<unsigned>(std::max<int64_t>(
        16, std::llround(to_seconds(*profile->io_buffer) * (plan->rate ? plan->rate : 48000))));

  auto devices = open_devices(opts, g);
  if (!devices) return fail(devices.error());
  if (g.verbose)
    fmt::print(stderr, "soundcheck {}: input '{}', output '{}'\n", kCmd, devices->input_spec,
               devices->output_spec);

  install_stop_signals();
  auto run = route::run_loop_test(devices->out(), *devices->input, *plan, &stop_requested(),
                                  buffer_frames);
  if (!run) return fail(run.error());
  const auto& m = run->measurement;

  std::vector<Check> checks;
  std::vector<std::string> failed;
  std::string hint;
  if (m.no_signal) {
    failed.push_back(*m.no_signal);
    hint =
        "check that the output reaches the input (a cable, a monitor source: soundcheck route "
        "loopback up), and the levels";
  } else {
    checks = checks_of(m, *thresholds);
    for (const auto& c : checks)
      if (!c.ok()) failed.push_back(failure(c));
    if (m.dropouts.size() > static_cast<size_t>(thresholds->max_dropouts)) {
      std::vector<std::string> at;
      for (const auto& d : m.dropouts) at.push_back(dropout_text(d));
      hint = fmt::format("dropouts at {}", join_comma(at));
    }
  }
  std::optional<Error> error;
  if (!failed.empty()) {
    std::string message = "route test failed: ";
    for (size_t i = 0; i < failed.size(); ++i) message += (i ? "; " : "") + failed[i];
    error = make_error(Exit::check_failed, message, hint);
  }

  // A round trip below zero cannot be: no frame comes back before it was handed over. The
  // wall-clock alignment of two streams (core/route/loop_test.h) can err by its jitter, a
  // fraction of a millisecond; more than that means the input's blocks came at times that
  // do not follow its frames (a device that delivers in bursts of stale audio).
  std::vector<std::string> notes;
  if (!m.no_signal && m.latency_ms < -0.5)
    notes.push_back(fmt::format(
        "the latency is below zero ({:.1f} ms): the input's blocks came at times that do not "
        "follow its frames, so the capture could not be lined up with the playback; it is not "
        "the device's round trip",
        m.latency_ms));
  if (g.json) {
    using json = nlohmann::ordered_json;
    auto value = [&](double v) { return m.no_signal ? json(nullptr) : json(v); };
    json drop = json::array();
    for (const auto& d : m.dropouts)
      drop.push_back({{"at_s", d.at_s}, {"shift_frames", d.shift_frames}});
    json jchecks = json::array();
    if (m.no_signal)
      jchecks.push_back({{"name", "signal"},
                         {"flag", nullptr},
                         {"value", false},
                         {"threshold", true},
                         {"ok", false}});
    for (const auto& c : checks)
      jchecks.push_back({{"name", c.name},
                         {"flag", c.flag},
                         {"value", c.value},
                         {"threshold", c.threshold},
                         {"ok", c.ok()}});
    json doc{{"ok", !error},
             {"command", kCmd},
             {"input",
              device_json(devices->input_spec, *devices->input, run->input, run->input_channels)},
             {"output",
              device_json(devices->output_spec, devices->out(), run->output, run->output_channels)},
             {"rate", run->plan.rate},
             {"duration_s", to_seconds(total)},
             {"latency_ms", value(m.latency_ms)},
             {"gain_db", value(m.gain_db)},
             {"noise_dbfs", m.noise_dbfs},
             {"thdn_db", value(m.thdn_db)},
             {"dropouts", m.no_signal ? json(nullptr) : json(m.dropouts.size())},
             {"dropout_list", drop},
             {"xruns", run->xruns()},
             {"capture_xruns", run->capture_xruns},
             {"playback_underruns", run->playback_underruns},
             {"no_signal", m.no_signal ? json(*m.no_signal) : json(nullptr)},
             {"checks", jchecks},
             {"notes", notes}};
    if (error) doc["error"] = error_json(*error);
    print_json(doc);
  } else {
    fmt::print("input  '{}' ({}), output '{}' ({}), {} Hz\n", devices->input_spec,
               devices->input->info().name, devices->output_spec, devices->out().info().name,
               run->plan.rate);
    if (m.no_signal) fmt::print("signal       none      FAIL  ({})\n", *m.no_signal);
    for (const auto& c : checks)
      fmt::print("{:<11} {:>8}  {} {:<6} {}\n", c.name, number(c), c.below ? ">=" : "<=", limit(c),
                 c.ok() ? "ok" : "FAIL");
    for (const auto& d : m.dropouts) fmt::print("  dropout at {}\n", dropout_text(d));
    fmt::print("xruns       {:>8}  (reported by the devices)\n", run->xruns());
    for (const auto& n : notes) fmt::print("note: {}\n", n);
    fmt::print("route test: {}\n", error ? "FAILED" : "ok");
  }
  if (error) {
    GlobalOptions text = g;
    text.json = false;  // the document above carries the error
    return report_error(text, kCmd, *error);
  }
  return 0;
}

}  // namespace

void setup_route_test(CLI::App& route, RouteTestOptions& opts, const GlobalOptions& g,
                      std::function<int()>& action) {
  auto* test = route.add_subcommand(
      "test", "Play a test signal, capture it, and check latency, gain, noise, THD+N, dropouts");
  test->add_option("-D,--device", opts.device,
                   "One duplex device that plays and captures (virtual:signal=loop)")
      ->type_name("SPEC");
  test->add_option("--input", opts.input, "Input device (default: the preferred input)")
      ->type_name("SPEC");
  test->add_option("--output", opts.output, "Output device (default: the preferred output)")
      ->type_name("SPEC");
  test->add_option("--duration", opts.duration,
                   "The whole test signal: silence, tone, sweep, tail (default 2.5s, 1s to 60s)")
      ->type_name("DUR");
  const std::string group = "Thresholds (exit 1 when one is missed)";
  test->add_option("--max-latency", opts.max_latency,
                   "Round-trip latency at most (default 500ms, at most a fifth of --duration)")
      ->type_name("DUR")
      ->group(group);
  test->add_option("--min-gain", opts.min_gain, "Gain at least (default -20 dB)")
      ->type_name("DB")
      ->group(group);
  test->add_option("--max-gain", opts.max_gain, "Gain at most (default +6 dB)")
      ->type_name("DB")
      ->group(group);
  test->add_option("--max-noise", opts.max_noise, "Noise floor at most (default -50 dBFS)")
      ->type_name("DBFS")
      ->group(group);
  test->add_option("--max-thdn", opts.max_thdn, "THD+N at most (default -40 dB)")
      ->type_name("DB")
      ->group(group);
  test->add_option("--max-dropouts", opts.max_dropouts, "Dropouts at most (default 0)")
      ->type_name("N")
      ->group(group);
  add_profile_options(*test, opts.profile);
  test->callback([&] { action = [&] { return run_route_test(opts, g); }; });
}

}  // namespace sc::cli
