// What a PulseAudio server has: its sources and sinks with their names (the system's own
// identifiers: "loop", "loop.monitor") and descriptions (the names people see: "Null
// Output", "Monitor of Null Output"). RtAudio only knows the descriptions; this gives the
// registry the identifiers and tells which source is which sink's monitor.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/pulse_client.h"
#include "core/audio/pulse_loop.h"

namespace sc::audio {

struct PulseObject {
  std::string name;         // "loop.monitor"
  std::string description;  // "Monitor of Null Output"
  unsigned channels = 0;
  unsigned rate = 0;
  std::string monitor_of;  // sources: the sink this source monitors ("loop"), else empty
  std::string monitor;     // sinks: their monitor source ("loop.monitor"), else empty
};

struct PulseSnapshot {
  std::string default_source;  // name of the server's default source, may be empty
  std::string default_sink;
  std::vector<PulseObject> sources;  // in the server's index order
  std::vector<PulseObject> sinks;
};

// A ready connection to the server, one of soundcheck's two clients: its own over the native
// protocol (pulse_client.h), else libpulse's. Empty: none.
struct PulseLink {
  std::unique_ptr<pulse::Client> native;
  pulse::Connection lib;
};

// Whether soundcheck's own client is tried first: unless SOUNDCHECK_PULSE is "libpulse".
bool pulse_native_wanted();

// Asks the server the environment names (PULSE_SERVER, or the user's runtime socket) for its
// sources and sinks: over the native protocol when pulse_native_wanted() and pulse::Client
// reaches the server, else through libpulse. Never starts a server (no autospawn) and prints
// nothing. Returns nullopt when no server answers within `timeout` or the connection fails for
// any reason. Blocking; any thread (each call has its own connection).
std::optional<PulseSnapshot> query_pulse(
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// The same, handing the connection it used (ready, for this thread) to `kept`, for a capture
// stream to reuse (make_pulse_device) instead of connecting again.
std::optional<PulseSnapshot> query_pulse(
    PulseLink& kept, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

}  // namespace sc::audio
