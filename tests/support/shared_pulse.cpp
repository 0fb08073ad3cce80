#include "tests/support/shared_pulse.h"

#include "tests/support/run.h"

namespace sc::test {

std::string shared_server(const std::string& kind, std::string& error) {
  std::string address;
  if (kind == "pulseaudio") {
    // Its line ends "... (ADDRESS); monitor source: soundcheck_loop.monitor".
    auto r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"}, {{"PULSE_SERVER", ""}});
    if (r.status != 0) {
      error = "scripts/start-pulse failed:\n" + r.out + r.err;
      return "";
    }
    const size_t close = r.out.find("); monitor source:");
    const size_t open = close == std::string::npos ? close : r.out.rfind('(', close);
    if (open == std::string::npos) {
      error = "scripts/start-pulse said no address: " + r.out;
      return "";
    }
    address = r.out.substr(open + 1, close - open - 1);
  } else {
    auto r = run("/bin/bash", {source_dir() + "/scripts/start-pipewire", "--print-server"});
    if (r.status != 0) {
      error = "scripts/start-pipewire failed:\n" + r.out + r.err;
      return "";
    }
    address = r.out.substr(0, r.out.find('\n'));
  }
  // The server at that address is the one asked for.
  auto info = run("/usr/bin/pactl", {"info"}, {{"PULSE_SERVER", address}});
  const size_t at = info.out.find("Server Name: ");
  if (info.status != 0 || at == std::string::npos) {
    error = address + ": pactl info failed: " + info.err;
    return "";
  }
  const std::string name = info.out.substr(at, info.out.find('\n', at) - at);
  const bool right = kind == "pulseaudio" ? name == "Server Name: pulseaudio"
                                          : name.find("PipeWire") != std::string::npos;
  if (!right) {
    error = address + " is not " + kind + ": " + name;
    return "";
  }
  return address;
}

std::string load_null_sink(const std::string& address, const std::string& name,
                           std::string& error) {
  auto m = run("/usr/bin/pactl",
               {"load-module", "module-null-sink", "sink_name=" + name, "rate=48000",
                "sink_properties=device.description=" + name},
               {{"PULSE_SERVER", address}});
  if (m.status != 0) {
    error = "cannot load a null sink: " + m.err;
    return "";
  }
  return m.out.substr(0, m.out.find('\n'));
}

}  // namespace sc::test
