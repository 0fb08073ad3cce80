#include "core/audio/device.h"

#include <fmt/format.h>

#include "core/session/codes.h"

namespace sc::audio {

Error cannot_start_recording(const DeviceInfo& info, std::string_view cause, std::string hint) {
  return session_error(
      SessionCode::cannotStartRecording,
      fmt::format("cannot start recording from '{}' ({}): {}", info.name, info.api, cause),
      std::move(hint));
}

}  // namespace sc::audio
