#include "core/audio/device.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/session/codes.h"

namespace sc::audio {

unsigned fragment_frames(const StreamParams& params, unsigned rate) {
  if (params.buffer_frames) return params.buffer_frames;
  const auto ms = static_cast<unsigned>(kDefaultFragment.count());
  return std::max(rate * ms / 1000, 64u);
}

Error cannot_start_recording(const DeviceInfo& info, std::string_view cause, std::string hint) {
  return session_error(
      SessionCode::cannotStartRecording,
      fmt::format("cannot start recording from '{}' ({}): {}", info.name, info.api, cause),
      std::move(hint));
}

Error cannot_start_playing(const DeviceInfo& info, std::string_view cause, std::string hint) {
  return session_error(
      SessionCode::cannotStartPlaying,
      fmt::format("cannot start playing to '{}' ({}): {}", info.name, info.api, cause),
      std::move(hint));
}

}  // namespace sc::audio
