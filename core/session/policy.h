// The arbitration rules of SESSION-MODEL.md (rules 1-8) as pure functions: given the
// sessions of the registry and a request, what happens. No I/O, no clocks; the registry
// (registry.h) applies the decisions under its lock and sends the notifications.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/session/codes.h"
#include "core/session/notification.h"
#include "core/session/profile.h"

namespace sc::session {

// One session as the policy sees it.
struct SessionState {
  uint64_t id = 0;
  Category category = Category::soloAmbient;
  uint32_t options = 0;     // CategoryOption bits
  bool mixable = false;     // rule 1 (is_mixable)
  bool ducks = false;       // has duckOthers (rule 4)
  bool records = false;     // its command records (record; later route test)
  bool background = false;  // declared --background and activated once since (rule 3)
  Priority priority = Priority::ordinary;
  bool notify = true;               // deactivates with notifyOthersOnDeactivation (rule 6)
  bool active = false;              // false: interrupted, waiting for `ended` or resuming
  uint64_t interrupted_by = 0;      // while interrupted: the interrupter (0: none left)
  std::vector<uint64_t> ducked_by;  // the active duckers that ducked it
};

// An activation: a new session, or one that activates again (a resume, rule 7).
struct ActivationRequest {
  SessionState session;  // `active` and `interrupted_by` are ignored
  // True when the session already activated once: with `background` set, rule 3 applies.
  bool reactivation = false;
  // The audio server has a call of its own (a media.role=phone stream that is neither muted
  // nor corked): like an active call session for rule 5.
  bool server_call = false;
};

struct ActivationDecision {
  // Set when refused: cannotInterruptOthers (rule 3), insufficientPriority or
  // siriIsRecording (rule 5). Nobody is interrupted or ducked then.
  std::optional<SessionCode> refused;
  std::string why;  // the reason in words, for the error message
  // Refused by rule 5: the session that holds the audio (the registry names its command and
  // pid); 0 when it is the server's call or the refusal is rule 3's.
  uint64_t holder = 0;
  std::vector<uint64_t> interrupt;  // active sessions that get `began` (rules 2, 5)
  std::vector<uint64_t> duck;       // active sessions that get `duck` (rule 4)
};

// Rules 2-5 for `request` against `others` (every other session in the registry, active or
// interrupted; the requester's own entry excluded).
ActivationDecision decide_activation(const std::vector<SessionState>& others,
                                     const ActivationRequest& request);

struct DepartureDecision {
  struct Ended {
    uint64_t id = 0;
    bool should_resume = false;
  };
  std::vector<Ended> ended;      // sessions it interrupted: `ended` (rule 6)
  std::vector<uint64_t> unduck;  // sessions it ducked and no other active ducker still ducks
};

// Rule 6 and the end of rule 4 when session `leaving` deactivates (or is found dead): whom
// it interrupted gets `ended`, with shouldResume when it deactivates with notify; whom it
// ducked gets `unduck` unless another active ducker still ducks them. `others` excludes it.
DepartureDecision decide_departure(const std::vector<SessionState>& others,
                                   const SessionState& leaving);

// Rule 8: deactivating while I/O still runs deactivates and reports isBusy (!act).
std::optional<SessionCode> deactivation_code(bool io_running);

}  // namespace sc::session
