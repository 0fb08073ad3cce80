// The cross-process session registry (core/session/registry.h) in a temporary
// SOUNDCHECK_RUNTIME_DIR: participants of one process, participants in forked children (one
// killed by SIGKILL, eight racing to activate), and the runtime directory's checks.
#include "core/session/registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/session/datagram.h"
#include "tests/support/temp_dir.h"

namespace sc::session {
namespace {

using namespace std::chrono_literals;
using C = Category;
using O = CategoryOption;

// The notifications one participant heard, for tests to wait on.
class Heard {
 public:
  Participant::Handler handler() {
    return [this](const Notification& n) {
      std::lock_guard lock(mu_);
      notes_.push_back(n);
      cv_.notify_all();
    };
  }
  // The first notification of type `t` (waiting up to `timeout` for it).
  std::optional<Notification> wait(NoteType t, std::chrono::milliseconds timeout = 2000ms) {
    std::unique_lock lock(mu_);
    std::optional<Notification> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& n : notes_)
        if (n.type == t) found = n;
      return found.has_value();
    });
    return found;
  }
  size_t count(NoteType t) {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(
        std::count_if(notes_.begin(), notes_.end(), [t](const auto& n) { return n.type == t; }));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Notification> notes_;
};

Identity who(Category c, std::vector<CategoryOption> options = {}, bool notify = true) {
  Identity id;
  id.command = "session activate";
  id.profile.category = c;
  id.profile.options = std::move(options);
  id.profile.notify_others_on_deactivation = notify;
  return id;
}
Identity interrupter(Priority p, std::string cause) {
  Identity id = who(C::playAndRecord);
  id.command = "session interrupt";
  id.priority = p;
  id.cause = std::move(cause);
  return id;
}
Identity recorder(bool background = false, std::vector<CategoryOption> options = {}) {
  Identity id = who(C::playAndRecord, std::move(options));
  id.command = "record";
  id.records = true;
  id.profile.background = background;
  return id;
}

class SessionRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("SOUNDCHECK_RUNTIME_DIR", tmp_.file("run").c_str(), 1);
    auto d = runtime_dir();
    ASSERT_TRUE(d.ok()) << d.error().message;
    dir_ = *d;
  }
  void TearDown() override { unsetenv("SOUNDCHECK_RUNTIME_DIR"); }

  std::unique_ptr<Participant> join(Identity id, Heard& heard, bool watcher = false) {
    auto p = Participant::join(dir_, std::move(id), heard.handler(), watcher);
    if (!p.ok()) ADD_FAILURE() << p.error().message;
    return p.ok() ? std::move(*p) : nullptr;
  }
  std::vector<Entry> list() {
    auto l = list_sessions(dir_);
    if (!l.ok()) ADD_FAILURE() << l.error().message;
    return l.ok() ? *l : std::vector<Entry>{};
  }
  const Entry* find(const std::vector<Entry>& entries, uint64_t id) {
    for (const auto& e : entries)
      if (e.state.id == id) return &e;
    return nullptr;
  }

  test::TempDir tmp_;
  RuntimeDir dir_;
};

TEST_F(SessionRegistry, NonMixableInterruptsAndEndedResumes) {
  Heard ha, hb, hw;
  auto watcher = join(who(C::ambient), hw, /*watcher=*/true);
  auto a = join(who(C::playback), ha);
  auto b = join(who(C::playAndRecord), hb);
  ASSERT_TRUE(a && b && watcher);
  ASSERT_TRUE(a->activate().ok());
  ASSERT_TRUE(b->activate().ok());
  auto began = ha.wait(NoteType::began);
  ASSERT_TRUE(began);
  EXPECT_EQ(began->session.id, a->ref().id);
  ASSERT_TRUE(began->by);
  EXPECT_EQ(began->by->id, b->ref().id);
  EXPECT_EQ(began->cause, "session");
  EXPECT_FALSE(a->active());
  auto entries = list();
  ASSERT_EQ(entries.size(), 2u);  // the watcher is no session
  EXPECT_FALSE(find(entries, a->ref().id)->state.active);
  EXPECT_EQ(find(entries, a->ref().id)->state.interrupted_by, b->ref().id);
  EXPECT_TRUE(find(entries, b->ref().id)->state.active);

  b->deactivate();
  auto ended = ha.wait(NoteType::ended);
  ASSERT_TRUE(ended);
  EXPECT_TRUE(ended->should_resume);
  EXPECT_EQ(ended->by->id, b->ref().id);
  // The watcher heard everything: both activations, a's began and ended, b's departure.
  EXPECT_TRUE(hw.wait(NoteType::deactivated));  // sent after a's `ended`
  EXPECT_EQ(hw.count(NoteType::activated), 2u);
  EXPECT_EQ(hw.count(NoteType::began), 1u);
  EXPECT_EQ(hw.count(NoteType::ended), 1u);
  EXPECT_TRUE(a->activate().ok());  // rule 7: resuming is activating again
  EXPECT_TRUE(a->active());
  EXPECT_EQ(hb.count(NoteType::began), 0u);
  EXPECT_EQ(hb.count(NoteType::activated), 0u);  // activated goes to watchers only
}

TEST_F(SessionRegistry, EndedWithoutNotifyDoesNotResume) {
  Heard ha, hb;
  auto a = join(who(C::playback), ha);
  auto b = join(who(C::soloAmbient, {}, /*notify=*/false), hb);
  ASSERT_TRUE(a->activate().ok());
  ASSERT_TRUE(b->activate().ok());
  ASSERT_TRUE(ha.wait(NoteType::began));
  b.reset();  // the destructor deactivates
  auto ended = ha.wait(NoteType::ended);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->should_resume);
}

TEST_F(SessionRegistry, DuckAndUnduckWithTwoDuckers) {
  Heard ha, h1, h2;
  auto a = join(who(C::playback, {O::mixWithOthers}), ha);
  auto d1 = join(who(C::ambient, {O::duckOthers}), h1);
  auto d2 = join(who(C::playback, {O::duckOthers}), h2);
  ASSERT_TRUE(a->activate().ok());
  ASSERT_TRUE(d1->activate().ok());
  ASSERT_TRUE(ha.wait(NoteType::duck));
  ASSERT_TRUE(d2->activate().ok());
  ASSERT_TRUE(h1.wait(NoteType::duck));  // d2 ducks d1 too
  d1->deactivate();
  d2->deactivate();
  auto unduck = ha.wait(NoteType::unduck);
  ASSERT_TRUE(unduck);
  EXPECT_EQ(unduck->by->id, d2->ref().id);  // d1 left while d2 still ducked a
  EXPECT_EQ(ha.count(NoteType::duck), 2u);
  EXPECT_EQ(ha.count(NoteType::unduck), 1u);
  EXPECT_TRUE(a->active());
}

TEST_F(SessionRegistry, RefusalChangesNothing) {
  Heard hc, hr;
  auto call = join(interrupter(Priority::call, "call"), hc);
  auto rec = join(recorder(), hr);
  ASSERT_TRUE(call->activate().ok());
  const auto before = list();
  auto s = rec->activate();
  ASSERT_FALSE(s.ok());
  ASSERT_NE(s.error().session, nullptr);
  EXPECT_EQ(s.error().session->fourcc, "!pri");
  EXPECT_EQ(s.error().exit, Exit::unavailable);
  EXPECT_NE(s.error().message.find("a call holds the audio (session interrupt, pid"),
            std::string::npos)
      << s.error().message;
  EXPECT_FALSE(s.error().hint.empty());
  const auto after = list();
  ASSERT_EQ(after.size(), before.size());
  EXPECT_TRUE(after[0].state.active);
  EXPECT_FALSE(rec->active());
  call->deactivate();
  EXPECT_TRUE(rec->activate().ok());  // seed scenario 2: after the call it succeeds
  EXPECT_EQ(hc.count(NoteType::began), 0u);
}

TEST_F(SessionRegistry, SiriRefusesRecording) {
  Heard hs, hr;
  auto siri = join(interrupter(Priority::siri, "siri"), hs);
  auto rec = join(recorder(), hr);
  ASSERT_TRUE(siri->activate().ok());
  auto s = rec->activate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().session->fourcc, "siri");
}

TEST_F(SessionRegistry, BackgroundRecorderCannotResumeAfterCall) {
  for (bool mixable : {false, true}) {
    SCOPED_TRACE(mixable ? "mixWithOthers" : "not mixable");
    Heard hr, hc;
    auto rec = join(recorder(/*background=*/true, mixable ? std::vector{O::mixWithOthers}
                                                          : std::vector<CategoryOption>{}),
                    hr);
    auto call = join(interrupter(Priority::call, "call"), hc);
    ASSERT_TRUE(rec->activate().ok());
    ASSERT_TRUE(call->activate().ok());
    auto began = hr.wait(NoteType::began);
    ASSERT_TRUE(began);
    EXPECT_EQ(began->cause, "call");
    call.reset();
    ASSERT_TRUE(hr.wait(NoteType::ended));
    auto s = rec->activate();
    if (mixable) {
      EXPECT_TRUE(s.ok());
    } else {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().session->osstatus, 560557684);
    }
  }
}

// Runs `body` in a child process that never returns into the test.
template <typename F>
pid_t spawn(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  return pid;
}

TEST_F(SessionRegistry, KilledInterrupterEndsTheInterruption) {
  Heard ha;
  auto a = join(who(C::playback), ha);
  ASSERT_TRUE(a->activate().ok());
  const pid_t child = spawn([&] {
    auto b = Participant::join(dir_, who(C::playAndRecord), nullptr);
    if (!b.ok() || !(*b)->activate().ok()) _exit(1);
    for (;;) pause();  // holds the interruption until killed
  });
  ASSERT_GT(child, 0);
  auto began = ha.wait(NoteType::began, 5000ms);
  if (!began) kill(child, SIGKILL);
  ASSERT_TRUE(began);
  EXPECT_EQ(began->by->pid, child);
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child, SIGKILL), 0);
  auto ended = ha.wait(NoteType::ended, 1000ms);  // nothing polls: the pidfd wakes a's listener
  ASSERT_TRUE(ended) << "no `ended` within a second of the interrupter's death";
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - killed);
  fmt::print("ended {:.2f} ms after SIGKILL of the interrupter\n", ms.count());
  EXPECT_EQ(ended->by->pid, child);
  EXPECT_TRUE(ended->should_resume);
  int status = 0;
  waitpid(child, &status, 0);
  auto entries = list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].pid, getpid());
  EXPECT_FALSE(access(lease_path(dir_, ended->by->id).c_str(), F_OK) == 0);
  EXPECT_FALSE(access(socket_path(dir_, ended->by->id).c_str(), F_OK) == 0);
}

// A child's answer in the race below.
struct Report {
  int activated = 0;  // 1: activate() succeeded
  int began = 0;      // `began` notifications heard
  int active = 0;     // active at the end
};

// Sends a marker to `p`'s own socket: datagrams from one queue arrive in order, so when the
// handler sees it, everything queued before has been handled.
void send_marker(const RuntimeDir& dir, Participant& p) {
  Notification n;
  n.type = NoteType::routeChange;
  n.session = p.ref();
  n.cause = "marker";
  auto fd = send_socket();
  if (fd.ok()) send_datagram(fd->get(), socket_path(dir, p.ref().id), to_json(n).dump());
}

TEST_F(SessionRegistry, EightRacingActivationsLeaveOneActive) {
  constexpr int kChildren = 8;
  int go[2], done[2], quit[2], ready[2], report[2];
  ASSERT_EQ(pipe(go) | pipe(done) | pipe(quit) | pipe(ready) | pipe(report), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; ++i) {
    children.push_back(spawn([&] {
      for (int fd : {go[1], done[1], quit[1], ready[0], report[0]}) close(fd);
      Heard heard;
      auto p = Participant::join(dir_, who(C::playback), heard.handler());
      if (!p.ok()) _exit(1);
      char c;
      (void)!read(go[0], &c, 1);  // EOF: everyone goes at once
      Report r;
      r.activated = (*p)->activate().ok() ? 1 : 0;
      (void)!write(ready[1], "r", 1);
      (void)!read(done[0], &c, 1);  // every activation has returned: every began was sent
      send_marker(dir_, **p);
      heard.wait(NoteType::routeChange, 5000ms);
      r.began = static_cast<int>(heard.count(NoteType::began));
      r.active = (*p)->active() ? 1 : 0;
      (void)!write(report[1], &r, sizeof r);
      (void)!read(quit[0], &c, 1);
      _exit(0);
    }));
    ASSERT_GT(children.back(), 0);
  }
  for (int fd : {go[0], done[0], quit[0], ready[1], report[1]}) close(fd);
  close(go[1]);
  char c;
  for (int i = 0; i < kChildren; ++i) ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(done[1]);
  std::vector<Report> reports(kChildren);
  for (auto& r : reports) ASSERT_EQ(read(report[0], &r, sizeof r), static_cast<ssize_t>(sizeof r));
  auto entries = list();
  close(quit[1]);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  close(ready[0]);
  close(report[0]);

  int active = 0;
  for (const auto& r : reports) {
    EXPECT_EQ(r.activated, 1);
    if (r.active) {
      ++active;
      EXPECT_EQ(r.began, 0);
    } else {
      EXPECT_EQ(r.began, 1);  // interrupted exactly once
    }
  }
  EXPECT_EQ(active, 1);
  ASSERT_EQ(entries.size(), static_cast<size_t>(kChildren));
  EXPECT_EQ(std::count_if(entries.begin(), entries.end(), [](auto& e) { return e.state.active; }),
            1);
  EXPECT_TRUE(list().empty());  // all dead now: reaped
}

TEST_F(SessionRegistry, ActivationLatencyWith16Active) {
  Heard heard;
  std::vector<std::unique_ptr<Participant>> sessions;
  for (int i = 0; i < 16; ++i) {
    sessions.push_back(join(who(C::ambient), heard));
    ASSERT_TRUE(sessions.back()->activate().ok());
  }
  auto p = join(who(C::playback), heard);
  std::vector<double> us;
  for (int round = 0; round < 50; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(p->activate().ok());
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    p->deactivate();
  }
  std::sort(us.begin(), us.end());
  fmt::print("activation with 16 sessions active: median {:.0f} us, max {:.0f} us (50 rounds)\n",
             us[us.size() / 2], us.back());
  EXPECT_EQ(list().size(), 16u);
}

class RuntimeDirCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_.file("run");
    setenv("SOUNDCHECK_RUNTIME_DIR", path_.c_str(), 1);
  }
  void TearDown() override { unsetenv("SOUNDCHECK_RUNTIME_DIR"); }
  test::TempDir tmp_;
  std::string path_;
};

TEST_F(RuntimeDirCheck, CreatedWithMode0700AndParents) {
  path_ = tmp_.file("a/b/run");
  setenv("SOUNDCHECK_RUNTIME_DIR", path_.c_str(), 1);
  const mode_t old = umask(022);
  auto d = runtime_dir();
  umask(old);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->path, path_);
  EXPECT_EQ(d->from, "SOUNDCHECK_RUNTIME_DIR");
  struct stat st {};
  ASSERT_EQ(lstat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_TRUE(runtime_dir().ok());  // and accepted the next time
}

TEST_F(RuntimeDirCheck, RefusedWhenOthersMayEnter) {
  ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
  ASSERT_EQ(chmod(path_.c_str(), 0755), 0);
  auto d = runtime_dir();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::unavailable);
  EXPECT_NE(d.error().message.find("0755"), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().hint.find("chmod 700"), std::string::npos) << d.error().hint;
}

TEST_F(RuntimeDirCheck, RefusedWhenOwnedByAnotherUser) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to give the directory to another user";
  ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
  auto d = runtime_dir();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::unavailable);
  EXPECT_NE(d.error().message.find("uid 65534"), std::string::npos) << d.error().message;
  EXPECT_FALSE(d.error().hint.empty());
}

TEST_F(RuntimeDirCheck, SymlinkIsNotFollowed) {
  ASSERT_EQ(mkdir(tmp_.file("elsewhere").c_str(), 0700), 0);
  ASSERT_EQ(symlink(tmp_.file("elsewhere").c_str(), path_.c_str()), 0);
  auto d = runtime_dir();
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("symbolic link"), std::string::npos) << d.error().message;
}

}  // namespace
}  // namespace sc::session
