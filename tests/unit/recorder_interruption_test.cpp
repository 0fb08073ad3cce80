// The recorder's session state machine (core/record/recording.h) with a scripted session:
// notifications pushed into its inbox from another thread, a SessionLink whose resumes are
// allowed or refused as a table says. The virtual device runs in real time, so the active
// time is known from when the notifications were pushed.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "core/audio/virtual/device.h"
#include "core/record/recorder.h"
#include "core/session/codes.h"
#include "tests/support/temp_dir.h"

namespace sc::record {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct FakeLink final : SessionLink {
  int refusals = 0;  // how many reactivations are refused (!int) before one succeeds
  int asked = 0;
  std::vector<session::NoteType> announced;
  Status reactivate() override {
    ++asked;
    if (refusals-- > 0)
      return session_error(SessionCode::cannotInterruptOthers,
                           "a background session cannot interrupt others",
                           "add --options mixWithOthers");
    return ok_status();
  }
  void announce(const session::Notification& n) override { announced.push_back(n.type); }
};

session::Notification note(session::NoteType type, bool should_resume = true) {
  session::Notification n;
  n.type = type;
  n.should_resume = should_resume;
  n.cause = "alarm";
  return n;
}

uint64_t frames_in(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return 0;
  sf_close(f);
  return static_cast<uint64_t>(info.frames);
}

// Records `seconds` of a real-time virtual device at 48 kHz while `script` pushes
// notifications (it gets the inbox and the recording's start time).
struct Run {
  RecordOutcome outcome;
  FakeLink link;
};

std::unique_ptr<Run> record_with(const std::string& path, RecordRequest req,
                                 std::function<void(session::Inbox&)> script, int refusals = 0) {
  auto run = std::make_unique<Run>();
  run->link.refusals = refusals;
  auto device = audio::make_virtual_device("rate=48000,channels=1");
  EXPECT_TRUE(device.ok());
  req.path = path;
  req.format = *formats::choose_format(path, "", "");
  session::Inbox inbox;
  Controls controls;
  controls.inbox = &inbox;
  controls.link = &run->link;
  std::thread t([&] { script(inbox); });
  run->outcome = record(**device, req, controls);
  t.join();
  return run;
}

TEST(RecorderInterruption, PauseKeepsOneFileWithTheActiveTimeOnly) {
  test::TempDir dir;
  RecordRequest req;
  req.duration = 1500ms;
  auto run = record_with(dir.file("a.wav"), req, [](session::Inbox& inbox) {
    std::this_thread::sleep_for(400ms);
    inbox.push(note(session::NoteType::began));
    std::this_thread::sleep_for(500ms);
    inbox.push(note(session::NoteType::ended));
  });
  ASSERT_FALSE(run->outcome.error) << run->outcome.error->message;
  const auto& r = run->outcome.report;
  ASSERT_EQ(r.interruptions.size(), 1u);
  EXPECT_TRUE(r.interruptions[0].resumed);
  EXPECT_EQ(r.interruptions[0].outcome, "resumed");
  EXPECT_EQ(r.files.size(), 1u);
  EXPECT_TRUE(r.finalized);
  // 1.5 s on the session clock less the 0.5 s gap: 1.0 s of audio, within 50 ms (a loaded test
  // machine).
  EXPECT_NEAR(static_cast<double>(frames_in(dir.file("a.wav"))), 48000.0, 2400.0);
  EXPECT_EQ(run->link.asked, 1);
}

TEST(RecorderInterruption, SplitStartsTheNextFileAtTheResume) {
  test::TempDir dir;
  RecordRequest req;
  req.duration = 1200ms;
  req.on_interrupt = OnInterrupt::split;
  auto run = record_with(dir.file("s.wav"), req, [](session::Inbox& inbox) {
    std::this_thread::sleep_for(400ms);
    inbox.push(note(session::NoteType::began));
    std::this_thread::sleep_for(300ms);
    inbox.push(note(session::NoteType::ended));
  });
  ASSERT_FALSE(run->outcome.error) << run->outcome.error->message;
  const auto& files = run->outcome.report.files;
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].path, dir.file("s-002.wav"));
  EXPECT_NEAR(static_cast<double>(frames_in(files[0].path)), 0.4 * 48000, 2400.0);
  EXPECT_NEAR(static_cast<double>(frames_in(files[1].path)), 0.5 * 48000, 2400.0);
}

// Each row: what the request says, what `ended` says, whether the link refuses, and how the
// recording ends.
struct EndRow {
  const char* name;
  OnInterrupt on_interrupt;
  ResumePolicy resume;
  bool should_resume;
  int refusals;
  bool retry;
  bool stops_75;        // ends with 75 rather than at the duration
  const char* outcome;  // of the interruption
  bool keeps_code;      // the 75 carries !int
};

void PrintTo(const EndRow& row, std::ostream* os) { *os << row.name; }

class RecorderInterruptionEnds : public ::testing::TestWithParam<EndRow> {};

TEST_P(RecorderInterruptionEnds, AsTheKnobsSay) {
  const EndRow& row = GetParam();
  test::TempDir dir;
  RecordRequest req;
  req.duration = 2500ms;
  req.on_interrupt = row.on_interrupt;
  req.resume = row.resume;
  req.retry = row.retry;
  auto run = record_with(
      dir.file("e.wav"), req,
      [&](session::Inbox& inbox) {
        std::this_thread::sleep_for(300ms);
        inbox.push(note(session::NoteType::began));
        std::this_thread::sleep_for(200ms);
        inbox.push(note(session::NoteType::ended, row.should_resume));
      },
      row.refusals);
  const auto& r = run->outcome.report;
  ASSERT_EQ(r.interruptions.size(), 1u) << row.name;
  EXPECT_EQ(r.interruptions[0].outcome, row.outcome) << row.name;
  EXPECT_TRUE(r.finalized) << row.name;
  if (row.stops_75) {
    ASSERT_TRUE(run->outcome.error) << row.name;
    EXPECT_EQ(run->outcome.error->exit, Exit::temp_fail) << row.name;
    EXPECT_EQ(r.stopped_by, "interruption") << row.name;
    EXPECT_EQ(run->outcome.error->session != nullptr, row.keeps_code) << row.name;
    // Everything before the interruption, finalized.
    EXPECT_NEAR(static_cast<double>(frames_in(dir.file("e.wav"))), 0.3 * 48000, 2400.0) << row.name;
  } else {
    EXPECT_FALSE(run->outcome.error) << row.name << ": " << run->outcome.error->message;
    EXPECT_EQ(r.stopped_by, "duration") << row.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, RecorderInterruptionEnds,
    ::testing::Values(EndRow{"stop", OnInterrupt::stop, ResumePolicy::automatic, true, 0, false,
                             true, "stopped", false},
                      EndRow{"never", OnInterrupt::pause, ResumePolicy::never, true, 0, false, true,
                             "not resumed", false},
                      EndRow{"no_should_resume", OnInterrupt::pause, ResumePolicy::automatic, false,
                             0, false, true, "not resumed", false},
                      EndRow{"always", OnInterrupt::pause, ResumePolicy::always, false, 0, false,
                             false, "resumed", false},
                      EndRow{"refused", OnInterrupt::pause, ResumePolicy::automatic, true, 1, false,
                             true, "refused", true},
                      EndRow{"retry", OnInterrupt::pause, ResumePolicy::automatic, true, 1, true,
                             false, "resumed", false}),
    [](const auto& row) { return std::string(row.param.name); });

TEST(RecorderInterruption, RetryGivesUpAtTheDuration) {
  test::TempDir dir;
  RecordRequest req;
  req.duration = 1500ms;
  req.retry = true;
  auto run = record_with(
      dir.file("r.wav"), req,
      [](session::Inbox& inbox) {
        std::this_thread::sleep_for(300ms);
        inbox.push(note(session::NoteType::began));
        inbox.push(note(session::NoteType::ended));
      },
      100);
  ASSERT_FALSE(run->outcome.error) << run->outcome.error->message;
  const auto& i = run->outcome.report.interruptions.at(0);
  EXPECT_GE(i.retries, 1);
  EXPECT_EQ(i.code, "!int");
  EXPECT_EQ(run->outcome.report.stopped_by, "duration");
}

}  // namespace
}  // namespace sc::record
