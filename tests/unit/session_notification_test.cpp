// Notifications between processes (core/session/notification.h) and the Inbox that hands
// them from the listener to the recorder's thread.
#include "core/session/notification.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/session/inbox.h"

namespace sc::session {
namespace {

using namespace std::chrono_literals;

Notification sample() {
  Notification n;
  n.type = NoteType::ended;
  n.session = {123, 4567, "record", Category::playAndRecord, Mode::voiceChat};
  n.by = SessionRef{9007199254740991ull, 42, "session interrupt", Category::playAndRecord,
                    Mode::defaultMode};
  n.reason = static_cast<int>(InterruptionReason::routeDisconnected);
  n.should_resume = true;
  n.cause = "call";
  n.at = std::chrono::system_clock::time_point(std::chrono::microseconds(1796309701123456));
  return n;
}

TEST(SessionNotification, JsonRoundTrip) {
  const Notification n = sample();
  const auto j = to_json(n);
  EXPECT_EQ(j["type"], "ended");
  EXPECT_EQ(j["reason"], "routeDisconnected");
  EXPECT_EQ(j["reason_value"], 4);
  EXPECT_EQ(j["session"]["category"], "playAndRecord");
  EXPECT_EQ(j["session"]["mode"], "voiceChat");
  EXPECT_EQ(j["at"], "2026-12-03T14:55:01.123456Z");
  auto back = notification_from_json(j.dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->type, n.type);
  EXPECT_EQ(back->session.id, 123u);
  EXPECT_EQ(back->session.pid, 4567);
  EXPECT_EQ(back->session.command, "record");
  EXPECT_EQ(back->session.mode, Mode::voiceChat);
  ASSERT_TRUE(back->by);
  EXPECT_EQ(back->by->id, 9007199254740991ull);
  EXPECT_EQ(back->reason, 4);
  EXPECT_TRUE(back->should_resume);
  EXPECT_EQ(back->cause, "call");
  EXPECT_EQ(back->at, n.at);
}

TEST(SessionNotification, NamesRoundTrip) {
  for (auto t : {NoteType::activated, NoteType::deactivated, NoteType::began, NoteType::ended,
                 NoteType::duck, NoteType::unduck, NoteType::routeChange,
                 NoteType::mediaServicesWereLost, NoteType::mediaServicesWereReset}) {
    SCOPED_TRACE(name(t));
    EXPECT_EQ(parse_note_type(name(t)), t);
  }
  EXPECT_FALSE(parse_note_type("Began"));
  Notification r;
  r.type = NoteType::routeChange;
  r.reason = static_cast<int>(RouteChangeReason::oldDeviceUnavailable);
  EXPECT_EQ(reason_name(r), "oldDeviceUnavailable");
  EXPECT_EQ(name(Priority::siri), "siri");
}

TEST(SessionNotification, MalformedIsDataError) {
  for (std::string bad :
       {"", "[]", "{\"type\":\"began\"}", "{\"type\":\"nope\",\"session\":{}}", "not json"}) {
    SCOPED_TRACE(bad);
    auto n = notification_from_json(bad);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().exit, Exit::data);
  }
}

TEST(SessionNotification, InboxHandsOverInOrder) {
  Inbox inbox;
  int woken = 0;
  inbox.set_waker([&] { ++woken; });
  EXPECT_FALSE(inbox.pop());
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i) {
      Notification n;
      n.reason = i;
      inbox.push(n);
    }
  });
  for (int i = 0; i < 3; ++i) {
    auto n = inbox.pop(2000ms);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->reason, i);
  }
  producer.join();
  EXPECT_EQ(woken, 3);
}

}  // namespace
}  // namespace sc::session
