// What session list, watch, activate and interrupt share: --for, waiting for a signal, a
// notification or the end of --for, and notifications and option bits in words.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/duration.h"
#include "core/common/error.h"
#include "core/session/inbox.h"
#include "core/session/notification.h"
#include "core/session/registry.h"
#include "core/session/runtime_dir.h"

namespace sc::cli {

// --for DUR: nullopt when not given (hold until a signal); an invalid duration is
// Exit::usage with a hint.
Result<std::optional<Duration>> parse_for(const std::string& text);

// "registry /run/user/1000/soundcheck (from XDG_RUNTIME_DIR)": for -v, so that a cron job
// and a login shell that meet in different registries can tell.
std::string registry_text(const session::RuntimeDir& dir);

// Waits, on the thread that owns a Participant, for SIGINT or SIGTERM, a notification, or
// a deadline. Nothing polls: the signals are read from a signalfd and the notifications are
// announced on an eventfd, both waited for with one poll().
//
// create() blocks SIGINT and SIGTERM in the calling thread, so it must run before any other
// thread starts (the Participant's listener, libpulse's loop): they inherit the mask, and a
// signal can then only be taken by wait(). The mask is left blocked for the rest of the
// process (it ends soon after), so a second Ctrl-C during deactivation is not a death.
// SIGPIPE is ignored: a closed stdout is a write error, not a death.
class Waiter {
 public:
  static Result<std::unique_ptr<Waiter>> create();
  ~Waiter();
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // The Participant's handler: queues the notification and wakes wait(). Any thread.
  session::Participant::Handler handler();

  struct Event {
    enum class Kind { signal, note, deadline };
    Kind kind = Kind::deadline;
    int signo = 0;                              // signal: SIGINT or SIGTERM
    std::optional<session::Notification> note;  // note
  };
  // The next event: a notification already queued first, then a signal, else waits until
  // one comes or `deadline` passes (never, when nullopt).
  Event wait(std::optional<std::chrono::steady_clock::time_point> deadline);

 private:
  Waiter(int signal_fd, int event_fd);
  int signal_fd_ = -1;
  int event_fd_ = -1;
  session::Inbox inbox_;
};

// The option bits by Apple name, in table order; an option that implies mixWithOthers
// (0x11) hides the mixWithOthers bit it contains.
std::vector<std::string> option_names(uint32_t bits);

// One line for people: "14:55:01.123  began  pid 4242 session activate  reason default
// cause call  by pid 4343 session interrupt"; fields that do not apply are left out.
std::string note_text(const session::Notification& n);

// For a holder's stderr: what a notification means to it ("interrupted by pid 4343 session
// interrupt (call)").
std::string note_for_holder(const session::Notification& n);

}  // namespace sc::cli
