#include "core/audio/rtaudio/alsa_cards.h"

#include <alsa/asoundlib.h>
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sc::audio::rt {
namespace {

struct CtlClose {
  void operator()(snd_ctl_t* c) const { snd_ctl_close(c); }
};
using Ctl = std::unique_ptr<snd_ctl_t, CtlClose>;

}  // namespace

std::vector<AlsaPcm> alsa_pcms() {
  std::vector<AlsaPcm> out;
  int card = -1;
  while (snd_card_next(&card) == 0 && card >= 0) {
    snd_ctl_t* raw = nullptr;
    if (snd_ctl_open(&raw, fmt::format("hw:{}", card).c_str(), 0) < 0) continue;
    Ctl ctl(raw);
    std::string card_name;
    char* name = nullptr;
    if (snd_card_get_name(card, &name) >= 0 && name) {
      card_name = name;
      std::free(name);
    }
    int device = -1;
    while (snd_ctl_pcm_next_device(ctl.get(), &device) == 0 && device >= 0)
      out.push_back(AlsaPcm{card, device, card_name});
  }
  return out;
}

}  // namespace sc::audio::rt
