// What the audio backends of this build are: RtAudio's version and the APIs compiled into it.
#pragma once

#include <string>
#include <vector>

namespace sc::audio {

// RtAudio's run-time version ("5.2.0").
std::string rtaudio_version();

// RtAudio's compiled APIs by short name ("alsa", "pulse", "jack"), in RtAudio's order.
std::vector<std::string> compiled_apis();

}  // namespace sc::audio
