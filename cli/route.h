// `soundcheck route ...`: list (devices of every API and the virtual device), show (the route
// a profile gets), set (preferred devices), watch (route changes), test (the loopback
// self-test) and loopback (a loopback device for headless machines). One file per
// subcommand: route.cpp (list, and the `route` command itself), route_show.cpp,
// route_set.cpp, route_watch.cpp, route_test.cpp, route_loopback.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/session/config.h"

namespace sc::cli {

struct GlobalOptions;

struct RouteListOptions {
  bool input = false;   // --input: only devices that can capture
  bool output = false;  // --output: only devices that can play
  std::string api;      // --api NAME: only this API
};

struct RouteShowOptions {
  ProfileRequest profile;  // profile options (CLI.md)
  std::string input;       // --input SPEC: instead of the preferred input
  std::string output;      // --output SPEC
};

struct RouteSetOptions {
  std::string input;   // --input SPEC ("" keeps the stored one)
  std::string output;  // --output SPEC
  bool clear = false;  // --clear: forget both
};

struct RouteWatchOptions {
  std::string for_duration;  // --for DUR: stop after DUR (scripts, tests); empty: until a signal
};

struct RouteTestOptions {
  ProfileRequest profile;
  std::string device;    // -D SPEC: one duplex device
  std::string input;     // --input SPEC
  std::string output;    // --output SPEC
  std::string duration;  // --duration DUR: the whole test signal (default 2.5s)
  // Thresholds as typed (parsed by run_route_test, so errors name the flag).
  std::string max_latency, min_gain, max_gain, max_noise, max_thdn, max_dropouts;
};

struct RouteLoopbackOptions {
  std::string action;  // up | down | status
};

struct RouteOptions {
  RouteListOptions list;
  RouteShowOptions show;
  RouteSetOptions set;
  RouteWatchOptions watch;
  RouteTestOptions test;
  RouteLoopbackOptions loopback;
};

// Adds `route` and its subcommands to `parent`; the selected one sets `action`.
void setup_route(CLI::App& parent, RouteOptions& opts, const GlobalOptions& g,
                 std::function<int()>& action);

// Each subcommand adds itself to `route` (and sets `action` when selected).
void setup_route_show(CLI::App& route, RouteShowOptions& opts, const GlobalOptions& g,
                      std::function<int()>& action);
void setup_route_set(CLI::App& route, RouteSetOptions& opts, const GlobalOptions& g,
                     std::function<int()>& action);
void setup_route_watch(CLI::App& route, RouteWatchOptions& opts, const GlobalOptions& g,
                       std::function<int()>& action);
void setup_route_test(CLI::App& route, RouteTestOptions& opts, const GlobalOptions& g,
                      std::function<int()>& action);
void setup_route_loopback(CLI::App& route, RouteLoopbackOptions& opts, const GlobalOptions& g,
                          std::function<int()>& action);

int run_route_list(const RouteListOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
