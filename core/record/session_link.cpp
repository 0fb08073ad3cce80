#include "core/record/session_link.h"

#include "core/audio/pulse/calls.h"

namespace sc::record {

RecordSession::RecordSession(session::Inbox& inbox) : inbox_(inbox) {}

RecordSession::~RecordSession() {
  // The participant first: its destructor deactivates and notifies the others.
  participant_.reset();
  calls_.reset();
}

Result<std::unique_ptr<RecordSession>> RecordSession::start(const Profile& profile,
                                                            session::Inbox& inbox,
                                                            std::string command, bool records) {
  auto self = std::unique_ptr<RecordSession>(new RecordSession(inbox));
  RecordSession* raw = self.get();
  // No server, no server calls: not an error for a recording from another device.
  if (auto calls = audio::pulse::CallWatcher::start(
          [raw](const audio::pulse::CallState& c) { raw->on_call(c); }))
    self->calls_ = std::move(*calls);
  auto dir = session::runtime_dir();
  if (!dir) return dir.error();
  session::Identity who;
  who.command = std::move(command);
  who.profile = profile;
  who.records = records;
  auto participant = session::Participant::join(
      *dir, who, [raw](const session::Notification& n) { raw->on_registry(n); });
  if (!participant) return participant.error();
  {
    std::lock_guard lock(self->mu_);  // on_call may run already
    self->participant_ = std::move(*participant);
  }
  if (auto s = self->participant_->activate(self->server_call()); !s) return s.error();
  return self;
}

bool RecordSession::server_call() const { return calls_ && calls_->state().active; }

Status RecordSession::reactivate() {
  Status s = participant_->activate(server_call());
  if (s) {
    std::lock_guard lock(mu_);
    by_registry_ = false;
    should_resume_ = true;
  }
  return s;
}

void RecordSession::announce(const session::Notification& n) {
  participant_->announce(n);
  // The server is back: the watcher of the one that died stays disconnected for good
  // (calls.h), so the new server's calls would go unseen (no interruption, no !pri at a
  // resume). Watch the new one.
  if (n.type == session::NoteType::mediaServicesWereReset) watch_calls_again();
}

void RecordSession::watch_calls_again() {
  calls_.reset();  // here, not on its loop thread: on_call is not called from it any more
  auto calls =
      audio::pulse::CallWatcher::start([this](const audio::pulse::CallState& c) { on_call(c); });
  if (!calls) return;
  calls_ = std::move(*calls);
  // A call on already is the new watcher's first state, which it does not report. Read under
  // mu_, so a flip it reports meanwhile is applied after this, not undone by it.
  std::lock_guard lock(mu_);
  apply_call(calls_->state());
}

void RecordSession::on_registry(const session::Notification& n) {
  std::lock_guard lock(mu_);
  if (n.type == session::NoteType::began) {
    const bool first = !by_registry_ && !by_call_;
    by_registry_ = true;
    if (first) inbox_.push(n);
  } else if (n.type == session::NoteType::ended) {
    if (!by_registry_) return;
    by_registry_ = false;
    should_resume_ = n.should_resume;
    if (!by_call_) inbox_.push(n);
  } else if (n.type == session::NoteType::duck || n.type == session::NoteType::unduck) {
    inbox_.push(n);
  }
}

void RecordSession::on_call(const audio::pulse::CallState& c) {
  std::lock_guard lock(mu_);
  apply_call(c);
}

void RecordSession::apply_call(const audio::pulse::CallState& c) {
  if (c.active == by_call_) return;
  by_call_ = c.active;
  // The registry shows the call; its end is shown by the recorder's activation again (a
  // resume applies the rules, so it is not marked active here).
  if (participant_ && c.active) participant_->set_interrupted(true);
  session::Notification n;
  n.type = c.active ? session::NoteType::began : session::NoteType::ended;
  if (participant_) n.session = participant_->ref();
  n.cause = c.who.empty() ? std::string("a call on the audio server") : c.who;
  n.should_resume = should_resume_;
  n.at = std::chrono::system_clock::now();
  if (participant_) participant_->announce(n);
  if (!by_registry_) inbox_.push(n);
}

}  // namespace sc::record
