// The PCM devices of the ALSA cards, from libasound, for the identifiers of RtAudio's ALSA
// devices (alsa_ids.h).
#pragma once

#include <vector>

#include "core/audio/rtaudio/alsa_ids.h"

namespace sc::audio::rt {

// Every card's PCM devices, in the order RtAudio 5.2 counts them. Empty without cards.
// Prints nothing once quiet_audio_libraries() ran.
std::vector<AlsaPcm> alsa_pcms();

}  // namespace sc::audio::rt
