// Reaching a PulseAudio server, starting one when none answers: what `route loopback up`
// does before it configures the loopback. A running PipeWire (pipewire-pulse) is a server like
// any other.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/audio/pulse/context.h"
#include "core/common/error.h"

namespace sc::audio::pulse {

struct Reached {
  std::unique_ptr<Context> context;  // ready
  bool started = false;              // this call started the server
};

// Connects to the server the environment names (PULSE_SERVER, client.conf, the user's runtime
// socket, /var/run/pulse/native; never autospawning). When none answers, runs
// `pulseaudio -D --exit-idle-time=-1` (found on PATH, spawned with posix_spawn, its output kept
// for the error message; the environment is this process's own, so the daemon takes its
// runtime directory from XDG_RUNTIME_DIR like any PulseAudio), waits for it to daemonize and
// then connects again until `timeout` has passed since the start.
// Blocking; any thread. Errors, all Exit::unavailable (69):
// - no server and no `pulseaudio` on PATH: "no PulseAudio server and pulseaudio is not
//   installed", hint "apt-get install pulseaudio (or start PipeWire with pipewire-pulse)";
// - `pulseaudio -D` failed: its last lines of output;
// - started, but no connection within `timeout`: the connection's last error.
Result<Reached> connect_or_start(std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Whether something accepts connections on the unix socket `path` (a plain connect(2); it
// does not speak the protocol). Any thread.
bool socket_answers(const std::string& path);

}  // namespace sc::audio::pulse
