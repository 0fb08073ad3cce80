// An audio server of one test's own, which it may fill with phone streams, kill, restart and
// reconfigure without touching the shared servers other tests use at the same time (a
// media.role=phone stream is a call for every recorder on its server):
// - "pulseaudio": `pulseaudio -n` with one unix socket in a private directory (no default.pa:
//   no sinks, no module-role-cork until a test loads them);
// - "pipewire": pipewire, WirePlumber and pipewire-pulse started by scripts/start-pipewire in a
//   private SOUNDCHECK_PW_RUNTIME (its socket is always RUNTIME/pulse/native).
// kill() takes the PulseAudio server down with SIGKILL (for PipeWire: pipewire-pulse, the
// server libpulse clients talk to); restart() brings it back on the same address. The modules a
// test loaded are gone with the server: load them again. The destructor stops every daemon.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace sc::test {

class PrivatePulse {
 public:
  // Starts `kind` ("pulseaudio" or "pipewire") and waits until it answers `pactl info`; ok()
  // says whether it does, error() why not.
  explicit PrivatePulse(std::string kind);
  ~PrivatePulse();
  PrivatePulse(const PrivatePulse&) = delete;
  PrivatePulse& operator=(const PrivatePulse&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& kind() const { return kind_; }
  // PULSE_SERVER for clients: unix:DIR/...
  const std::string& address() const { return address_; }
  // The environment every process of the test needs: {{"PULSE_SERVER", address()}}.
  std::map<std::string, std::string> env() const;
  RunResult pactl(const std::vector<std::string>& args) const;
  // Loads module-null-sink `name` at 48 kHz and waits until its monitor is listed. Returns the
  // module's index, or "" (and error() says why).
  std::string load_null_sink(const std::string& name);
  // Whether `pactl list short sources` lists `source` now.
  bool has_source(const std::string& source) const;

  // SIGKILLs the server and waits until it is gone.
  void kill();
  // Starts it again on the same address and waits until it answers; false (error() says why)
  // if it does not.
  bool restart();

 private:
  bool start_pulseaudio();
  bool start_pipewire();
  bool answers(std::chrono::milliseconds timeout) const;
  // The pid a daemon of the private PipeWire recorded, if it is still that program (dbus:
  // dbus-daemon); 0 if not.
  int pipewire_daemon(const std::string& name) const;

  std::string kind_;
  std::string dir_;  // private, removed at the test process's exit (run.h temp_dir)
  std::string pw_;   // SOUNDCHECK_PW_RUNTIME
  std::string address_;
  std::string error_;
  std::unique_ptr<Process> pulseaudio_;
};

}  // namespace sc::test
