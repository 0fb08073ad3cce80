// What the recorder does when its session is interrupted, when the interruption ends, and
// when its device or the audio server goes away (SESSION-MODEL.md "What record and play do
// with notifications"). recording.h has the states.
#include <fmt/format.h>

#include "core/record/recording.h"
#include "core/session/codes.h"
#include "core/session/notification.h"

namespace sc::record {
namespace {

using namespace std::chrono_literals;

// A refused resume is tried again this often with --retry.
constexpr auto kRetryEvery = 1s;
// A lost device or server is looked for this often.
constexpr auto kReopenEvery = 250ms;

}  // namespace

Interruption* Recording::open_interruption() {
  for (auto it = report_.interruptions.rbegin(); it != report_.interruptions.rend(); ++it)
    if (it->outcome == "open") return &*it;
  return nullptr;
}

void Recording::announce(session::NoteType type, int reason) {
  if (!controls_.link) return;
  session::Notification n;
  n.type = type;
  n.reason = reason;
  n.cause = device().info().name;
  n.at = std::chrono::system_clock::now();
  controls_.link->announce(n);
}

// The one place a lost route is booked: an interruption with reason routeDisconnected, the
// route change, and the watchers told. For the virtual device's own disconnect and for a
// stream that ended because its device went away alike.
void Recording::route_lost(double at) {
  Interruption i;
  i.began_s = at;
  i.reason = "routeDisconnected";
  i.cause = "device";
  report_.interruptions.push_back(i);
  report_.route_changes.push_back(RouteChange{at, "oldDeviceUnavailable", device().info().name});
  announce(session::NoteType::routeChange,
           static_cast<int>(session::RouteChangeReason::oldDeviceUnavailable));
}

void Recording::route_back(double at) {
  if (Interruption* i = open_interruption(); i && i->cause == "device") {
    i->ended_s = at;
    i->resumed = true;
    i->should_resume = true;
    i->outcome = "resumed";
  }
  report_.route_changes.push_back(RouteChange{at, "newDeviceAvailable", device().info().name});
  announce(session::NoteType::routeChange,
           static_cast<int>(session::RouteChangeReason::newDeviceAvailable));
}

Error Recording::not_resumed(std::string message, std::string hint, const Error* refusal) {
  stopped_by_ = "interruption";
  Error e = make_error(Exit::temp_fail, std::move(message), std::move(hint));
  if (refusal) e.session = refusal->session;  // the code stays; the exit is 75 (CLI.md)
  return e;
}

Status Recording::take_notifications(std::chrono::milliseconds timeout) {
  for (auto n = inbox_.pop(timeout); n; n = inbox_.pop()) {
    Status s = ok_status();
    if (n->type == session::NoteType::began) s = on_began(*n);
    if (n->type == session::NoteType::ended) s = on_ended(*n);
    // duck/unduck: a recording has no output to lower.
    if (!s) return s;
  }
  return ok_status();
}

Status Recording::on_began(const session::Notification& n) {
  if (interrupted_) return ok_status();  // one interruption at a time (session_link merges)
  // A resume whose first frames never came before this interruption has no resume latency;
  // its timer must not run on into this one's.
  resume_timer_.reset();
  Interruption i;
  i.began_s = now_s();
  i.reason = session::name(static_cast<session::InterruptionReason>(n.reason));
  i.cause = n.cause.empty() ? "session" : n.cause;
  if (n.by) i.by_pid = n.by->pid;
  if (n.at != std::chrono::system_clock::time_point{})
    i.notify_latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - n.at).count();
  report_.interruptions.push_back(i);
  interrupted_ = true;
  ended_pending_ = false;
  if (auto s = stop_stream(); !s) return s;
  notice(fmt::format("interrupted by {} at {:.2f} s; the file is checkpointed",
                     session::interrupter_text(n), i.began_s));
  if (req_.on_interrupt == OnInterrupt::stop) {
    report_.interruptions.back().outcome = "stopped";
    return not_resumed(fmt::format("interrupted by {}; --on-interrupt stop ends here",
                                   session::interrupter_text(n)),
                       "the file holds everything recorded before the interruption, finalized; "
                       "--on-interrupt pause (the default) resumes after it");
  }
  return ok_status();
}

Status Recording::on_ended(const session::Notification& n) {
  if (!interrupted_) return ok_status();
  Interruption* i = open_interruption();
  if (i) {
    i->ended_s = now_s();
    i->should_resume = n.should_resume;
  }
  auto give_up = [&](std::string message, std::string hint) {
    if (i) i->outcome = "not resumed";
    return not_resumed(std::move(message), std::move(hint));
  };
  if (req_.resume == ResumePolicy::never)
    return give_up("the interruption ended; --resume never ends the recording here",
                   "the file holds everything recorded before the interruption, finalized");
  if (!n.should_resume && req_.resume != ResumePolicy::always)
    return give_up(
        "the interruption ended without shouldResume (its session deactivated without "
        "notifying others)",
        "the file holds everything recorded before the interruption, finalized; "
        "--resume always resumes anyway");
  ended_pending_ = true;
  retry_at_ = Clock::now();
  resume_timer_ = Clock::now();
  return ok_status();  // run() resumes at once
}

Status Recording::resume() {
  ended_pending_ = false;
  Interruption* i = open_interruption();
  if (controls_.link) {
    if (auto s = controls_.link->reactivate(); !s) {
      const Error& refusal = s.error();
      if (i && refusal.session) i->code = std::string(refusal.session->fourcc);
      if (req_.retry) {
        if (i && i->retries++ == 0)
          notice(fmt::format("cannot resume yet: {}; retrying every second (--retry)",
                             refusal.message));
        ended_pending_ = true;
        retry_at_ = Clock::now() + kRetryEvery;
        return ok_status();
      }
      if (i) i->outcome = "refused";
      std::string hint = refusal.hint.empty() ? "" : refusal.hint + "; ";
      return not_resumed(
          fmt::format("cannot resume after the interruption: {}", refusal.message),
          hint + "the file holds everything recorded before the interruption, finalized", &refusal);
    }
  }
  interrupted_ = false;
  if (i) {
    i->resumed = true;
    i->outcome = "resumed";
  }
  if (req_.on_interrupt == OnInterrupt::split && opened_) {
    if (auto s = files_->next(); !s) return s;
  }
  notice(fmt::format("resumed at {:.2f} s", now_s()));
  return restart_if_ready();
}

Status Recording::restart_if_ready() {
  if (stream_ || interrupted_ || device_lost_) return ok_status();
  if (auto s = open_stream(); s) return ok_status();
  // The device is not there now: wait for it as for a lost one.
  if (!controls_.reopen) {
    stopped_by_ = "device";
    return make_error(Exit::temp_fail,
                      fmt::format("the input device '{}' cannot start again after the "
                                  "interruption",
                                  device().info().name),
                      "the file holds everything recorded until then, finalized");
  }
  device_lost_ = true;
  lost_server_ = false;
  lost_deadline_ = Clock::now() + req_.device_wait;
  next_reopen_ = Clock::now() + kReopenEvery;
  return ok_status();
}

Status Recording::on_device_lost(bool server) {
  const std::string name = device().info().name;
  if (!controls_.reopen) {
    stopped_by_ = "device";
    if (!opened_)
      return nothing_recorded(
          fmt::format("the input device '{}' went away before it delivered any audio", name));
    return make_error(Exit::temp_fail,
                      fmt::format("the input device '{}' went away and did not come back", name),
                      "the file holds everything recorded until then, finalized; "
                      "record again when the device is back");
  }
  if (auto s = stop_stream(); !s) return s;
  device_lost_ = true;
  lost_server_ = server;
  lost_deadline_ = Clock::now() + req_.device_wait;
  next_reopen_ = Clock::now() + 100ms;
  const double at = now_s();
  if (server) {
    report_.media_services.push_back(MediaServices{at, std::nullopt});
    announce(session::NoteType::mediaServicesWereLost, 0);
    notice(
        fmt::format("the audio server went away at {:.2f} s (mediaServicesWereLost); waiting "
                    "up to {} for it",
                    at, format_duration(req_.device_wait)));
  } else {
    route_lost(at);
    notice(
        fmt::format("the input device '{}' went away at {:.2f} s (oldDeviceUnavailable); "
                    "waiting up to {} for it",
                    name, at, format_duration(req_.device_wait)));
  }
  return ok_status();
}

Status Recording::try_reopen() {
  const auto now = Clock::now();
  if (now >= lost_deadline_) {
    stopped_by_ = "device";
    const std::string what = lost_server_
                                 ? "the audio server"
                                 : fmt::format("the input device '{}'", device().info().name);
    if (!opened_) return nothing_recorded(fmt::format("{} went away before any audio came", what));
    return make_error(Exit::temp_fail,
                      fmt::format("{} went away and did not come back within {}", what,
                                  format_duration(req_.device_wait)),
                      "the file holds everything recorded until then, finalized; "
                      "wait longer with --device-wait");
  }
  if (now < next_reopen_) return ok_status();
  next_reopen_ = now + kReopenEvery;
  auto back = controls_.reopen();
  if (!back) return ok_status();  // not back yet
  // The old stream is gone (stop_stream), so the device it came from can go too.
  reopened_ = std::move(*back);
  if (!interrupted_) {
    if (auto s = open_stream(); !s) return ok_status();  // listed but not ready: next time
  }
  device_lost_ = false;
  const double at = now_s();
  if (lost_server_) {
    if (!report_.media_services.empty()) report_.media_services.back().reset_s = at;
    announce(session::NoteType::mediaServicesWereReset, 0);
    notice(
        fmt::format("the audio server is back at {:.2f} s (mediaServicesWereReset); "
                    "recording on into the same file",
                    at));
    return ok_status();
  }
  route_back(at);
  const std::string name = device().info().name;
  notice(
      fmt::format("the input device '{}' is back at {:.2f} s (newDeviceAvailable); recording "
                  "on into the same file",
                  name, at));
  return ok_status();
}

}  // namespace sc::record
