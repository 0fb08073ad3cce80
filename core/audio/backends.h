// What the audio backends of this build are: libpulse's version, RtAudio's and the APIs
// compiled into RtAudio.
#pragma once

#include <string>
#include <vector>

#include "core/common/error.h"

namespace sc::audio {

// libpulse's run-time version ("16.1.0"), the library PulseAudio devices go through when
// soundcheck's own client does not (SOUNDCHECK_PULSE, pulse_introspect.h), or "not loadable"
// without it (pulse_lib.h).
std::string pulse_version();

// SOUNDCHECK_PULSE checked: unset, empty, "native" or "libpulse"; anything else is an
// Exit::usage error naming the value. Defined with pulse_native_wanted() (pulse_introspect.cpp).
Status check_pulse_choice();

// RtAudio's run-time version ("5.2.0").
std::string rtaudio_version();

// RtAudio's compiled APIs by short name ("alsa", "pulse", "jack"), in RtAudio's order.
std::vector<std::string> compiled_apis();

}  // namespace sc::audio
