// `session list` (the registry's sessions) and `session watch` (its notifications as they
// happen).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>

#include "cli/common.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/session_shared.h"
#include "core/common/names.h"
#include "core/session/registry.h"
#include "core/session/runtime_dir.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;
using session::Entry;

std::string state_name(const Entry& e) { return e.state.active ? "active" : "interrupted"; }

json entry_json(const Entry& e) {
  return {{"id", e.state.id},
          {"pid", e.pid},
          {"command", e.command},
          {"category", std::string(name(e.state.category))},
          {"mode", std::string(name(e.mode))},
          {"options", option_names(e.state.options)},
          {"options_value", e.state.options},
          {"mixable", e.state.mixable},
          {"state", state_name(e)},
          {"background", e.state.background},
          {"priority", std::string(session::name(e.state.priority))},
          {"cause", e.cause.empty() ? json(nullptr) : json(e.cause)},
          {"since", e.since}};
}

// An aligned table, one row per session, under a header.
void print_table(const std::vector<Entry>& entries) {
  std::vector<std::vector<std::string>> rows{
      {"PID", "COMMAND", "CATEGORY", "MODE", "OPTIONS", "MIXABLE", "STATE", "BACKGROUND", "SINCE"}};
  for (const auto& e : entries) {
    const auto opts = option_names(e.state.options);
    std::string command = e.command;
    if (!e.cause.empty()) command += fmt::format(" ({})", e.cause);
    rows.push_back({std::to_string(e.pid), command, std::string(name(e.state.category)),
                    std::string(name(e.mode)), opts.empty() ? "-" : join_comma(opts),
                    e.state.mixable ? "yes" : "no", state_name(e),
                    e.state.background ? "yes" : "no", e.since});
  }
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
    fmt::print("{}\n", line);
  }
  std::fflush(stdout);
}

// One notification as `session watch` prints it; flushed, so a pipe sees it at once.
void print_note(const session::Notification& n, bool as_json) {
  if (as_json)
    print_json_line(session::to_json(n));
  else {
    fmt::print("{}\n", note_text(n));
    std::fflush(stdout);
  }
}

}  // namespace

void setup_session_list(CLI::App& session, SessionOptions& opts, const GlobalOptions& g,
                        std::function<int()>& action) {
  auto* list = session.add_subcommand(
      "list", "The sessions of this user's registry: pid, command, category, state, since");
  list->callback([&] { action = [&] { return run_session_list(opts.list, g); }; });

  auto* watch = session.add_subcommand(
      "watch",
      "Every activation, deactivation and notification of this user's sessions, as they "
      "happen (JSON Lines with --json)");
  watch->add_option("--for", opts.watch.for_, "Stop after this long (default: at SIGINT/SIGTERM)")
      ->type_name("DURATION");
  watch->callback([&] { action = [&] { return run_session_watch(opts.watch, g); }; });
}

int run_session_list(const SessionListOptions&, const GlobalOptions& g) {
  constexpr std::string_view kCmd = "session list";
  auto dir = session::runtime_dir();
  if (!dir) return report_error(g, kCmd, dir.error());
  if (g.verbose) fmt::print(stderr, "soundcheck {}: {}\n", kCmd, registry_text(*dir));
  auto entries = session::list_sessions(*dir);
  if (!entries) return report_error(g, kCmd, entries.error());
  if (g.json) {
    json sessions = json::array();
    for (const auto& e : *entries) sessions.push_back(entry_json(e));
    print_json({{"ok", true},
                {"command", std::string(kCmd)},
                {"registry", {{"path", dir->path}, {"from", dir->from}}},
                {"sessions", sessions}});
  } else if (entries->empty()) {
    fmt::print("no sessions\n");
  } else {
    print_table(*entries);
  }
  return 0;
}

int run_session_watch(const SessionWatchOptions& opts, const GlobalOptions& g) {
  constexpr std::string_view kCmd = "session watch";
  auto for_ = parse_for(opts.for_);
  if (!for_) return report_error(g, kCmd, for_.error());
  auto dir = session::runtime_dir();
  if (!dir) return report_error(g, kCmd, dir.error());
  auto waiter = Waiter::create();  // before join() starts the listener thread
  if (!waiter) return report_error(g, kCmd, waiter.error());
  session::Identity who;
  who.command = std::string(kCmd);
  auto watcher = session::Participant::join(*dir, who, (*waiter)->handler(), /*watcher=*/true);
  if (!watcher) return report_error(g, kCmd, watcher.error());
  // Said once joined, so a script that reads stderr knows nothing from now on is missed.
  if (!g.quiet) fmt::print(stderr, "soundcheck {}: watching {}\n", kCmd, registry_text(*dir));

  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (*for_) deadline = std::chrono::steady_clock::now() + **for_;
  for (;;) {
    auto ev = (*waiter)->wait(deadline);
    if (ev.kind != Waiter::Event::Kind::note) break;  // a signal or the end of --for
    print_note(*ev.note, g.json);
  }
  return 0;
}

}  // namespace sc::cli
