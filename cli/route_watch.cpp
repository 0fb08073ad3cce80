// `soundcheck route watch [--for DUR]`: route changes on the PulseAudio server as they happen,
// with their AVAudioSession reason (core/audio/pulse/route_events.h has the mapping). Nothing
// polls: libpulse's event subscription.
//
// stdout, one line per change, flushed at once:
//   text:   2026-12-03T14:55:01.123456Z  newDeviceAvailable  output  soundcheck_x (soundcheck x)
//   --json: {"type":"routeChange","reason":"newDeviceAvailable","reason_value":1,
//            "device":{"api":"pulse","name":"soundcheck x","id":"soundcheck_x",
//                      "direction":"output"},"at":"2026-12-03T14:55:01.123456Z"}
// stderr: "soundcheck route watch: watching SERVER at ADDRESS" once subscribed (a script that
// reads it knows no later change is missed).
// Ends at the end of --for or at SIGINT/SIGTERM: exit 0. No server: exit 69, hint
// `soundcheck route loopback up`. The server dies or drops the connection: one more line,
//   {"type":"mediaServicesWereLost","reason":"serverLost","server":{...},"message":"...",
//    "at":"..."}  (text: "AT  mediaServicesWereLost  the PulseAudio server went away: ...")
// then the error on stderr and exit 69 (it does not wait for a new server; run it again).
#include <fmt/format.h>

#include <chrono>
#include <mutex>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/route.h"
#include "cli/session_shared.h"
#include "core/audio/pulse/route_events.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;
namespace pulse = audio::pulse;
constexpr std::string_view kCmd = "route watch";

void print_event(const pulse::RouteEvent& e, bool as_json) {
  const std::string at = session::iso8601(e.at);
  const std::string_view reason = session::name(e.reason);
  const char* direction = e.input ? "input" : "output";
  if (as_json) {
    print_json_line(
        {{"type", "routeChange"},
         {"reason", std::string(reason)},
         {"reason_value", static_cast<int>(e.reason)},
         {"device", {{"api", "pulse"}, {"name", e.name}, {"id", e.id}, {"direction", direction}}},
         {"at", at}});
    return;
  }
  fmt::print("{}  {}  {}  {} ({})\n", at, reason, direction, e.id, e.name);
  std::fflush(stdout);
}

int run_route_watch(const RouteWatchOptions& opts, const GlobalOptions& g) {
  auto for_ = parse_for(opts.for_duration);
  if (!for_) return report_error(g, kCmd, for_.error());
  auto waiter = Waiter::create();  // before libpulse's thread starts: it inherits the mask
  if (!waiter) return report_error(g, kCmd, waiter.error());

  // Lines come from libpulse's thread; the loss is handed to this one through the waiter.
  std::mutex lost_mutex;
  std::string lost_reason;
  const bool as_json = g.json;
  auto handler = (*waiter)->handler();
  auto watched =
      pulse::RouteWatcher::start([as_json](const pulse::RouteEvent& e) { print_event(e, as_json); },
                                 [&lost_mutex, &lost_reason, handler](const std::string& reason) {
                                   {
                                     std::lock_guard<std::mutex> lock(lost_mutex);
                                     lost_reason = reason;
                                   }
                                   session::Notification n;
                                   n.type = session::NoteType::mediaServicesWereLost;
                                   n.at = std::chrono::system_clock::now();
                                   handler(n);
                                 });
  if (!watched) {
    Error e = watched.error();
    e.hint =
        "run 'soundcheck route loopback up' (it starts PulseAudio), or point PULSE_SERVER at "
        "a server";
    return report_error(g, kCmd, e);
  }
  const pulse::ServerInfo server = (*watched)->server();
  if (!g.quiet)
    fmt::print(stderr, "soundcheck {}: watching {} {} at {}\n", kCmd, server.name, server.version,
               server.address);

  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (*for_) deadline = std::chrono::steady_clock::now() + **for_;
  for (;;) {
    auto ev = (*waiter)->wait(deadline);
    if (ev.kind != Waiter::Event::Kind::note) return 0;  // a signal or the end of --for
    if (ev.note->type != session::NoteType::mediaServicesWereLost) continue;
    std::string reason;
    {
      std::lock_guard<std::mutex> lock(lost_mutex);
      reason = lost_reason;
    }
    watched->reset();  // no line comes after this one
    const std::string message = fmt::format("the PulseAudio server went away: {}", reason);
    const std::string at = session::iso8601(ev.note->at);
    if (g.json) {
      print_json_line({{"type", "mediaServicesWereLost"},
                       {"reason", "serverLost"},
                       {"server",
                        {{"api", "pulse"},
                         {"name", server.name},
                         {"version", server.version},
                         {"address", server.address}}},
                       {"message", message},
                       {"at", at}});
    } else {
      fmt::print("{}  mediaServicesWereLost  {}\n", at, message);
      std::fflush(stdout);
    }
    GlobalOptions text_only = g;  // stdout stays JSON Lines
    text_only.json = false;
    return report_error(text_only, kCmd,
                        make_error(Exit::unavailable, message,
                                   "when it is back (soundcheck route loopback up), run "
                                   "soundcheck route watch again"));
  }
}

}  // namespace

void setup_route_watch(CLI::App& route, RouteWatchOptions& opts, const GlobalOptions& g,
                       std::function<int()>& action) {
  auto* watch = route.add_subcommand(
      "watch",
      "Route changes as they happen, with their AVAudioSession reason (JSON Lines with "
      "--json)");
  watch->add_option("--for", opts.for_duration, "Stop after this long (default: at SIGINT/SIGTERM)")
      ->type_name("DURATION");
  watch->callback([&] { action = [&] { return run_route_watch(opts, g); }; });
}

}  // namespace sc::cli
