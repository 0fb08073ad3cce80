// SESSION-MODEL.md rules 1-8 as the pure policy functions apply them: one row per case, and
// a failure prints the row (its name, the others and the request).
#include "core/session/policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sc::session {
namespace {

using C = Category;
using O = CategoryOption;

// A session as the registry would record it from a profile.
SessionState make(uint64_t id, Category c, std::vector<CategoryOption> options = {},
                  Priority p = Priority::ordinary) {
  Profile prof;
  prof.category = c;
  prof.options = options;
  SessionState s;
  s.id = id;
  s.category = c;
  s.options = prof.options_value();
  s.mixable = is_mixable(prof);
  s.ducks = prof.has(O::duckOthers);
  s.priority = p;
  s.active = true;
  return s;
}
SessionState interrupted(SessionState s, uint64_t by = 0) {
  s.active = false;
  s.interrupted_by = by;
  return s;
}
SessionState recording(SessionState s) {
  s.records = true;
  return s;
}
SessionState background(SessionState s) {
  s.background = true;
  return s;
}
SessionState ducked(SessionState s, std::vector<uint64_t> by) {
  s.ducked_by = std::move(by);
  return s;
}
SessionState no_notify(SessionState s) {
  s.notify = false;
  return s;
}
SessionState call(uint64_t id) { return make(id, C::playAndRecord, {}, Priority::call); }
SessionState siri(uint64_t id) { return make(id, C::playAndRecord, {}, Priority::siri); }
ActivationRequest first(SessionState s) { return ActivationRequest{std::move(s), false, false}; }
ActivationRequest again(SessionState s) { return ActivationRequest{std::move(s), true, false}; }
ActivationRequest with_server_call(SessionState s) {
  return ActivationRequest{std::move(s), false, true};
}

std::string describe(const SessionState& s) {
  return fmt::format("{{id {} {} opts 0x{:x}{}{}{}{}{} pri {} int_by {} ducked_by {}}}", s.id,
                     name(s.category), s.options, s.mixable ? " mixable" : "",
                     s.ducks ? " ducks" : "", s.records ? " records" : "",
                     s.background ? " background" : "", s.active ? " active" : " interrupted",
                     name(s.priority), s.interrupted_by, s.ducked_by);
}
std::string describe(const std::vector<SessionState>& v) {
  std::string out;
  for (const auto& s : v) out += describe(s) + " ";
  return out;
}

struct ActivationRow {
  std::string name;
  std::vector<SessionState> others;
  ActivationRequest request;
  std::optional<SessionCode> refused;
  std::vector<uint64_t> interrupt;
  std::vector<uint64_t> duck = {};
  uint64_t holder = 0;
};

const std::vector<ActivationRow> kActivation = {
    // Rule 2.
    {"non-mixable interrupts every active non-mixable",
     {make(1, C::playback), make(2, C::playAndRecord), make(3, C::soloAmbient)},
     first(make(10, C::record)),
     std::nullopt,
     {1, 2, 3}},
    {"non-mixable leaves interrupted sessions alone",
     {interrupted(make(1, C::playback), 5)},
     first(make(10, C::playback)),
     std::nullopt,
     {}},
    {"non-mixable keeps mixable sessions running",
     {make(1, C::ambient), make(2, C::playback, {O::mixWithOthers}),
      make(3, C::playAndRecord, {O::interruptSpokenAudioAndMixWithOthers})},
     first(make(10, C::soloAmbient)),
     std::nullopt,
     {}},
    {"mixable (ambient) interrupts nobody",
     {make(1, C::playback), make(2, C::playAndRecord)},
     first(make(10, C::ambient)),
     std::nullopt,
     {}},
    {"mixable (mixWithOthers) interrupts nobody",
     {make(1, C::playback), make(2, C::record)},
     first(recording(make(10, C::playAndRecord, {O::mixWithOthers}))),
     std::nullopt,
     {}},
    // Rule 3.
    {"background non-mixable resume refused with !int, interrupts nobody",
     {make(1, C::playback)},
     again(background(make(10, C::playAndRecord))),
     SessionCode::cannotInterruptOthers,
     {}},
    {"background non-mixable first activation is allowed",
     {make(1, C::playback)},
     first(background(make(10, C::playAndRecord))),
     std::nullopt,
     {1}},
    {"foreground non-mixable resume is allowed",
     {make(1, C::playback)},
     again(make(10, C::playAndRecord)),
     std::nullopt,
     {1}},
    {"background mixable resumes",
     {make(1, C::playback)},
     again(background(make(10, C::playAndRecord, {O::mixWithOthers}))),
     std::nullopt,
     {}},
    // Rule 4.
    {"ducker ducks every other active session but calls",
     {make(1, C::playback, {O::mixWithOthers}), make(2, C::ambient),
      interrupted(make(3, C::playback), 7),
      make(4, C::playback, {O::mixWithOthers}, Priority::call)},
     first(make(10, C::playback, {O::duckOthers})),
     std::nullopt,
     {},
     {1, 2}},
    {"ducker does not duck twice whom it already ducks",
     {ducked(make(1, C::ambient), {10})},
     again(make(10, C::ambient, {O::duckOthers})),
     std::nullopt,
     {},
     {}},
    {"second ducker ducks an already ducked session",
     {ducked(make(1, C::ambient), {11}), make(11, C::ambient, {O::duckOthers})},
     first(make(10, C::ambient, {O::duckOthers})),
     std::nullopt,
     {},
     {1, 11}},
    // Rule 5.
    {"call interrupts every ordinary session, mixable too",
     {make(1, C::playback), make(2, C::ambient), make(3, C::playAndRecord, {O::mixWithOthers})},
     first(call(10)),
     std::nullopt,
     {1, 2, 3}},
    {"call refuses a recording with !pri",
     {call(1)},
     first(recording(make(10, C::record))),
     SessionCode::insufficientPriority,
     {},
     {},
     1},
    {"call refuses a non-mixable session with !pri",
     {call(1)},
     first(make(10, C::playback)),
     SessionCode::insufficientPriority,
     {},
     {},
     1},
    {"call refuses a mixable recording with !pri",
     {call(1)},
     first(recording(make(10, C::playAndRecord, {O::mixWithOthers}))),
     SessionCode::insufficientPriority,
     {},
     {},
     1},
    {"mixable non-recording session activates during a call",
     {call(1)},
     first(make(10, C::ambient)),
     std::nullopt,
     {}},
    {"an interrupted call refuses nothing",
     {interrupted(call(1))},
     first(recording(make(10, C::record))),
     std::nullopt,
     {}},
    {"siri refuses a recording with siri",
     {siri(1)},
     first(recording(make(10, C::record))),
     SessionCode::siriIsRecording,
     {},
     {},
     1},
    {"siri refuses a non-mixable non-recording session with !pri",
     {siri(1)},
     first(make(10, C::playback)),
     SessionCode::insufficientPriority,
     {},
     {},
     1},
    {"the server's call refuses a recording with !pri",
     {},
     with_server_call(recording(make(10, C::record))),
     SessionCode::insufficientPriority,
     {}},
    {"the server's call lets ambient activate",
     {},
     with_server_call(make(10, C::ambient)),
     std::nullopt,
     {}},
    {"a call activates during a call and interrupts no call",
     {call(1), interrupted(make(2, C::playback), 1)},
     first(call(10)),
     std::nullopt,
     {}},
    {"siri interrupts an ordinary session but not a call",
     {call(1), make(2, C::ambient)},
     first(siri(10)),
     std::nullopt,
     {2}},
    // Alarm: an ordinary non-mixable interrupter.
    {"alarm interrupts non-mixable sessions only",
     {make(1, C::ambient), recording(make(2, C::playAndRecord))},
     first(make(10, C::soloAmbient)),
     std::nullopt,
     {2}},
    {"alarm refuses nothing and is interrupted by a later non-mixable",
     {make(1, C::soloAmbient)},
     first(recording(make(10, C::record))),
     std::nullopt,
     {1}},
};

TEST(SessionPolicy, Activation) {
  for (const auto& row : kActivation) {
    SCOPED_TRACE(fmt::format("case '{}': others [{}] request {}{}{}", row.name,
                             describe(row.others), describe(row.request.session),
                             row.request.reactivation ? " (reactivation)" : "",
                             row.request.server_call ? " (server call)" : ""));
    const auto d = decide_activation(row.others, row.request);
    EXPECT_EQ(d.refused.has_value(), row.refused.has_value());
    if (d.refused && row.refused) {
      EXPECT_EQ(info(*d.refused).name, info(*row.refused).name);
      EXPECT_FALSE(d.why.empty());
    }
    EXPECT_EQ(d.interrupt, row.interrupt);
    EXPECT_EQ(d.duck, row.duck);
    EXPECT_EQ(d.holder, row.holder);
  }
}

TEST(SessionPolicy, RefusalNamesTheHolder) {
  EXPECT_NE(decide_activation({call(1)}, first(make(10, C::record))).why.find("call"),
            std::string::npos);
  EXPECT_NE(decide_activation({siri(1)}, first(recording(make(10, C::record)))).why.find("siri"),
            std::string::npos);
  EXPECT_NE(decide_activation({}, again(background(make(10, C::record)))).why.find("background"),
            std::string::npos);
}

struct DepartureRow {
  std::string name;
  std::vector<SessionState> others;
  SessionState leaving;
  std::vector<DepartureDecision::Ended> ended;
  std::vector<uint64_t> unduck;
};

const std::vector<DepartureRow> kDeparture = {
    {"interrupter with notify: ended with shouldResume",
     {interrupted(make(1, C::playback), 10), interrupted(make(2, C::record), 10)},
     make(10, C::playback),
     {{1, true}, {2, true}},
     {}},
    {"interrupter without notify: ended without shouldResume",
     {interrupted(make(1, C::playback), 10)},
     no_notify(make(10, C::playback)),
     {{1, false}},
     {}},
    {"only whom it interrupted gets ended",
     {interrupted(make(1, C::playback), 10), interrupted(make(2, C::playback), 11),
      make(3, C::ambient)},
     make(10, C::playback),
     {{1, true}},
     {}},
    {"an interrupted interrupter still ends its own interruptions",
     {interrupted(make(1, C::playback), 10), call(11)},
     interrupted(make(10, C::playback), 11),
     {{1, true}},
     {}},
    {"two duckers: the first leaving unducks only whom it alone ducks",
     {ducked(make(1, C::ambient), {10, 11}), ducked(make(2, C::playback, {O::mixWithOthers}), {10}),
      make(11, C::ambient, {O::duckOthers})},
     make(10, C::ambient, {O::duckOthers}),
     {},
     {2}},
    {"two duckers: the second leaving unducks the rest",
     {ducked(make(1, C::ambient), {11}), ducked(make(2, C::playback, {O::mixWithOthers}), {})},
     make(11, C::ambient, {O::duckOthers}),
     {},
     {1}},
    {"a ducker that is interrupted no longer keeps anyone ducked",
     {ducked(make(1, C::ambient), {10, 11}), interrupted(make(11, C::ambient, {O::duckOthers}), 5)},
     make(10, C::ambient, {O::duckOthers}),
     {},
     {1}},
};

TEST(SessionPolicy, Departure) {
  for (const auto& row : kDeparture) {
    SCOPED_TRACE(fmt::format("case '{}': others [{}] leaving {}", row.name, describe(row.others),
                             describe(row.leaving)));
    const auto d = decide_departure(row.others, row.leaving);
    ASSERT_EQ(d.ended.size(), row.ended.size());
    for (size_t i = 0; i < d.ended.size(); ++i) {
      EXPECT_EQ(d.ended[i].id, row.ended[i].id);
      EXPECT_EQ(d.ended[i].should_resume, row.ended[i].should_resume);
    }
    EXPECT_EQ(d.unduck, row.unduck);
  }
}

TEST(SessionPolicy, DeactivationWhileBusy) {
  ASSERT_TRUE(deactivation_code(true).has_value());
  EXPECT_EQ(info(*deactivation_code(true)).fourcc, "!act");
  EXPECT_FALSE(deactivation_code(false).has_value());
}

}  // namespace
}  // namespace sc::session
