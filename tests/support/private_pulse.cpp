#include "tests/support/private_pulse.h"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "tests/support/eventually.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;

// How long a server gets to answer after it was started.
constexpr auto kStartTimeout = 10s;

// Whether `pid` runs: it exists and is not a zombie (a daemon in a session of its own is
// reaped by whoever adopted it, maybe never).
bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] != 'Z';
}

}  // namespace

PrivatePulse::PrivatePulse(std::string kind) : kind_(std::move(kind)), dir_(temp_dir()) {
  if (kind_ == "pulseaudio")
    start_pulseaudio();
  else if (kind_ == "pipewire")
    start_pipewire();
  else
    error_ = "unknown server kind '" + kind_ + "' (pulseaudio, pipewire)";
}

PrivatePulse::~PrivatePulse() {
  pulseaudio_.reset();  // kills and reaps it
  if (pw_.empty()) return;
  // pipewire-pulse and WirePlumber are PipeWire's clients; the bus goes last.
  for (const char* d : {"pipewire-pulse", "wireplumber", "pipewire", "dbus"})
    if (const int pid = pipewire_daemon(d)) ::kill(pid, SIGTERM);
}

std::map<std::string, std::string> PrivatePulse::env() const {
  return {{"PULSE_SERVER", address_}};
}

RunResult PrivatePulse::pactl(const std::vector<std::string>& args) const {
  return run("/usr/bin/pactl", args, env());
}

bool PrivatePulse::answers(std::chrono::milliseconds timeout) const {
  return eventually(timeout, [&] { return pactl({"info"}).status == 0; });
}

bool PrivatePulse::start_pulseaudio() {
  // The socket's path is the address, for every start: restart() comes back on it. PulseAudio
  // removes a stale socket a killed server left behind.
  address_ = "unix:" + dir_ + "/native";
  pulseaudio_ = std::make_unique<Process>(
      "/usr/bin/pulseaudio",
      std::vector<std::string>{
          "-n", "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1", "--log-level=error",
          "--load=module-native-protocol-unix auth-anonymous=1 socket=" + dir_ + "/native"},
      std::map<std::string, std::string>{{"PULSE_RUNTIME_PATH", dir_},
                                         {"PULSE_STATE_PATH", dir_ + "/state"},
                                         {"XDG_RUNTIME_DIR", dir_},
                                         {"HOME", dir_},
                                         {"PULSE_SERVER", ""}});
  if (answers(kStartTimeout)) return true;
  error_ = "the private PulseAudio does not answer on " + address_;
  return false;
}

bool PrivatePulse::start_pipewire() {
  pw_ = dir_ + "/pw";
  auto r = run("/bin/bash", {source_dir() + "/scripts/start-pipewire", "--print-server"},
               {{"SOUNDCHECK_PW_RUNTIME", pw_}});
  if (r.status != 0) {
    error_ = "scripts/start-pipewire failed:\n" + r.out + r.err;
    return false;
  }
  address_ = r.out.substr(0, r.out.find('\n'));
  if (answers(kStartTimeout)) return true;
  error_ = "the private pipewire-pulse does not answer on " + address_;
  return false;
}

int PrivatePulse::pipewire_daemon(const std::string& name) const {
  std::ifstream pidfile(pw_ + "/" + name + ".pid");
  int pid = 0;
  if (!(pidfile >> pid) || pid <= 1) return 0;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string program;
  std::getline(comm, program);
  return program == name || (name == "dbus" && program == "dbus-daemon") ? pid : 0;
}

std::string PrivatePulse::load_null_sink(const std::string& name) {
  auto m = pactl({"load-module", "module-null-sink", "sink_name=" + name, "rate=48000",
                  "sink_properties=device.description=" + name});
  if (m.status != 0) {
    error_ = "cannot load the null sink " + name + ": " + m.err;
    return "";
  }
  // pipewire-pulse lists the monitor a moment after it answers.
  if (!eventually(5s, [&] { return has_source(name + ".monitor"); })) {
    error_ = "the null sink's monitor " + name + ".monitor never appeared";
    return "";
  }
  return m.out.substr(0, m.out.find('\n'));
}

bool PrivatePulse::has_source(const std::string& source) const {
  std::istringstream in(pactl({"list", "short", "sources"}).out);
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos && line.compare(tab + 1, source.size() + 1, source + "\t") == 0)
      return true;
  }
  return false;
}

void PrivatePulse::kill() {
  if (pulseaudio_) {
    pulseaudio_->signal(SIGKILL);
    pulseaudio_->wait();  // reaped: gone
    return;
  }
  // pipewire-pulse runs in a session of its own (setsid), not our child: wait until its pid
  // is free.
  const int pid = pipewire_daemon("pipewire-pulse");
  if (pid == 0) return;
  ::kill(pid, SIGKILL);
  eventually(5s, [&] { return !alive(pid); });
}

bool PrivatePulse::restart() {
  error_.clear();
  if (kind_ == "pulseaudio") {
    pulseaudio_.reset();
    return start_pulseaudio();
  }
  // start-pipewire finds PipeWire and WirePlumber running and starts pipewire-pulse again, on
  // the socket of the same runtime directory.
  return start_pipewire();
}

}  // namespace sc::test
