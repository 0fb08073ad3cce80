#include "core/session/codes.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include "core/common/names.h"

namespace sc {
namespace {

// Integers are computed from the four characters at compile time, so the table cannot
// disagree with itself.
constexpr int32_t cc(const char (&s)[5]) {
  return static_cast<int32_t>((static_cast<uint32_t>(static_cast<unsigned char>(s[0])) << 24) |
                              (static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 16) |
                              (static_cast<uint32_t>(static_cast<unsigned char>(s[2])) << 8) |
                              static_cast<uint32_t>(static_cast<unsigned char>(s[3])));
}

using C = SessionCode;
constexpr std::array<SessionCodeInfo, 15> kCodes{{
    {C::none, "none", "", 0, "no error", "the operation succeeded", "nothing to fix", Exit::ok},
    {C::badParam, "badParam", "", -50,
     "invalid profile: a category, mode, option or preference "
     "that is unknown or not valid with the others",
     "an option or mode used with a category it is not valid for (defaultToSpeaker outside "
     "playAndRecord, voiceChat outside playAndRecord), or a misspelt name",
     "use the option with a category it is valid for, or drop it; `soundcheck session check` "
     "names the valid categories",
     Exit::usage},
    {C::isBusy, "isBusy", "!act", cc("!act"), "deactivated while I/O was still running",
     "the session was deactivated (setActive:NO) while a recorder or player still ran",
     "stop or pause every player and recorder before deactivating the session", Exit::unavailable},
    {C::incompatibleCategory, "incompatibleCategory", "!cat", cc("!cat"),
     "the command needs I/O the category does not allow",
     "recording with a category that has no input (playback, ambient, soloAmbient), or playing "
     "with record",
     "use record or playAndRecord to record, an output category to play, playAndRecord for "
     "route test",
     Exit::unavailable},
    {C::cannotInterruptOthers, "cannotInterruptOthers", "!int", cc("!int"),
     "a non-mixable session tried to activate from the background",
     "an app in the background (often resuming after an interruption such as a phone call) "
     "activated a session that is not mixable, which would interrupt the foreground app",
     "add the mixWithOthers option (--options mixWithOthers) so the session can activate from "
     "the background, or activate it while in the foreground",
     Exit::unavailable},
    {C::insufficientPriority, "insufficientPriority", "!pri", cc("!pri"),
     "a higher-priority session (a call) holds the audio",
     "a phone or VoIP call is in progress, and it takes priority over recording and over "
     "non-mixable sessions",
     "wait for the interruption-ended notification (the call to end) and activate again; or use "
     "a mixable profile that does not record",
     Exit::unavailable},
    {C::cannotStartPlaying, "cannotStartPlaying", "!pla", cc("!pla"),
     "the output device could not be started",
     "the output device is missing, busy or refused the format, or playback started from the "
     "background without an audio background mode",
     "check the device with `soundcheck route list --output`; choose another with -D",
     Exit::unavailable},
    {C::cannotStartRecording, "cannotStartRecording", "!rec", cc("!rec"),
     "the input device could not be started",
     "the input device is missing, busy, has no input channels, or microphone access is denied",
     "check the device with `soundcheck route list --input`; choose another with -D; grant "
     "microphone access",
     Exit::unavailable},
    {C::resourceNotAvailable, "resourceNotAvailable", "!res", cc("!res"),
     "no device satisfies the request",
     "no device offers the direction, channel count or rate the profile asks for, or the "
     "system is out of audio resources",
     "relax the preferences (--preferred-rate, channels) or connect a suitable device",
     Exit::unavailable},
    {C::expiredSession, "expiredSession", "!ses", cc("!ses"), "the session's owner is gone",
     "the process that owned the session exited or was killed while others referred to it",
     "create a new session; stale entries are cleared automatically", Exit::unavailable},
    {C::sessionNotActive, "sessionNotActive", "inac", cc("inac"),
     "an operation that needs an active session",
     "starting I/O or changing the route before the session was activated, or after it was "
     "deactivated or interrupted",
     "activate the session first (setActive:YES); after an interruption, wait for it to end",
     Exit::unavailable},
    {C::mediaServicesFailed, "mediaServicesFailed", "msrv", cc("msrv"),
     "the audio server died or went away",
     "the media server (mediaserverd on iOS, PulseAudio or PipeWire here) crashed or restarted",
     "rebuild audio objects after mediaServicesWereReset; here, check that the audio server "
     "runs (`pactl info`)",
     Exit::unavailable},
    {C::siriIsRecording, "siriIsRecording", "siri", cc("siri"),
     "recording refused during a voice-assistant interruption",
     "the voice assistant holds the microphone",
     "wait for the interruption to end, then record again", Exit::unavailable},
    {C::missingEntitlement, "missingEntitlement", "ent?", cc("ent?"),
     "the application lacks an entitlement the operation needs",
     "on iOS, an audio feature used without its entitlement or Info.plist key (such as "
     "UIBackgroundModes audio or NSMicrophoneUsageDescription)",
     "add the entitlement or Info.plist key; soundcheck itself never reports this",
     Exit::unavailable},
    {C::unspecified, "unspecified", "what", cc("what"), "an unspecified error",
     "the system reported a failure without a reason",
     "retry; if it persists, collect a log with --verbose", Exit::internal},
}};

bool parse_int(std::string_view s, int base, int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

const SessionCodeInfo* by_value(int64_t v) {
  // Accept the unsigned 32-bit form of negative codes (4294967246 for -50), as some logs print.
  if (v > INT32_MAX && v <= static_cast<int64_t>(UINT32_MAX)) v -= (int64_t{1} << 32);
  for (const auto& c : kCodes)
    if (c.osstatus == v) return &c;
  return nullptr;
}

std::string strip_quotes(std::string_view s) {
  while (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return std::string(s);
}

Error unknown(std::string_view input, std::string extra) {
  return make_error(
      Exit::usage, fmt::format("'{}' is not an AVAudioSession error code{}", input, extra),
      "give an integer (560557684, -50), hex (0x21696e74), four characters ('!int') or a "
      "name (cannotInterruptOthers); `soundcheck session decode --list` shows them all");
}

}  // namespace

std::span<const SessionCodeInfo> session_codes() { return kCodes; }

const SessionCodeInfo& info(SessionCode code) {
  for (const auto& c : kCodes)
    if (c.code == code) return c;
  return kCodes.back();
}

int32_t fourcc_value(std::string_view four) {
  uint32_t v = 0;
  for (char ch : four.substr(0, 4)) v = (v << 8) | static_cast<unsigned char>(ch);
  return static_cast<int32_t>(v);
}

std::optional<std::string> fourcc_text(int32_t value) {
  const auto u = static_cast<uint32_t>(value);
  std::string s(4, ' ');
  for (int i = 0; i < 4; ++i) {
    const auto ch = static_cast<unsigned char>((u >> (8 * (3 - i))) & 0xff);
    if (ch < 0x20 || ch > 0x7e) return std::nullopt;
    s[static_cast<size_t>(i)] = static_cast<char>(ch);
  }
  return s;
}

Result<const SessionCodeInfo*> decode_session_code(std::string_view raw) {
  const std::string input = strip_quotes(raw);
  if (input.empty()) return unknown(raw, "");
  int64_t v = 0;
  // Integer, decimal or hex.
  if (parse_int(input, 10, v) || ((input.rfind("0x", 0) == 0 || input.rfind("0X", 0) == 0) &&
                                  parse_int(input.substr(2), 16, v))) {
    if (const auto* c = by_value(v)) return c;
    std::string extra;
    if (v >= INT32_MIN && v <= static_cast<int64_t>(UINT32_MAX)) {
      if (auto t = fourcc_text(static_cast<int32_t>(static_cast<uint32_t>(v & 0xffffffff))))
        extra = fmt::format(" (its four characters are '{}', a code of another API)", *t);
    }
    return unknown(raw, extra);
  }
  // Four characters exactly as written (case matters: 'what' vs 'WHAT').
  if (input.size() == 4) {
    for (const auto& c : kCodes)
      if (!c.fourcc.empty() && c.fourcc == input) return &c;
  }
  // Name, in any spelling; Apple's constant prefix is allowed.
  std::string folded = fold_name(input);
  for (std::string_view prefix : {"avaudiosessionerrorcode", "avaudiosessionerror"}) {
    if (folded.rfind(prefix, 0) == 0) folded = folded.substr(prefix.size());
  }
  for (const auto& c : kCodes)
    if (fold_name(c.name) == folded) return &c;
  std::vector<std::string> names;
  for (const auto& c : kCodes) names.emplace_back(c.name);
  auto near = close_matches(input, names);
  return unknown(raw, near.empty() ? "" : fmt::format("; did you mean {}?", join_or(near)));
}

Error session_error(SessionCode code, std::string message, std::string hint) {
  const auto& c = info(code);
  Error e = make_error(c.exit, std::move(message), std::move(hint));
  e.session = &c;
  return e;
}

}  // namespace sc
