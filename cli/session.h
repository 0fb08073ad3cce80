// `soundcheck session ...`: check (validate and print the resolved profile), decode (explain
// AVAudioSession error codes), list and watch (session_list.cpp: the registry's sessions and
// their notifications), activate and interrupt (session_hold.cpp: hold a session, or a
// call/siri/alarm that interrupts the others).
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

struct SessionListOptions {};

struct SessionWatchOptions {
  std::string for_;  // --for DUR (text, parsed by parse_duration); empty: until a signal
};

struct SessionActivateOptions {
  ProfileRequest profile;
  std::string for_;  // --for DUR; empty: until SIGINT/SIGTERM
};

struct SessionInterruptOptions {
  std::string reason = "call";  // --reason call|siri|alarm
  std::string for_;             // --for DUR
  bool no_notify = false;       // --no-notify
};

struct SessionOptions {
  SessionCheckOptions check;
  SessionDecodeOptions decode;
  SessionListOptions list;
  SessionWatchOptions watch;
  SessionActivateOptions activate;
  SessionInterruptOptions interrupt;
};

// Adds `session` and its subcommands to `parent`; the selected one sets `action`.
void setup_session(CLI::App& parent, SessionOptions& opts, const GlobalOptions& g,
                   std::function<int()>& action);
// The parts of setup_session that live with their run functions.
void setup_session_list(CLI::App& session, SessionOptions& opts, const GlobalOptions& g,
                        std::function<int()>& action);
void setup_session_hold(CLI::App& session, SessionOptions& opts, const GlobalOptions& g,
                        std::function<int()>& action);

int run_session_check(const SessionCheckOptions& opts, const GlobalOptions& g);
int run_session_decode(const SessionDecodeOptions& opts, const GlobalOptions& g);
int run_session_list(const SessionListOptions& opts, const GlobalOptions& g);
int run_session_watch(const SessionWatchOptions& opts, const GlobalOptions& g);
int run_session_activate(const SessionActivateOptions& opts, const GlobalOptions& g);
int run_session_interrupt(const SessionInterruptOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
