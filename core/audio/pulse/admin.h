// Blocking administration of a PulseAudio server (or pipewire-pulse) through libpulse's
// introspection API: what `route loopback` needs (the server's defaults, its sinks, sources and
// modules; loading and unloading modules; choosing the defaults). Internal to core/audio/pulse/.
//
// Threads: an Admin is used from one thread at a time, never libpulse's loop thread; each call
// takes the loop's lock itself and waits for the server's answer (at most `timeout` each).
// Ownership: an Admin borrows its Context, which must outlive it.
// Failure: every call returns Exit::unavailable (69) with the server's reason when the server
// refuses, does not answer in time, or goes away.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/audio/pulse/context.h"
#include "core/common/error.h"

namespace sc::audio::pulse {

struct ServerInfo {
  std::string address;         // the server connected to: "unix:/run/user/0/pulse/native"
  std::string name;            // "pulseaudio", "PulseAudio (on PipeWire 0.3.65)"
  std::string version;         // "16.1", "15.0.0"
  std::string default_sink;    // empty when none (pipewire-pulse's "@DEFAULT_SINK@")
  std::string default_source;  // empty when none
  bool pipewire() const { return name.find("PipeWire") != std::string::npos; }
};

// A sink or a source, as far as `route loopback` and `route watch` look at it.
struct DeviceEntry {
  uint32_t index = 0;
  std::string name;                               // "soundcheck_loop", "soundcheck_loop.monitor"
  std::string description;                        // "soundcheck loopback"
  uint32_t owner_module = UINT32_MAX;             // PA_INVALID_INDEX when no module owns it
  std::string active_port;                        // may be empty
  std::map<std::string, std::string> properties;  // its proplist (string values)
};

struct ModuleEntry {
  uint32_t index = 0;
  std::string name;  // "module-null-sink"
  std::string argument;
};

class Admin {
 public:
  explicit Admin(Context& c, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : c_(c), timeout_(timeout) {}

  Result<ServerInfo> server_info();
  Result<std::vector<DeviceEntry>> sinks();
  Result<std::vector<DeviceEntry>> sources();
  Result<std::vector<ModuleEntry>> modules();
  // Loads `name` with `argument`; its index. A module that fails to initialise (a sink name
  // already taken, bad arguments) is an error naming it.
  Result<uint32_t> load_module(const std::string& name, const std::string& argument);
  Status unload_module(uint32_t index);
  Status set_default_sink(const std::string& name);
  Status set_default_source(const std::string& name);

 private:
  // Waits for `done` after starting `op` (nullptr: libpulse refused to send the request).
  template <typename Done>
  Status wait(pa_operation* op, const char* what, Done done);

  Context& c_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sc::audio::pulse
