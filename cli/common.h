// The command line as a whole: global options, every subcommand's bound options, parsing
// with CLI11, and mapping of parse errors to exit status 64 with a hint.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/info.h"
#include "cli/play.h"
#include "cli/record.h"
#include "cli/repair.h"
#include "cli/route.h"
#include "cli/session.h"

namespace sc::cli {

// Global options of CLI.md.
struct GlobalOptions {
  bool json = false;     // one JSON document on stdout; human text to stderr
  bool quiet = false;    // no meter or progress
  bool verbose = false;  // more detail on stderr
  std::string config;    // --config FILE; empty: the default path, which may be absent
};

// What the parse selected; returns the exit status.
using Action = std::function<int()>;

// The whole command line. Subcommand setups bind their flags into the structs here, so a
// parse test can check what a command line means without running anything.
struct Cli {
  CLI::App app;
  GlobalOptions global;
  RecordOptions record;
  InfoOptions info;
  PlayOptions play;
  RepairOptions repair;
  RouteOptions route;
  SessionOptions session;
  Action action;  // set by the selected subcommand's callback

  // The program's options and every subcommand.
  Cli();
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;
};

struct ParseOutcome {
  bool run = false;     // parse succeeded and `action` is set
  int exit = 0;         // otherwise, the exit status (0 for --help and --version)
  std::string message;  // one line, for errors
  std::string hint;     // for errors
  std::string command;  // "session check": the deepest subcommand reached
};

// Parses `args` (without argv[0]). --help and --version print to stdout.
ParseOutcome parse_args(Cli& cli, std::vector<std::string> args);

// Parses and runs; the exit status for main(). Only the command named is set up, unless the
// parse fails: the error then comes from the whole command line (its hints name every command).
int run_cli(int argc, const char* const* argv);

}  // namespace sc::cli
