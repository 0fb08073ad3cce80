#include "core/audio/rtaudio/alsa_ids.h"

#include <fmt/format.h>

#include <cctype>

namespace sc::audio {
namespace {

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

std::string alsa_id(std::string_view rt_name, size_t rt_index, const std::vector<AlsaPcm>& pcms) {
  if (rt_name == "default") return "default";
  if (is_numeric_hw(rt_name)) return std::string(rt_name);
  if (rt_index >= pcms.size()) return {};
  const AlsaPcm& p = pcms[rt_index];
  if (rt_name != fmt::format("hw:{},{}", p.card_name, p.device)) return {};
  return fmt::format("hw:{},{}", p.card, p.device);
}

}  // namespace sc::audio
