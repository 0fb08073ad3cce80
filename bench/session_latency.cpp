// bench/session_latency: times session activations against the registry, for bench/run sessions.
//
//   session_latency RUNS [GAP_MS]
//
// Joins the registry of the runtime directory soundcheck would use (SOUNDCHECK_RUNTIME_DIR) as
// one participant with the profile of `soundcheck session activate --category playback
// --options mixWithOthers`, then RUNS times: activate(), deactivate(), a pause of GAP_MS
// (default 10). Joining (the lease, the socket, the listener thread) happens once, before the
// first activation, and is not timed: what is timed is Participant::activate() alone, the
// whole of an activation (lock, read and check every entry's lease, decide, write, rename,
// unlock, notify), and Participant::deactivate() beside it. The process start-up of the CLI
// is not in it.
//
// Prints first a line `others N ACTIVE` (the sessions in the registry before the first
// activation, and how many of them are active), then one line per run:
//
//   RUN ACTIVATE_MS DEACTIVATE_MS
//
// then `others N ACTIVE` again after the last run (mixable activations interrupt nobody, so the
// holders must all still be active). Exit status: 0; 69 the registry cannot be joined or an
// activation was refused (the message says why); 64 usage.
//
// Built by bench/run against soundcheck_core (CMake option SOUNDCHECK_BENCH, bench/CMakeLists.txt).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/session/registry.h"
#include "core/session/runtime_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int fail(const std::string& what, const sc::Error& e) {
  std::fprintf(stderr, "session_latency: %s: %s\n", what.c_str(), e.message.c_str());
  return 69;
}

// `others N ACTIVE`: the sessions of the registry other than ours.
bool print_others(const sc::session::RuntimeDir& dir) {
  auto list = sc::session::list_sessions(dir);
  if (!list) {
    fail("cannot list the sessions", list.error());
    return false;
  }
  size_t active = 0;
  for (const auto& e : *list) active += e.state.active ? 1 : 0;
  fmt::print("others {} {}\n", list->size(), active);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: session_latency RUNS [GAP_MS]\n");
    return 64;
  }
  const int runs = std::atoi(argv[1]);
  const int gap_ms = argc > 2 ? std::atoi(argv[2]) : 10;
  if (runs <= 0 || gap_ms < 0) {
    std::fprintf(stderr, "session_latency: RUNS must be positive, GAP_MS not negative\n");
    return 64;
  }

  auto dir = sc::session::runtime_dir();
  if (!dir) return fail("no runtime directory", dir.error());
  if (!print_others(*dir)) return 69;

  sc::session::Identity who;
  who.command = "session activate";
  who.profile.category = sc::Category::playback;
  who.profile.options = {sc::CategoryOption::mixWithOthers};
  auto joined = sc::session::Participant::join(*dir, who, [](const sc::session::Notification&) {});
  if (!joined) return fail("cannot join the registry", joined.error());
  auto& p = **joined;

  for (int i = 1; i <= runs; ++i) {
    const auto t0 = Clock::now();
    auto st = p.activate();
    const auto t1 = Clock::now();
    if (!st) return fail(fmt::format("activation {} refused", i), st.error());
    p.deactivate();
    const auto t2 = Clock::now();
    fmt::print("{} {:.4f} {:.4f}\n", i, ms(t1 - t0), ms(t2 - t1));
    std::fflush(stdout);
    if (gap_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  }
  return print_others(*dir) ? 0 : 69;
}
