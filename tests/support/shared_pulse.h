// The audio servers the "Pulse" e2e tests share: PulseAudio (scripts/start-pulse) and
// PipeWire's pipewire-pulse (scripts/start-pipewire, in a runtime directory of its own).
// Tests point every process they start at one of them with PULSE_SERVER and load null sinks
// of their own on it, so nothing else playing into soundcheck_loop reaches their captures.
#pragma once

#include <string>

namespace sc::test {

// Starts the server of `kind` ("pulseaudio" or "pipewire") unless it runs, checks that the
// server at the address is of that kind, and returns its address (PULSE_SERVER). On failure
// returns "" and says why in `error`. Idempotent: the scripts are.
std::string shared_server(const std::string& kind, std::string& error);

// Loads a null sink `name` at 48 kHz on the server at `address`; returns its module index,
// or "" with `error` set.
std::string load_null_sink(const std::string& address, const std::string& name, std::string& error);

}  // namespace sc::test
