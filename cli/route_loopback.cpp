// `soundcheck route loopback up|down|status`: a loopback device for headless machines, a
// PulseAudio null sink soundcheck_loop whose monitor soundcheck_loop.monitor is the capture
// side (core/audio/pulse/loopback.h says what each does and where the state lives).
//
// up      reaches a server or starts one (`pulseaudio -D --exit-idle-time=-1`; as root it also
//         listens on /var/run/pulse/native), loads module-role-cork unless loaded and the null
//         sink unless present, makes the sink and its monitor the defaults. Idempotent.
// down    undoes what up did: restores the previous defaults (where they still exist and the
//         loopback is still the default), unloads module-role-cork if up loaded it and the null
//         sink. The server keeps running (other clients may use it; up may have found it
//         running). Nothing to do is success.
// status  the server, whether the sink and its monitor exist and are the defaults, whether
//         module-role-cork is loaded. Never starts a server; exit 0 also without one.
//
// Text: one line per thing done, on stdout. --json: one document on stdout.
// Exit: 0; 69 no server reachable and none could be started (or it refused a module).
#include <fmt/format.h>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/route.h"
#include "core/audio/pulse/loopback.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;
namespace pulse = audio::pulse;

json server_json(const pulse::ServerInfo& s) {
  return {{"address", s.address}, {"name", s.name}, {"version", s.version}};
}

json optional_text(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return s->empty() ? json(nullptr) : json(*s);
}

void print_lines(const std::vector<std::string>& lines) {
  for (const auto& l : lines) fmt::print("{}\n", l);
  std::fflush(stdout);
}

int run_up(const GlobalOptions& g) {
  constexpr std::string_view kCmd = "route loopback up";
  auto up = pulse::loopback_up();
  if (!up) return report_error(g, kCmd, up.error());
  if (!g.json) {
    print_lines(up->done);
    return 0;
  }
  json previous = nullptr;
  if (up->previous_sink || up->previous_source)
    previous = {{"sink", optional_text(up->previous_sink)},
                {"source", optional_text(up->previous_source)}};
  print_json({{"ok", true},
              {"command", std::string(kCmd)},
              {"server", server_json(up->server)},
              {"started_server", up->started_server},
              {"listening_on", up->listening_on.empty() ? json(nullptr) : json(up->listening_on)},
              {"sink", pulse::kLoopSink},
              {"source", pulse::kLoopSource},
              {"default_sink", up->server.default_sink},
              {"default_source", up->server.default_source},
              {"loaded", up->loaded},
              {"previous_defaults", previous},
              {"changed", up->changed},
              {"done", up->done}});
  return 0;
}

int run_down(const GlobalOptions& g) {
  constexpr std::string_view kCmd = "route loopback down";
  auto down = pulse::loopback_down();
  if (!down) return report_error(g, kCmd, down.error());
  if (!g.json) {
    print_lines(down->done);
    return 0;
  }
  print_json({{"ok", true},
              {"command", std::string(kCmd)},
              {"server", down->server ? server_json(*down->server) : json(nullptr)},
              {"unloaded", down->unloaded},
              {"restored", down->restored},
              {"changed", down->changed},
              {"done", down->done}});
  return 0;
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

int run_status(const GlobalOptions& g) {
  constexpr std::string_view kCmd = "route loopback status";
  auto s = pulse::loopback_status();
  if (!s) return report_error(g, kCmd, s.error());
  if (g.json) {
    json previous = nullptr;
    if (s->made_by_up)
      previous = {{"sink", optional_text(s->previous_sink)},
                  {"source", optional_text(s->previous_source)}};
    print_json(
        {{"ok", true},
         {"command", std::string(kCmd)},
         {"server", s->server ? server_json(*s->server) : json(nullptr)},
         {"server_error", s->server ? json(nullptr) : json(s->server_error)},
         {"sink", {{"name", pulse::kLoopSink}, {"exists", s->sink}, {"default", s->default_sink}}},
         {"source",
          {{"name", pulse::kLoopSource}, {"exists", s->source}, {"default", s->default_source}}},
         {"role_cork", s->role_cork},
         {"made_by_up", s->made_by_up},
         {"role_cork_by_up", s->role_cork_by_up},
         {"previous_defaults", previous}});
    return 0;
  }
  if (!s->server) {
    fmt::print("server: none ({})\nhint: soundcheck route loopback up\n", s->server_error);
    return 0;
  }
  fmt::print("server: {} {} at {}\n", s->server->name, s->server->version, s->server->address);
  fmt::print("sink {}: {}{}\n", pulse::kLoopSink, s->sink ? "present" : "absent",
             s->default_sink ? ", default" : "");
  fmt::print("source {}: {}{}\n", pulse::kLoopSource, s->source ? "present" : "absent",
             s->default_source ? ", default" : "");
  fmt::print("module-role-cork: {}{}\n", s->role_cork ? "loaded" : "not loaded",
             s->role_cork_by_up ? " (by route loopback up)" : "");
  if (s->sink) fmt::print("made by route loopback up: {}\n", yes_no(s->made_by_up));
  if (s->made_by_up)
    fmt::print("previous defaults: sink {}, source {}\n",
               s->previous_sink->empty() ? "none" : *s->previous_sink,
               s->previous_source->empty() ? "none" : *s->previous_source);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void setup_route_loopback(CLI::App& route, RouteLoopbackOptions& opts, const GlobalOptions& g,
                          std::function<int()>& action) {
  auto* loopback = route.add_subcommand(
      "loopback",
      "A loopback device for headless machines: a PulseAudio null sink, soundcheck_loop, whose "
      "monitor is the capture side");
  loopback->require_subcommand(1);
  struct Sub {
    const char* name;
    const char* help;
    int (*run)(const GlobalOptions&);
  };
  static constexpr Sub kSubs[] = {
      {"up",
       "Start PulseAudio if none answers, load the null sink and module-role-cork, make the "
       "sink and its monitor the defaults (idempotent)",
       &run_up},
      {"down", "Remove what 'up' made and restore the previous defaults; the server keeps running",
       &run_down},
      {"status", "The server, the sink and its monitor, the defaults, module-role-cork",
       &run_status},
  };
  for (const Sub& s : kSubs) {
    auto* sub = loopback->add_subcommand(s.name, s.help);
    sub->callback([&opts, &g, &action, s] {
      opts.action = s.name;
      action = [&g, s] { return s.run(g); };
    });
  }
}

}  // namespace sc::cli
