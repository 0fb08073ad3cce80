// What a PulseAudio server has: its sources and sinks with their names (the system's own
// identifiers: "loop", "loop.monitor") and descriptions (the names people see: "Null
// Output", "Monitor of Null Output"), and which source is which sink's monitor. Asked through
// libpulse's introspection API (pa_context_get_*_info_list).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/pulse/context.h"

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
  std::string server;          // "pulseaudio 16.1", "PulseAudio (on PipeWire 0.3.65) 15.0.0"
  std::string default_source;  // name of the server's default source, may be empty
  std::string default_sink;
  std::vector<PulseObject> sources;  // in the server's index order
  std::vector<PulseObject> sinks;
};

// Asks the server the environment names for its sources and sinks. Never starts a server (no
// autospawn) and prints nothing. nullopt when no server answers within `timeout` or the
// connection fails for any reason. Blocking; any thread (each call has its own connection).
// With `kept`, the connection it used is handed over (ready), for a capture stream to reuse
// (make_pulse_device) instead of connecting again.
std::optional<PulseSnapshot> query_pulse(
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
    std::unique_ptr<pulse::Context>* kept = nullptr);

}  // namespace sc::audio
