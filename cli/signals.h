// The signals of the commands that run audio (record, play, route test): SIGINT and SIGTERM
// ask them to stop (they finish what they do: a file is finalized, a position printed);
// SIGHUP is ignored (a closed terminal does not lose a recording), and so is SIGPIPE (a closed
// stdout is a write error, 74, not a death).
#pragma once

#include <atomic>

namespace sc::cli {

// Installs the handlers above. Once; the flag is the process's.
void install_stop_signals();

// Set by SIGINT or SIGTERM (an async-signal-safe lock-free atomic).
const std::atomic<bool>& stop_requested();

}  // namespace sc::cli
