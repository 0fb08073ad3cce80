// What sessions tell each other (SESSION-MODEL.md "How sessions on one machine meet"):
// AVAudioSession's notifications with their fields, plus activated/deactivated for
// `session watch`. Carried between processes as one JSON object per unix datagram.
// Pure data and conversions; no I/O.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/session/profile.h"

namespace sc::session {

enum class NoteType {
  activated,    // a session became active (watchers only)
  deactivated,  // a session ended, or was found dead (watchers only)
  began,        // interruption began (AVAudioSessionInterruptionTypeBegan, 1)
  ended,        // interruption ended (AVAudioSessionInterruptionTypeEnded, 0)
  duck,         // lower your output by 20 dB (rule 4)
  unduck,       // restore it
  routeChange,
  mediaServicesWereLost,
  mediaServicesWereReset,
};
std::string_view name(NoteType t);
std::optional<NoteType> parse_note_type(std::string_view s);

// AVAudioSessionInterruptionReason.
enum class InterruptionReason : int {
  defaultReason = 0,
  appWasSuspended = 1,
  builtInMicMuted = 2,
  routeDisconnected = 4,
};
std::string_view name(InterruptionReason r);  // "default", "routeDisconnected", ...

// AVAudioSessionRouteChangeReason.
enum class RouteChangeReason : int {
  unknown = 0,
  newDeviceAvailable = 1,
  oldDeviceUnavailable = 2,
  categoryChange = 3,
  override_ = 4,
  wakeFromSleep = 6,
  noSuitableRouteForCategory = 7,
  routeConfigurationChange = 8,
};
std::string_view name(RouteChangeReason r);  // "newDeviceAvailable", ...

// What kind of interrupter a session is (`session interrupt --reason`); ordinary for
// every other session. call and siri have a call's priority (rule 5); alarm is ordinary.
enum class Priority { ordinary, call, siri };
std::string_view name(Priority p);

// A session as a notification names it.
struct SessionRef {
  uint64_t id = 0;  // registry id, unique on this machine for the registry's lifetime
  pid_t pid = 0;
  std::string command;  // "record", "session activate", "session interrupt"
  Category category = Category::soloAmbient;
  Mode mode = Mode::defaultMode;
};

struct Notification {
  NoteType type = NoteType::began;
  SessionRef session;            // whom it is about (the receiver of began/ended/duck/unduck)
  std::optional<SessionRef> by;  // who caused it: the interrupter, the ducker
  // began/ended: an InterruptionReason; routeChange: a RouteChangeReason; else 0.
  int reason = 0;
  bool should_resume = false;  // ended: AVAudioSessionInterruptionOptionShouldResume
  // What interrupts, in words users know: "call", "siri", "alarm", "session" (an ordinary
  // session, rule 2), "phone stream 'Ekiga' (pid 4242)" (a media.role=phone stream on the
  // server), "device" (route loss). Empty when it does not apply.
  std::string cause;
  std::chrono::system_clock::time_point at{};
};

// The reason's name for the notification's type ("routeDisconnected", "newDeviceAvailable").
std::string reason_name(const Notification& n);

// CLI.md's JSON: type, session{id, pid, command, category, mode}, by, reason (name),
// reason_value, should_resume, cause, at (ISO 8601, UTC, microseconds).
nlohmann::ordered_json to_json(const Notification& n);
// The inverse; a malformed datagram is Exit::data.
Result<Notification> notification_from_json(std::string_view text);

// Who interrupted, in words for a notice: "a call (session interrupt, pid 4242)", "a
// non-mixable record session (record, pid 17)", "phone stream 'Ekiga' of ekiga (pid 99)" (the
// server's call: its own words).
std::string interrupter_text(const Notification& n);

// ISO 8601 in UTC with microseconds: "2026-12-03T14:55:01.123456Z".
std::string iso8601(std::chrono::system_clock::time_point t);

}  // namespace sc::session
