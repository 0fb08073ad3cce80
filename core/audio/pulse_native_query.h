// The sources and sinks of a PulseAudio server, asked over the native protocol
// (pulse_client.h): the same snapshot query_pulse() gives, without libpulse.
#pragma once

#include <optional>

#include "core/audio/pulse_client.h"
#include "core/audio/pulse_introspect.h"

namespace sc::audio {

// Asks `client` for the server's defaults, sources and sinks, waiting until `deadline`.
// nullopt when the server does not answer in time, refuses, or answers what this does not
// parse (the caller then asks through libpulse).
std::optional<PulseSnapshot> query_native(pulse::Client& client, pulse::Client::Deadline deadline);

}  // namespace sc::audio
