// AVAudioSession error codes (SESSION-MODEL.md "Error codes"): the single table that
// `session decode`, session errors and their JSON use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/common/error.h"

namespace sc {

enum class SessionCode {
  none,
  badParam,
  isBusy,
  incompatibleCategory,
  cannotInterruptOthers,
  insufficientPriority,
  cannotStartPlaying,
  cannotStartRecording,
  resourceNotAvailable,
  expiredSession,
  sessionNotActive,
  mediaServicesFailed,
  siriIsRecording,
  missingEntitlement,
  unspecified,
};

struct SessionCodeInfo {
  SessionCode code;
  std::string_view name;     // Apple's spelling: "cannotInterruptOthers"
  std::string_view fourcc;   // "!int"; empty for none and badParam
  int32_t osstatus;          // big-endian value of the four characters, or 0 / -50
  std::string_view meaning;  // what it means here
  std::string_view cause;    // the usual cause
  std::string_view fix;      // the usual fix
  Exit exit;                 // the exit status a command that fails with it uses
};

// Every code, in the order of SESSION-MODEL.md.
std::span<const SessionCodeInfo> session_codes();
const SessionCodeInfo& info(SessionCode code);

// The integer of four characters, big-endian ('!int' -> 560557684).
int32_t fourcc_value(std::string_view four);
// The four characters of an integer when all four are printable ASCII, else nullopt.
std::optional<std::string> fourcc_text(int32_t value);

// Looks a code up by any form a user meets it in: the integer (560557684, -50, or the
// unsigned 32-bit form of a negative one), hex (0x21696e74), the four characters (!int,
// with or without quotes), or the name (cannotInterruptOthers, cannot-interrupt-others,
// AVAudioSessionErrorCodeCannotInterruptOthers), case-insensitively.
// An unknown code is Exit::usage; the message says which forms are accepted and, when the
// input is a four-character code of some other API, what its characters are.
Result<const SessionCodeInfo*> decode_session_code(std::string_view input);

// An Error for a session failure: exit status from the table, message prefixed with nothing
// (the caller writes the whole line), the code attached for JSON.
Error session_error(SessionCode code, std::string message, std::string hint = {});

}  // namespace sc
