#include "core/session/policy.h"

#include <algorithm>

namespace sc::session {
namespace {

bool high(Priority p) { return p != Priority::ordinary; }

bool contains(const std::vector<uint64_t>& v, uint64_t id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

// Rule 5's refusal, if any: an ordinary session that records or is non-mixable, while a call
// or siri session is active (or the server has a call).
ActivationDecision rule5(const std::vector<SessionState>& others, const ActivationRequest& req) {
  ActivationDecision d;
  const SessionState& s = req.session;
  if (high(s.priority) || (s.mixable && !s.records)) return d;
  const SessionState* call = nullptr;
  const SessionState* siri = nullptr;
  for (const auto& o : others) {
    if (!o.active) continue;
    if (o.priority == Priority::call && !call) call = &o;
    if (o.priority == Priority::siri && !siri) siri = &o;
  }
  if (siri && s.records) {
    d.refused = SessionCode::siriIsRecording;
    d.why = "the voice assistant (siri) is recording";
    d.holder = siri->id;
  } else if (call || siri) {
    const SessionState& h = call ? *call : *siri;
    d.refused = SessionCode::insufficientPriority;
    d.why = h.priority == Priority::call ? "a call holds the audio"
                                         : "the voice assistant (siri) holds the audio";
    d.holder = h.id;
  } else if (req.server_call) {
    d.refused = SessionCode::insufficientPriority;
    d.why = "a call on the audio server (a media.role=phone stream) holds the audio";
  }
  return d;
}

}  // namespace

ActivationDecision decide_activation(const std::vector<SessionState>& others,
                                     const ActivationRequest& request) {
  const SessionState& s = request.session;
  ActivationDecision d;
  // Rule 3: a non-mixable session cannot come back from the background.
  if (request.reactivation && s.background && !s.mixable) {
    d.refused = SessionCode::cannotInterruptOthers;
    d.why = "it is in the background and not mixable, so it would interrupt the foreground";
    return d;
  }
  // Rule 5: a call's priority.
  d = rule5(others, request);
  if (d.refused) return d;

  for (const auto& o : others) {
    if (!o.active || o.id == s.id) continue;
    bool interrupt = false;
    if (high(s.priority))
      interrupt = !high(o.priority);  // rule 5: every ordinary session, mixable or not
    else if (!s.mixable)
      interrupt = !o.mixable && !high(o.priority);  // rule 2
    if (interrupt) {
      d.interrupt.push_back(o.id);
    } else if (s.ducks && !high(o.priority) && !contains(o.ducked_by, s.id)) {
      d.duck.push_back(o.id);  // rule 4
    }
  }
  return d;
}

DepartureDecision decide_departure(const std::vector<SessionState>& others,
                                   const SessionState& leaving) {
  DepartureDecision d;
  auto active_ducker = [&](uint64_t id) {
    return std::any_of(others.begin(), others.end(),
                       [&](const SessionState& o) { return o.id == id && o.active && o.ducks; });
  };
  for (const auto& o : others) {
    if (o.id == leaving.id) continue;
    if (o.interrupted_by == leaving.id) d.ended.push_back({o.id, leaving.notify});
    if (contains(o.ducked_by, leaving.id) &&
        std::none_of(o.ducked_by.begin(), o.ducked_by.end(),
                     [&](uint64_t by) { return by != leaving.id && active_ducker(by); }))
      d.unduck.push_back(o.id);
  }
  return d;
}

std::optional<SessionCode> deactivation_code(bool io_running) {
  if (io_running) return SessionCode::isBusy;
  return std::nullopt;
}

}  // namespace sc::session
