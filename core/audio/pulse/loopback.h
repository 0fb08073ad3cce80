// The loopback device for headless machines (`soundcheck route loopback up|down|status`): a
// PulseAudio null sink, soundcheck_loop ("soundcheck loopback", 48 kHz, 2 channels), whose
// monitor soundcheck_loop.monitor captures what is played into it, made the server's default
// sink and source; and module-role-cork, so that a media.role=phone stream corks the others.
//
// Where the state lives: in the server, as properties of the null sink that `up` loads
// (sink_properties of module-null-sink):
//   soundcheck.loopback=1                 this sink was loaded by `route loopback up`
//   soundcheck.previous_sink=NAME         the default sink before `up` (absent: there was none)
//   soundcheck.previous_source=NAME       the default source before `up`
//   soundcheck.role_cork_module=INDEX     module-role-cork's index, when `up` loaded it
// so the state dies with the server (or with the sink, whoever unloads it) and can never
// describe another server or a server that was restarted, as a state file could. The price: a
// soundcheck_loop that `up` did not load (an older scripts/start-pulse, pactl) carries no such
// memory; `up` uses it and makes it the default but cannot remember the previous defaults, and
// `down` leaves it alone (it says so both times).
//
// Threads: each function makes its own connection; blocking; any thread. Nothing prints.
// `up` and `down` of one user run one at a time (an flock on
// ${TMPDIR:-/tmp}/soundcheck-loopback-UID.lock, waited for up to 30 s; Exit::unavailable after).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/pulse/admin.h"
#include "core/common/error.h"

namespace sc::audio::pulse {

constexpr const char* kLoopSink = "soundcheck_loop";
constexpr const char* kLoopSource = "soundcheck_loop.monitor";
constexpr const char* kLoopDescription = "soundcheck loopback";
// Where clients that know nothing else look last; as root `up` makes the server listen there.
// SOUNDCHECK_PULSE_SYSTEM_SOCKET overrides the path (empty: do not), for tests with servers of
// their own.
constexpr const char* kSystemSocket = "/var/run/pulse/native";

struct LoopbackUp {
  ServerInfo server;  // after `up` (its defaults are the new ones)
  bool started_server = false;
  std::vector<std::string> done;    // one line per thing done or found, in order
  std::vector<std::string> loaded;  // modules loaded now: "module-null-sink", ...
  std::string listening_on;         // the system socket, when `up` made the server listen there
  // The defaults before `up` as remembered in the sink (also when an earlier `up` set them);
  // nullopt when not known (a sink `up` did not load), "" when there was none.
  std::optional<std::string> previous_sink, previous_source;
  bool changed = false;  // anything was done (false: already up)
};

// Reaches or starts a server (connect_or_start), as root makes it listen on the system socket
// unless something answers there, loads module-role-cork unless loaded and the null sink unless
// present, makes soundcheck_loop and soundcheck_loop.monitor the defaults. Idempotent: when all
// is in place it changes nothing (changed false). On PipeWire, whose pipewire-pulse has no
// module-role-cork, that module is skipped and said so. A failure after `up` loaded
// module-role-cork unloads it again. Errors: connect_or_start's; Exit::unavailable when the
// server refuses a module or a default.
Result<LoopbackUp> loopback_up();

struct LoopbackDown {
  std::optional<ServerInfo> server;   // nullopt: no server answered (nothing to do)
  std::vector<std::string> done;      // one line per thing done or left, in order
  std::vector<std::string> unloaded;  // "module-null-sink", "module-role-cork"
  std::vector<std::string> restored;  // "sink NAME", "source NAME"
  bool changed = false;
};

// Undoes what `up` did and nothing else: restores the remembered default sink and source
// (only where they still exist and the default is still the loopback's, so a choice made
// since is kept), unloads module-role-cork if `up` loaded it (and the module at that index is
// still module-role-cork), and unloads the null sink's module. Never stops the server, and
// leaves its system socket listener (other clients may be using both). Idempotent: no
// server, or no soundcheck_loop, is success with changed false; a soundcheck_loop `up` did not
// load is left as it is. Errors: Exit::unavailable when the server refuses or goes away.
Result<LoopbackDown> loopback_down();

struct LoopbackStatus {
  std::optional<ServerInfo> server;                   // nullopt: no server answered
  std::string server_error;                           // why not, then
  bool sink = false, source = false;                  // soundcheck_loop and its monitor exist
  bool default_sink = false, default_source = false;  // they are the defaults
  bool role_cork = false;                             // module-role-cork is loaded (by anyone)
  bool made_by_up = false;                            // the sink carries soundcheck.loopback=1
  bool role_cork_by_up = false;                       // `up` loaded module-role-cork
  std::optional<std::string> previous_sink, previous_source;  // as remembered
};

// What is in place; changes nothing, never starts a server. Errors: Exit::unavailable when
// the server answers the connection but not the questions.
Result<LoopbackStatus> loopback_status();

}  // namespace sc::audio::pulse
