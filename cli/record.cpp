#include "cli/record.h"

#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <ctime>
#include <filesystem>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/signals.h"
#include "core/audio/registry.h"
#include "core/record/recorder.h"
#include "core/record/session_link.h"
#include "core/session/codes.h"
#include "core/session/route_prefs.h"

namespace sc::cli {
namespace {

// SIGUSR1: the next numbered file (a lock-free atomic, async-signal-safe).
std::atomic<int> g_next_file{0};
static_assert(std::atomic<int>::is_always_lock_free);

// Stop signals (signals.h), and record's own: SIGUSR1 starts the next file, and a file size
// limit is a write error (74), not a death.
void install_signal_handlers() {
  install_stop_signals();
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = [](int) { g_next_file.fetch_add(1); };
  sigaction(SIGUSR1, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &sa, nullptr);
}

std::string default_name() {
  const std::time_t now = std::time(nullptr);
  return fmt::format("recording-{:%Y%m%d-%H%M%S}.wav", fmt::localtime(now));
}

Error cmd_error(Exit exit, std::string message, std::string hint) {
  return make_error(exit, std::move(message), std::move(hint));
}

// The meter: elapsed time and per-channel peaks, redrawn in place on a terminal.
void draw_meter(const record::Progress& p) {
  std::string bars;
  for (float db : p.peak_dbfs) {
    const int width =
        std::isfinite(db) ? std::clamp(static_cast<int>((db + 60.0f) / 3.0f), 0, 20) : 0;
    bars += fmt::format(" {:>6} |{:<20}|", std::isfinite(db) ? fmt::format("{:.1f}", db) : "-inf",
                        std::string(static_cast<size_t>(width), '#'));
  }
  const double s = to_seconds(p.clock);
  fmt::print(stderr, "\r{:02}:{:02}:{:04.1f}{}", static_cast<int>(s / 3600),
             static_cast<int>(s / 60) % 60, std::fmod(s, 60.0), bars);
}

// "960 frames (20.0 ms)", at the stream's rate; "unknown" when the device does not say.
std::string fragment_text(const audio::StreamDescription& s) {
  if (s.fragment_frames == 0) return "unknown";
  return fmt::format("{} frames ({:.1f} ms)", s.fragment_frames,
                     s.rate ? 1000.0 * static_cast<double>(s.fragment_frames) / s.rate : 0.0);
}

nlohmann::ordered_json report_json(const record::RecordReport& r, const audio::DeviceInfo& dev,
                                   const Profile& profile) {
  using json = nlohmann::ordered_json;
  json files = json::array();
  for (const auto& f : r.files)
    files.push_back({{"file", f.path},
                     {"frames", f.frames},
                     {"duration_s", r.rate ? static_cast<double>(f.frames) / r.rate : 0.0},
                     {"finalized", f.finalized}});
  json interruptions = json::array();
  for (const auto& i : r.interruptions)
    interruptions.push_back(
        {{"began_s", i.began_s},
         {"ended_s", i.ended_s ? json(*i.ended_s) : json(nullptr)},
         {"reason", i.reason},
         {"cause", i.cause},
         {"by_pid", i.by_pid ? json(*i.by_pid) : json(nullptr)},
         {"should_resume", i.should_resume},
         {"resumed", i.resumed},
         {"outcome", i.outcome},
         {"code", i.code.empty() ? json(nullptr) : json(i.code)},
         {"retries", i.retries},
         {"notify_latency_ms", i.notify_latency_ms ? json(*i.notify_latency_ms) : json(nullptr)},
         {"resume_latency_ms", i.resume_latency_ms ? json(*i.resume_latency_ms) : json(nullptr)}});
  json routes = json::array();
  for (const auto& c : r.route_changes)
    routes.push_back({{"at_s", c.at_s}, {"reason", c.reason}, {"device", c.device}});
  json media = json::array();
  for (const auto& m : r.media_services)
    media.push_back(
        {{"lost_s", m.lost_s}, {"reset_s", m.reset_s ? json(*m.reset_s) : json(nullptr)}});
  json formats = json::array();
  for (const auto& c : r.format_changes)
    formats.push_back({{"at_s", c.at_s}, {"rate", c.rate}, {"channels", c.channels}});
  return {{"file", r.files.empty() ? json(nullptr) : json(r.files.front().path)},
          {"files", files},
          {"format", std::string(formats::info(r.format.container).name)},
          {"codec", std::string(formats::name(r.format.codec))},
          {"bitrate", r.format.codec == formats::Codec::aac
                          ? json(formats::aac_bitrate(r.format.bitrate, r.rate, r.channels))
                          : json(nullptr)},
          {"rate", r.rate},
          {"channels", r.channels},
          {"frames", r.frames},
          {"duration_s", r.duration_s},
          {"audio_s", r.rate ? static_cast<double>(r.frames) / r.rate : 0.0},
          {"xruns", r.xruns},
          {"overflows", r.overflows},
          {"lost_frames", r.lost_frames},
          {"interruptions", interruptions},
          {"route_changes", routes},
          {"format_changes", formats},
          {"media_services", media},
          {"finalized", r.finalized},
          {"stopped_by", r.stopped_by},
          {"device",
           {{"api", dev.api},
            {"name", dev.name},
            {"id", dev.id},
            {"rate", r.device_rate},
            {"channels", r.device_channels}}},
          {"stream",
           {{"backend", r.stream.backend},
            {"client", r.stream.client},
            {"fragment_frames", r.stream.fragment_frames},
            {"latency_ms", to_seconds(r.stream.latency) * 1000}}},
          {"profile", profile_json(profile)}};
}

}  // namespace

void setup_record(CLI::App& parent, RecordOptions& opts, const GlobalOptions& g,
                  std::function<int()>& action) {
  auto* rec = parent.add_subcommand("record", "Record from a device into a file, or to stdout");
  rec->add_option("file", opts.file,
                  "Output file, or - for stdout (default recording-DATE-TIME.wav)")
      ->type_name("FILE");
  rec->add_option("-o,--output", opts.output, "Output file (same as FILE)")->type_name("FILE");
  rec->add_option("-f,--format", opts.format,
                  "wav | rf64 | caf | m4a (default: from the extension)")
      ->type_name("FORMAT");
  rec->add_option("-e,--codec", opts.codec,
                  "pcm16 | pcm24 | pcm32 | float32 | aac | alac | alac24 (default pcm16; m4a: aac)")
      ->type_name("CODEC");
  rec->add_option("-b,--bitrate", opts.bitrate,
                  "AAC bitrate, e.g. 64k or 128000 (default 64k per channel)")
      ->type_name("BPS");
  rec->add_option("-r,--rate", opts.rate, "File sample rate (default: the device's)")
      ->type_name("HZ");
  rec->add_option("-c,--channels", opts.channels,
                  "File channels (default: the device's, at most 2)")
      ->type_name("N")
      ->check(CLI::Range(1u, 32u));
  rec->add_option("-d,--duration", opts.duration,
                  "Stop when this much time has passed on the session clock")
      ->type_name("DUR");
  rec->add_option("--split", opts.split, "A new numbered file every DUR of audio")
      ->type_name("DUR");
  rec->add_flag("--force", opts.force, "Overwrite an existing file");
  rec->add_flag("--fragmented", opts.fragmented,
                "m4a: keep the fragmented MP4 written while recording (default: made plain, "
                "moov first, at a clean stop)");
  rec->add_option("-D,--device", opts.device,
                  "Input device: default, an index, a name, API:name, virtual[:key=value,...]")
      ->type_name("SPEC");
  rec->add_option("--on-interrupt", opts.on_interrupt,
                  "At an interruption: keep the file open (pause), start the next numbered file "
                  "at the resume (split), or finalize and exit 75 (stop)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"pause", "split", "stop"}));
  rec->add_option("--resume", opts.resume,
                  "When it ends: resume if it says shouldResume (auto), anyway (always), or "
                  "finalize and exit 75 (never)")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  rec->add_flag("--retry", opts.retry,
                "Retry a refused resume every second until -d runs out or a signal comes");
  rec->add_option("--device-wait", opts.device_wait,
                  "How long a lost device or audio server is waited for (default 30s)")
      ->type_name("DUR");
  rec->add_flag("--follow-default", opts.follow_default,
                "After the device goes away, continue on the new default input");
  add_profile_options(*rec, opts.profile);
  rec->callback([&] { action = [&] { return run_record(opts, g); }; });
}

int run_record(const RecordOptions& opts, const GlobalOptions& g) {
  const std::string cmd = "record";
  auto fail = [&](const Error& e) { return report_error(g, cmd, e); };

  // What to write.
  if (!opts.file.empty() && !opts.output.empty() && opts.file != opts.output)
    return fail(cmd_error(
        Exit::usage, fmt::format("two outputs given: '{}' and -o '{}'", opts.file, opts.output),
        "give the file once, as FILE or with -o"));
  std::string path = !opts.output.empty() ? opts.output : opts.file;
  if (path.empty()) path = default_name();
  unsigned bitrate = 0;
  if (!opts.bitrate.empty()) {
    auto b = formats::parse_bitrate(opts.bitrate);
    if (!b) return fail(b.error());
    bitrate = *b;
  }
  auto format = formats::choose_format(path, opts.format, opts.codec, bitrate);
  if (!format) return fail(format.error());
  if (opts.fragmented && format->container != formats::Container::m4a)
    return fail(cmd_error(Exit::usage, "--fragmented is for m4a",
                          "leave it out, or record to a .m4a file"));
  record::RecordRequest req;
  req.path = path;
  req.format = *format;
  req.overwrite = opts.force;
  req.fragmented = opts.fragmented;
  req.channels = opts.channels;
  if (!opts.rate.empty()) {
    auto r = parse_rate(opts.rate, "--rate");
    if (!r) return fail(r.error());
    req.rate = *r;
  }
  // Known before the device opens: a file that cannot take them is refused now.
  if (req.rate != 0 && req.channels != 0) {
    const std::string what = path == "-" ? "stdout" : fmt::format("'{}'", path);
    if (auto s = formats::check_format(*format, req.rate, req.channels, what); !s)
      return fail(s.error());
  }
  if (!opts.duration.empty()) {
    auto d = parse_duration(opts.duration, "--duration");
    if (!d) return fail(d.error());
    if (d->count() == 0)
      return fail(cmd_error(Exit::usage, "--duration: 0 records nothing",
                            "give a positive duration, e.g. -d 10s"));
    req.duration = *d;
  }
  if (!opts.split.empty()) {
    if (path == "-")
      return fail(
          cmd_error(Exit::usage, "--split cannot split stdout", "record to a file to split it"));
    auto d = parse_duration(opts.split, "--split");
    if (!d) return fail(d.error());
    if (*d < std::chrono::milliseconds(100))
      return fail(cmd_error(Exit::usage, "--split: files shorter than 100ms",
                            "give a longer duration, e.g. --split 10m"));
    req.split = *d;
  }
  req.on_interrupt = opts.on_interrupt == "split"  ? record::OnInterrupt::split
                     : opts.on_interrupt == "stop" ? record::OnInterrupt::stop
                                                   : record::OnInterrupt::pause;
  req.resume = opts.resume == "always"  ? record::ResumePolicy::always
               : opts.resume == "never" ? record::ResumePolicy::never
                                        : record::ResumePolicy::automatic;
  req.retry = opts.retry;
  {
    auto d = parse_duration(opts.device_wait, "--device-wait");
    if (!d) return fail(d.error());
    req.device_wait = *d;
  }
  if (opts.on_interrupt == "split" && path == "-")
    return fail(cmd_error(Exit::usage, "--on-interrupt split cannot split stdout",
                          "record to a file, or use --on-interrupt pause"));
  if (path != "-" && !opts.force && std::filesystem::exists(path))
    return fail(cmd_error(Exit::cannot_create, fmt::format("'{}' already exists", path),
                          "use --force to overwrite it, or choose another name"));
  if (path == "-" && g.json)
    return fail(cmd_error(Exit::usage, "--json and - both want stdout",
                          "record to a file to get the JSON summary, or leave out --json"));
  if (path == "-" && isatty(STDOUT_FILENO))
    return fail(
        cmd_error(Exit::usage, "refusing to write audio to a terminal",
                  "redirect stdout to a file or a pipe: soundcheck record -f wav - > take.wav"));

  // The session: a category that can record.
  auto profile = load_profile(g, cmd, opts.profile, Category::record);
  if (!profile) return fail(profile.error());
  if (!has_input(profile->category)) {
    return fail(session_error(SessionCode::incompatibleCategory,
                              fmt::format("category {} cannot record", name(profile->category)),
                              "record needs --category record or playAndRecord"));
  }
  if (profile->mode != Mode::measurement)
    req.stream.rate = profile->preferred_rate.value_or(req.rate);
  if (profile->io_buffer) {
    const unsigned rate = req.stream.rate ? req.stream.rate : 48000;
    req.stream.buffer_frames = static_cast<unsigned>(
        std::max<int64_t>(16, std::llround(to_seconds(*profile->io_buffer) * rate)));
  }

  // The device, by the one precedence (core/session/route_prefs.h): -D, SOUNDCHECK_INPUT,
  // the profile's own, route set's, the config's [route], the default. A stored preference
  // whose device is gone gives the default, and a notice.
  auto opened = open_preferred_device(g, cmd, opts.device, opts.profile, audio::Direction::input);
  if (!opened) return fail(opened.error());
  Result<std::unique_ptr<audio::Device>> device = std::move(opened->device);

  // Before the session: its connection to the audio server maps libpulse's shared-memory pool,
  // which a file size limit (ulimit -f) must answer with an error, not SIGXFSZ.
  install_signal_handlers();
  // The session: activated before the device starts, as an app activates before it records.
  session::Inbox inbox;
  auto session = record::RecordSession::start(*profile, inbox);
  if (!session) return fail(session.error());

  record::Controls controls;
  controls.inbox = &inbox;
  controls.link = session->get();
  // A lost device is opened again by its system name in its own API, or the new default.
  const audio::DeviceInfo lost = (*device)->info();
  if (lost.api != "virtual") {
    controls.reopen = [lost, follow = opts.follow_default] {
      return audio::open_device(follow ? "default" : fmt::format("{}:{}", lost.api, lost.id),
                                audio::Direction::input);
    };
  }
  const bool meter = !g.quiet && isatty(STDERR_FILENO);
  if (!g.quiet || g.verbose)
    controls.on_notice = [meter](const std::string& line) {
      fmt::print(stderr, "{}soundcheck record: {}\n", meter ? "\r\033[K" : "", line);
    };
  controls.stop = &stop_requested();
  controls.next_file = &g_next_file;
  if (meter) controls.on_progress = draw_meter;
  if (g.verbose) {
    controls.on_stream = [&](const audio::StreamDescription& s) {
      fmt::print(stderr, "soundcheck record: {} through {}: fragment {}, latency {:.1f} ms\n",
                 s.backend, s.client, fragment_text(s), to_seconds(s.latency) * 1000);
    };
  }
  auto outcome = record::record(**device, req, controls);
  if (meter) fmt::print(stderr, "\r\033[K");

  const auto& r = outcome.report;
  if (g.json && !r.files.empty()) {
    nlohmann::ordered_json doc{{"ok", !outcome.error}, {"command", cmd}};
    doc.update(report_json(r, (*device)->info(), *profile));
    if (outcome.error) doc["error"] = error_json(*outcome.error);
    print_json(doc);
  }
  if (outcome.error) {
    GlobalOptions text = g;
    text.json = g.json && r.files.empty();  // the error document, when no report was printed
    return report_error(text, cmd, *outcome.error);
  }
  if (!g.quiet) {
    std::string where = r.files.size() == 1 ? fmt::format("'{}'", r.files.front().path)
                                            : fmt::format("{} files from '{}'", r.files.size(),
                                                          r.files.front().path);
    fmt::print(
        stderr, "soundcheck record: {:.2f} s ({} frames) to {}, {} {} {} Hz {} ch, {} xruns{}{}\n",
        r.rate ? static_cast<double>(r.frames) / r.rate : 0.0, r.frames, where,
        formats::info(r.format.container).name, formats::name(r.format.codec), r.rate, r.channels,
        r.xruns, r.lost_frames ? fmt::format(", {} frames lost", r.lost_frames) : "",
        r.interruptions.empty() ? "" : fmt::format(", {} interruptions", r.interruptions.size()));
  }
  return 0;
}

}  // namespace sc::cli
