// What the audio backends of this build are: libpulse's version, RtAudio's and the APIs
// compiled into RtAudio.
#pragma once

#include <string>
#include <vector>

#include "core/common/error.h"

namespace sc::audio {

// libpulse's run-time version ("16.1.0").
std::string pulse_version();

// RtAudio's run-time version ("5.2.0").
std::string rtaudio_version();

// RtAudio's compiled APIs by short name ("alsa", "pulse", "jack"), in RtAudio's order.
std::vector<std::string> compiled_apis();

}  // namespace sc::audio
