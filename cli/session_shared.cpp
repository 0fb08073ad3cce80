#include "cli/session_shared.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "core/session/profile.h"

namespace sc::cli {

using session::NoteType;
using session::Notification;

Result<std::optional<Duration>> parse_for(const std::string& text) {
  if (text.empty()) return std::optional<Duration>();
  auto d = parse_duration(text, "--for");
  if (!d) return d.error();
  return std::optional<Duration>(*d);
}

std::string registry_text(const session::RuntimeDir& dir) {
  return fmt::format("registry {} (from {})", dir.path, dir.from);
}

// ---- Waiter -----------------------------------------------------------------------------

Result<std::unique_ptr<Waiter>> Waiter::create() {
  struct sigaction ignore {};
  sigemptyset(&ignore.sa_mask);
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, nullptr);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0)
    return make_error(Exit::internal, fmt::format("cannot block signals: {}", std::strerror(rc)));
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return make_error(Exit::internal, fmt::format("signalfd: {}", std::strerror(errno)));
  const int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) {
    const int err = errno;
    close(sfd);
    return make_error(Exit::internal, fmt::format("eventfd: {}", std::strerror(err)));
  }
  return std::unique_ptr<Waiter>(new Waiter(sfd, efd));
}

Waiter::Waiter(int signal_fd, int event_fd) : signal_fd_(signal_fd), event_fd_(event_fd) {
  inbox_.set_waker([fd = event_fd_] {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(fd, &one, sizeof one);  // full counter: already awake
  });
}

Waiter::~Waiter() {
  close(signal_fd_);
  close(event_fd_);
}

session::Participant::Handler Waiter::handler() {
  return [this](const Notification& n) { inbox_.push(n); };
}

Waiter::Event Waiter::wait(std::optional<std::chrono::steady_clock::time_point> deadline) {
  for (;;) {
    if (auto n = inbox_.pop()) return Event{Event::Kind::note, 0, std::move(n)};
    signalfd_siginfo info{};
    if (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      return Event{Event::Kind::signal, static_cast<int>(info.ssi_signo), std::nullopt};
    int timeout_ms = -1;
    if (deadline) {
      const auto left = *deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return Event{};
      // Rounded up, so the deadline has passed when poll returns on time.
      timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    }
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {event_fd_, POLLIN, 0}};
    const int rc = poll(fds, 2, timeout_ms);
    if (rc < 0 && errno != EINTR) return Event{};  // cannot wait: end as at the deadline
    if (fds[1].revents & POLLIN) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t n = read(event_fd_, &count, sizeof count);
    }
  }
}

// ---- Words ------------------------------------------------------------------------------

std::vector<std::string> option_names(uint32_t bits) {
  const auto implied_mix =
      static_cast<uint32_t>(CategoryOption::interruptSpokenAudioAndMixWithOthers);
  const bool hide_mix = (bits & implied_mix) == implied_mix;
  std::vector<std::string> out;
  for (auto o : all_options()) {
    const auto v = static_cast<uint32_t>(o);
    if ((bits & v) != v) continue;
    if (o == CategoryOption::mixWithOthers && hide_mix) continue;
    out.emplace_back(name(o));
  }
  return out;
}

namespace {

std::string local_time(std::chrono::system_clock::time_point t) {
  const auto since = t.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(since);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  return fmt::format("{:%H:%M:%S}.{:03}", fmt::localtime(tt), ms);
}

std::string who(const session::SessionRef& s) {
  return fmt::format("pid {} {}", s.pid, s.command.empty() ? "?" : s.command);
}

bool has_reason(NoteType t) {
  return t == NoteType::began || t == NoteType::ended || t == NoteType::routeChange;
}

}  // namespace

std::string note_text(const Notification& n) {
  std::string line =
      fmt::format("{}  {:<11}  {}", local_time(n.at), session::name(n.type), who(n.session));
  if (n.type == NoteType::activated)
    line += fmt::format(" ({}, {})", name(n.session.category), name(n.session.mode));
  if (has_reason(n.type)) line += fmt::format("  reason {}", session::reason_name(n));
  if (n.type == NoteType::ended)
    line += fmt::format("  should_resume {}", n.should_resume ? "yes" : "no");
  if (!n.cause.empty()) line += fmt::format("  cause {}", n.cause);
  if (n.by) line += fmt::format("  by {}", who(*n.by));
  return line;
}

std::string note_for_holder(const Notification& n) {
  const std::string by = n.by ? fmt::format(" by {}", who(*n.by)) : std::string();
  const std::string cause = n.cause.empty() ? std::string() : fmt::format(" ({})", n.cause);
  switch (n.type) {
    case NoteType::began:
      return fmt::format("interrupted{}{}, reason {}", by, cause, session::reason_name(n));
    case NoteType::ended:
      return fmt::format("interruption ended{}{}, shouldResume {}", by, cause,
                         n.should_resume ? "yes" : "no");
    case NoteType::duck:
      return fmt::format("ducked{}{}: others are asked to lower their output by 20 dB", by, cause);
    case NoteType::unduck:
      return fmt::format("unducked{}{}", by, cause);
    default:
      return fmt::format("{}{}{}", session::name(n.type), by, cause);
  }
}

}  // namespace sc::cli
