// The ALSA identifiers ("hw:1,0") of the devices RtAudio lists. RtAudio 5.2 names an ALSA
// device "hw:CARDNAME,DEVICE" ("hw:HDA Intel PCH,0") and opens "hw:CARD,DEVICE" by number;
// it lists every PCM device of every card in libasound's order, then "default". Pure
// string work: the cards come from libasound (alsa_cards.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sc::audio {

// One PCM device of a card, as libasound enumerates it.
struct AlsaPcm {
  int card = 0;
  int device = 0;
  std::string card_name;  // snd_card_get_name: "HDA Intel PCH"
};

// The identifier of RtAudio's ALSA device `rt_index` named `rt_name`, given `pcms`:
// "default" for "default", "hw:C,D" when the name is already one or when the pcm at the
// same position has the same card name and device number; empty when they disagree (then
// the id is not known, rather than wrong).
std::string alsa_id(std::string_view rt_name, size_t rt_index, const std::vector<AlsaPcm>& pcms);

}  // namespace sc::audio
