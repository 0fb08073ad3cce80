// `soundcheck session ...`: check (validate and print the resolved profile) and decode
// (explain AVAudioSession error codes).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/session/config.h"

namespace sc::cli {

struct GlobalOptions;

struct SessionCheckOptions {
  ProfileRequest profile;
};

struct SessionDecodeOptions {
  std::vector<std::string> codes;  // as typed, in order
  bool list = false;               // --list: every code
};

struct SessionOptions {
  SessionCheckOptions check;
  SessionDecodeOptions decode;
};

// Adds `session` and its subcommands to `parent`; the selected one sets `action`.
void setup_session(CLI::App& parent, SessionOptions& opts, const GlobalOptions& g,
                   std::function<int()>& action);

int run_session_check(const SessionCheckOptions& opts, const GlobalOptions& g);
int run_session_decode(const SessionDecodeOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
