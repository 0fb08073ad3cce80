// `soundcheck route ...`: list (devices of every API and the virtual device).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace sc::cli {

struct GlobalOptions;

struct RouteListOptions {
  bool input = false;   // --input: only devices that can capture
  bool output = false;  // --output: only devices that can play
  std::string api;      // --api NAME: only this API
};

struct RouteOptions {
  RouteListOptions list;
};

// Adds `route` and its subcommands to `parent`; the selected one sets `action`.
void setup_route(CLI::App& parent, RouteOptions& opts, const GlobalOptions& g,
                 std::function<int()>& action);

int run_route_list(const RouteListOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
