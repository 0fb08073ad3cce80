#include "cli/play.h"

#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/signals.h"
#include "core/audio/registry.h"
#include "core/common/names.h"
#include "core/play/player.h"
#include "core/record/session_link.h"
#include "core/session/codes.h"
#include "core/session/route_prefs.h"
#include "formats/decoder.h"

namespace sc::cli {
namespace {

// "1:02.3" (or "1:02:03.4" past an hour).
std::string clock_text(double s) {
  if (s < 0) s = 0;
  const auto whole = static_cast<long>(s);
  const double frac = s - static_cast<double>(whole);
  if (whole >= 3600)
    return fmt::format("{}:{:02}:{:04.1f}", whole / 3600, whole / 60 % 60,
                       static_cast<double>(whole % 60) + frac);
  return fmt::format("{}:{:04.1f}", whole / 60, static_cast<double>(whole % 60) + frac);
}

nlohmann::ordered_json report_json(const play::PlayReport& r,
                                   const std::vector<formats::AudioSource>& sources,
                                   const std::vector<audio::Device*>& outputs,
                                   const Profile& profile) {
  using json = nlohmann::ordered_json;
  json files = json::array();
  for (size_t i = 0; i < sources.size(); ++i) {
    const auto& s = sources[i];
    files.push_back({{"file", s.path},
                     {"container", s.container},
                     {"codec", s.codec},
                     {"rate", s.rate},
                     {"channels", s.channels},
                     {"duration_s", s.duration_s > 0 ? json(s.duration_s) : json(nullptr)},
                     {"played_s", i < r.files.size() ? r.files[i].played_s : 0.0}});
  }
  json interruptions = json::array();
  for (const auto& i : r.interruptions)
    interruptions.push_back({{"began_s", i.began_s},
                             {"ended_s", i.ended_s ? json(*i.ended_s) : json(nullptr)},
                             {"reason", i.reason},
                             {"cause", i.cause},
                             {"should_resume", i.should_resume},
                             {"resumed", i.resumed},
                             {"file", sources[i.position.file].path},
                             {"position_s", i.position.at_s}});
  json outs = json::array();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& d = outputs[i]->info();
    json o{{"api", d.api}, {"name", d.name}, {"id", d.id}};
    if (i < r.streams.size()) {
      o["backend"] = r.streams[i].backend;
      o["client"] = r.streams[i].client;
      o["fragment_frames"] = r.streams[i].fragment_frames;
      o["latency_ms"] = to_seconds(r.streams[i].latency) * 1000;
    }
    outs.push_back(o);
  }
  return {{"files", files},
          {"rate", r.rate},
          {"channels", r.channels},
          {"duration_s", r.duration_s},
          {"xruns", r.xruns},
          {"decode_errors", r.decode_errors},
          {"interruptions", interruptions},
          {"ducks", r.ducks},
          {"position", {{"file", sources[r.position.file].path}, {"at_s", r.position.at_s}}},
          {"stopped_by", r.stopped_by},
          {"outputs", outs},
          {"profile", profile_json(profile)}};
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result<float> parse_volume(std::string_view text) {
  auto bad = [&](std::string why) {
    return make_error(Exit::usage, fmt::format("--volume '{}': {}", text, why),
                      "give decibels (-6dB, +3dB) or a factor (0.5, 2)");
  };
  std::string t = to_lower(trimmed(text));
  bool db = false;
  if (t.size() > 2 && t.ends_with("db")) {
    db = true;
    t = trimmed(t.substr(0, t.size() - 2));
  }
  if (!t.empty() && t.front() == '+') t.erase(0, 1);
  double v = 0;
  const char* end = t.data() + t.size();
  auto [p, ec] = std::from_chars(t.data(), end, v);
  if (t.empty() || ec != std::errc() || p != end || !std::isfinite(v)) return bad("not a number");
  if (db) {
    if (v > 24) return bad("louder than +24 dB");
    if (v < -120) return bad("quieter than -120 dB");
    return static_cast<float>(std::pow(10.0, v / 20.0));
  }
  if (v < 0) return bad("a factor cannot be negative (for decibels, write -6dB)");
  if (v > 16) return bad("a factor above 16 (+24 dB)");
  return static_cast<float>(v);
}

void setup_play(CLI::App& parent, PlayOptions& opts, const GlobalOptions& g,
                std::function<int()>& action) {
  auto* play = parent.add_subcommand(
      "play", "Play files one after another, without a gap, under an audio session");
  play->add_option("files", opts.files, "Files to play (anything FFmpeg or libsndfile reads)")
      ->type_name("FILE")
      ->required();
  play->add_option("-D,--device", opts.devices,
                   "Output device: default, an index, a name, API:name, virtual[:key=value,...]; "
                   "twice with --category multiRoute")
      ->type_name("SPEC")
      // One value per occurrence: `-D virtual a.wav b.wav` plays both files.
      ->allow_extra_args(false);
  play->add_option("--volume", opts.volume, "Output level: decibels (-6dB) or a factor (0.5)")
      ->type_name("DB|FACTOR");
  play->add_option("--start", opts.start, "Start this far into the first file")->type_name("DUR");
  play->add_option("--duration", opts.duration, "Play at most this much audio in all")
      ->type_name("DUR");
  play->add_option("--on-interrupt", opts.on_interrupt,
                   "At an interruption: pause and resume after it (pause), or exit 75 with the "
                   "position (stop)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"pause", "stop"}));
  add_profile_options(*play, opts.profile);
  play->callback([&] { action = [&] { return run_play(opts, g); }; });
}

int run_play(const PlayOptions& opts, const GlobalOptions& g) {
  const std::string cmd = "play";
  auto fail = [&](const Error& e) { return report_error(g, cmd, e); };

  play::PlayRequest req;
  if (!opts.volume.empty()) {
    auto v = parse_volume(opts.volume);
    if (!v) return fail(v.error());
    req.gain = *v;
  }
  if (!opts.start.empty()) {
    auto d = parse_duration(opts.start, "--start");
    if (!d) return fail(d.error());
    req.start = *d;
  }
  if (!opts.duration.empty()) {
    auto d = parse_duration(opts.duration, "--duration");
    if (!d) return fail(d.error());
    if (d->count() == 0)
      return fail(make_error(Exit::usage, "--duration: 0 plays nothing",
                             "give a positive duration, e.g. --duration 10s"));
    req.duration = *d;
  }
  req.on_interrupt =
      opts.on_interrupt == "stop" ? play::OnInterrupt::stop : play::OnInterrupt::pause;

  // Every file is known to play before any device opens: 66 for a missing one, 65 for one no
  // reader understands, each naming the file.
  for (const auto& f : opts.files) {
    auto s = formats::probe_audio(f);
    if (!s) return fail(s.error());
    req.files.push_back(std::move(*s));
  }
  if (req.start > Duration(0) && req.files.front().duration_s > 0 &&
      to_seconds(req.start) >= req.files.front().duration_s)
    return fail(make_error(Exit::usage,
                           fmt::format("--start {}: '{}' lasts {:.3f} s", opts.start,
                                       req.files.front().path, req.files.front().duration_s),
                           "give a start inside the first file"));

  auto profile = load_profile(g, cmd, opts.profile, Category::playback);
  if (!profile) return fail(profile.error());
  if (!has_output(profile->category))
    return fail(session_error(SessionCode::incompatibleCategory,
                              fmt::format("category {} cannot play", name(profile->category)),
                              "play needs --category playback, playAndRecord, soloAmbient, "
                              "ambient or multiRoute"));
  if (opts.devices.size() > 1 && profile->category != Category::multiRoute)
    return fail(
        session_error(SessionCode::incompatibleCategory,
                      fmt::format("{} devices need the multiRoute category", opts.devices.size()),
                      "add --category multiRoute, or give one -D"));
  if (profile->mode != Mode::measurement && profile->preferred_rate)
    req.rate = *profile->preferred_rate;
  if (profile->io_buffer) {
    const unsigned rate = req.rate ? req.rate : req.files.front().rate;
    req.buffer_frames = static_cast<unsigned>(
        std::max<int64_t>(16, std::llround(to_seconds(*profile->io_buffer) * rate)));
  }

  // The devices, by the one precedence (core/session/route_prefs.h): -D, SOUNDCHECK_OUTPUT,
  // the profile's own, route set's, the config's [route], the default. More -D (multiRoute)
  // are opened as given.
  auto opened = open_preferred_device(g, cmd, opts.devices.empty() ? "" : opts.devices.front(),
                                      opts.profile, audio::Direction::output);
  if (!opened) return fail(opened.error());
  std::vector<std::unique_ptr<audio::Device>> devices;
  devices.push_back(std::move(opened->device));
  for (size_t i = 1; i < opts.devices.size(); ++i) {
    auto d = audio::open_device(opts.devices[i], audio::Direction::output);
    if (!d) return fail(d.error());
    devices.push_back(std::move(*d));
  }
  std::vector<audio::Device*> outputs;
  for (auto& d : devices) outputs.push_back(d.get());

  install_stop_signals();
  session::Inbox inbox;
  auto session = record::RecordSession::start(*profile, inbox, "play", false);
  if (!session) return fail(session.error());

  play::PlayControls controls;
  controls.stop = &stop_requested();
  controls.inbox = &inbox;
  controls.link = session->get();
  const bool progress = !g.quiet && isatty(STDERR_FILENO);
  if (!g.quiet || g.verbose)
    controls.on_notice = [progress](const std::string& line) {
      fmt::print(stderr, "{}soundcheck play: {}\n", progress ? "\r\033[K" : "", line);
    };
  if (progress) {
    controls.on_progress = [&req](const play::Position& p, double) {
      const auto& f = req.files[p.file];
      fmt::print(stderr, "\r\033[K{} {} / {}", f.path, clock_text(p.at_s),
                 f.duration_s > 0 ? clock_text(f.duration_s) : "?");
    };
  }
  auto outcome = play::play(outputs, req, controls);
  if (progress) fmt::print(stderr, "\r\033[K");
  const auto& r = outcome.report;

  if (g.json) {
    nlohmann::ordered_json doc{{"ok", !outcome.error}, {"command", cmd}};
    doc.update(report_json(r, req.files, outputs, *profile));
    if (outcome.error) doc["error"] = error_json(*outcome.error);
    print_json(doc);
  }
  if (outcome.error) {
    GlobalOptions text = g;
    text.json = false;  // the report above carries the error
    return report_error(text, cmd, *outcome.error);
  }
  if (!g.quiet) {
    std::string how = r.stopped_by == "signal"
                          ? fmt::format(", stopped at {:.3f} s of '{}'", r.position.at_s,
                                        req.files[r.position.file].path)
                          : "";
    fmt::print(
        stderr, "soundcheck play: {:.2f} s of {} file{} at {} Hz {} ch, {} underruns{}{}\n",
        r.duration_s, r.files.size(), r.files.size() == 1 ? "" : "s", r.rate, r.channels, r.xruns,
        r.interruptions.empty() ? "" : fmt::format(", {} interruptions", r.interruptions.size()),
        how);
  }
  return 0;
}

}  // namespace sc::cli
