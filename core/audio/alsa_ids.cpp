#include "core/audio/alsa_ids.h"

#include <alsa/asoundlib.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <memory>

namespace sc::audio {
namespace {

struct CtlClose {
  void operator()(snd_ctl_t* c) const { snd_ctl_close(c); }
};
using Ctl = std::unique_ptr<snd_ctl_t, CtlClose>;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "hw:1,0" as written by a user or a backend that already gives numbers.
bool is_numeric_hw(std::string_view name) {
  if (name.rfind("hw:", 0) != 0) return false;
  const auto rest = name.substr(3);
  const auto comma = rest.find(',');
  return comma != std::string_view::npos && all_digits(rest.substr(0, comma)) &&
         all_digits(rest.substr(comma + 1));
}

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

std::string alsa_id(std::string_view rt_name, size_t rt_index, const std::vector<AlsaPcm>& pcms) {
  if (rt_name == "default") return "default";
  if (is_numeric_hw(rt_name)) return std::string(rt_name);
  if (rt_index >= pcms.size()) return {};
  const AlsaPcm& p = pcms[rt_index];
  if (rt_name != fmt::format("hw:{},{}", p.card_name, p.device)) return {};
  return fmt::format("hw:{},{}", p.card, p.device);
}

}  // namespace sc::audio
