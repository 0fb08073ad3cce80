// Participant (registry.h): one process's membership of the registry, its lease, its socket
// and its listener thread.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include "core/session/datagram.h"
#include "core/session/registry.h"
#include "core/session/registry_file.h"

namespace sc::session {
namespace {

// Ids fit in 53 bits, so `session watch --json` consumers (jq, JavaScript) read them exactly.
uint64_t random_id() {
  uint64_t v = 0;
  while (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
  }
  v &= (uint64_t{1} << 53) - 1;
  return v ? v : 1;
}

Error join_error(const std::string& path, std::string_view what) {
  return make_error(
      Exit::unavailable,
      fmt::format("session registry: cannot {} '{}': {}", what, path, std::strerror(errno)),
      "check the runtime directory (SOUNDCHECK_RUNTIME_DIR)");
}

// Creates `lease-ID` for a fresh id, already locked: the file is made unnamed (O_TMPFILE),
// locked, then linked under its name, so nobody ever sees it unlocked (the orphan sweep of
// registry_file.cpp relies on it). Where O_TMPFILE is not supported, create-then-lock.
Result<std::pair<uint64_t, Fd>> take_lease(const RuntimeDir& dir) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    const uint64_t id = random_id();
    const auto path = lease_path(dir, id);
    Fd fd(open(dir.path.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd) {
      if (flock(fd.get(), LOCK_EX) != 0) return join_error(path, "lock");
      const auto proc = fmt::format("/proc/self/fd/{}", fd.get());
      if (linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0)
        return std::pair{id, std::move(fd)};
      if (errno == EEXIST) continue;
      return join_error(path, "create");
    }
    fd.reset(open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) {
      if (errno == EEXIST) continue;
      return join_error(path, "create");
    }
    if (flock(fd.get(), LOCK_EX) != 0) return join_error(path, "lock");
    return std::pair{id, std::move(fd)};
  }
  return make_error(Exit::internal, "session registry: no free session id after 16 tries");
}

int pidfd_open(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

struct Participant::Impl {
  RuntimeDir dir;
  Identity who;
  Handler on_note;
  bool watcher = false;
  uint64_t id = 0;
  pid_t pid = 0;
  Fd lease;  // exclusive flock for our whole life: the proof we live
  Fd sock;   // sock-ID, bound
  Fd stop;   // eventfd: the listener returns when it becomes readable
  std::thread listener;

  // Owner thread only.
  bool entered = false;         // our entry is in sessions.json
  bool activated_once = false;  // rule 3 applies from now on when the profile has background
  // Both threads: the owner sets it, the listener clears it on `began`.
  std::atomic<bool> active{false};
  // Listener thread only: pidfds of whoever interrupted or ducked us, by their id.
  std::map<uint64_t, Fd> watched;

  Record record(bool active_now) const;
  Status activate(bool server_call);
  void deactivate();
  void listen();
  void on_datagram(const std::string& text);
  void watch(const SessionRef& by);
  void reap() {
    (void)transact(dir, id, sock.get(), [](auto&, auto&) { return Result<bool>(false); });
  }
};

Record Participant::Impl::record(bool active_now) const {
  Record r;
  r.watcher = watcher;
  r.activated_once = activated_once;
  auto& e = r.entry;
  auto& s = e.state;
  s.id = id;
  s.category = who.profile.category;
  s.options = who.profile.options_value();
  s.mixable = is_mixable(who.profile);
  s.ducks = who.profile.has(CategoryOption::duckOthers);
  s.records = who.records;
  s.background = who.profile.background && activated_once;
  s.priority = who.priority;
  s.notify = who.profile.notify_others_on_deactivation;
  s.active = active_now;
  e.pid = pid;
  e.command = who.command;
  e.mode = who.profile.mode;
  e.cause = who.cause;
  e.since = iso8601(std::chrono::system_clock::now());
  return r;
}

Result<std::unique_ptr<Participant>> Participant::join(RuntimeDir dir, Identity who,
                                                       Handler on_note, bool watcher) {
  auto impl = std::make_unique<Impl>();
  impl->dir = std::move(dir);
  impl->who = std::move(who);
  impl->on_note = std::move(on_note);
  impl->watcher = watcher;
  impl->pid = getpid();
  auto lease = take_lease(impl->dir);
  if (!lease) return lease.error();
  impl->id = lease->first;
  impl->lease = std::move(lease->second);
  auto sock = bind_socket(socket_path(impl->dir, impl->id));
  if (!sock) {
    unlink(lease_path(impl->dir, impl->id).c_str());
    return sock.error();
  }
  impl->sock = std::move(*sock);
  impl->stop.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  // From here on the destructor cleans up.
  std::unique_ptr<Participant> p(new Participant(std::move(impl)));
  Impl& self = *p->impl_;
  if (!self.stop) return join_error(self.dir.path, "create an eventfd in");
  if (self.watcher) {
    auto s = transact(self.dir, self.id, self.sock.get(), [&](auto& records, auto&) {
      records.push_back(self.record(false));
      return Result<bool>(true);
    });
    if (!s) return s.error();
    self.entered = true;
  }
  self.listener = std::thread([&self] { self.listen(); });
  return p;
}

Participant::Participant(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Participant::~Participant() {
  deactivate();
  if (impl_->listener.joinable()) {
    const uint64_t one = 1;
    (void)!write(impl_->stop.get(), &one, sizeof one);
    impl_->listener.join();
  }
  impl_->sock.reset();
  unlink(socket_path(impl_->dir, impl_->id).c_str());
  unlink(lease_path(impl_->dir, impl_->id).c_str());
  impl_->lease.reset();  // last: until here we are alive to the others
}

Status Participant::activate(bool server_call) { return impl_->activate(server_call); }
void Participant::deactivate() { impl_->deactivate(); }

Status Participant::Impl::activate(bool server_call) {
  if (watcher)
    return make_error(Exit::internal, "session registry: a watcher cannot activate a session");
  bool already_active = false;
  auto s = transact(
      dir, id, sock.get(),
      [&](std::vector<Record>& records, std::vector<Outgoing>& out) -> Result<bool> {
        auto self =
            std::find_if(records.begin(), records.end(), [&](auto& r) { return r.id() == id; });
        if (self != records.end() && self->entry.state.active) {
          already_active = true;
          return false;  // idempotent while active
        }
        std::vector<SessionState> others;
        for (const auto& r : records)
          if (!r.watcher && r.id() != id) others.push_back(r.entry.state);
        ActivationRequest req{record(true).entry.state, activated_once, server_call};
        const auto d = decide_activation(others, req);
        if (d.refused) {
          std::string holder;
          for (const auto& r : records)
            if (d.holder != 0 && r.id() == d.holder)
              holder = fmt::format(" ({}, pid {})", r.entry.command, r.entry.pid);
          return session_error(*d.refused,
                               fmt::format("cannot activate a {} session: {}{}",
                                           name(who.profile.category), d.why, holder),
                               std::string(info(*d.refused).fix));
        }
        // Committed from here on. `active` is set under the lock: a `began` from whoever
        // interrupts us next is sent only after we release it, so it cannot be overwritten.
        activated_once = true;
        active = true;
        Record me = record(true);
        if (self != records.end()) {
          me.entry.state.ducked_by = self->entry.state.ducked_by;  // still ducked by those
          *self = me;
        } else {
          records.push_back(me);
        }
        const auto now = std::chrono::system_clock::now();
        const SessionRef by = ref_of(me);
        const std::string cause = who.cause.empty() ? "session" : who.cause;
        for (auto& r : records) {
          auto& st = r.entry.state;
          if (std::find(d.interrupt.begin(), d.interrupt.end(), st.id) != d.interrupt.end()) {
            st.active = false;
            st.interrupted_by = id;
            r.entry.since = me.entry.since;
            out.push_back(
                {st.id, Notification{NoteType::began, ref_of(r), by, 0, false, cause, now}});
          } else if (std::find(d.duck.begin(), d.duck.end(), st.id) != d.duck.end()) {
            st.ducked_by.push_back(id);
            out.push_back(
                {st.id, Notification{NoteType::duck, ref_of(r), by, 0, false, cause, now}});
          }
        }
        out.push_back(
            {0, Notification{NoteType::activated, by, std::nullopt, 0, false, cause, now}});
        return true;
      });
  if (s)
    entered = true;
  else if (!already_active)
    active = false;  // refused, or the file could not be written
  return s;
}

void Participant::Impl::deactivate() {
  if (!entered) return;
  (void)transact(dir, id, sock.get(),
                 [&](std::vector<Record>& records, std::vector<Outgoing>& out) -> Result<bool> {
                   auto self = std::find_if(records.begin(), records.end(),
                                            [&](auto& r) { return r.id() == id; });
                   if (self == records.end()) return false;
                   Record me = std::move(*self);
                   records.erase(self);
                   if (!me.watcher) depart(records, me, "", out);
                   return true;
                 });
  entered = false;
  active = false;
}

void Participant::set_interrupted(bool interrupted) {
  Impl& m = *impl_;
  if (!m.entered) return;
  (void)transact(m.dir, m.id, m.sock.get(), [&](std::vector<Record>& records, auto&) {
    for (auto& r : records) {
      if (r.id() != m.id) continue;
      r.entry.state.active = !interrupted;
      if (!interrupted) r.entry.state.interrupted_by = 0;
      r.entry.since = iso8601(std::chrono::system_clock::now());
      return Result<bool>(true);
    }
    return Result<bool>(false);
  });
  m.active = !interrupted;
}

void Participant::announce(Notification n) {
  n.session = ref();
  if (n.at == std::chrono::system_clock::time_point{}) n.at = std::chrono::system_clock::now();
  (void)transact(impl_->dir, impl_->id, impl_->sock.get(), [&](auto&, std::vector<Outgoing>& out) {
    out.push_back({0, n});
    return Result<bool>(false);
  });
}

SessionRef Participant::ref() const {
  const Impl& m = *impl_;
  return SessionRef{m.id, m.pid, m.who.command, m.who.profile.category, m.who.profile.mode};
}

bool Participant::active() const { return impl_->active; }

// The listener: datagrams, the stop eventfd, and the pidfds of whoever interrupted or ducked
// us (a watcher: of every active session). Blocks in poll(); nothing polls on a timer.
void Participant::Impl::listen() {
  for (;;) {
    std::vector<pollfd> fds{{sock.get(), POLLIN, 0}, {stop.get(), POLLIN, 0}};
    std::vector<uint64_t> ids;
    for (const auto& [wid, fd] : watched) {
      fds.push_back({fd.get(), POLLIN, 0});
      ids.push_back(wid);
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    bool died = false;
    for (size_t i = 2; i < fds.size(); ++i)
      if (fds[i].revents != 0) {
        watched.erase(ids[i - 2]);  // it exited: its lease is free, reap it below
        died = true;
      }
    if (died) reap();
    if (fds[0].revents != 0)
      while (auto text = receive_datagram(sock.get())) on_datagram(*text);
  }
}

void Participant::Impl::on_datagram(const std::string& text) {
  auto n = notification_from_json(text);
  if (!n) return;  // not ours; nobody else writes to this socket
  const bool mine = n->session.id == id;
  if (mine && n->by) {
    if (n->type == NoteType::began || n->type == NoteType::duck) watch(*n->by);
    if (n->type == NoteType::ended || n->type == NoteType::unduck) watched.erase(n->by->id);
  }
  if (watcher && n->type == NoteType::activated) watch(n->session);
  if (watcher && n->type == NoteType::deactivated) watched.erase(n->session.id);
  if (mine && n->type == NoteType::began) active = false;
  if (on_note) on_note(*n);
}

// Watches `by`'s process. The pidfd is opened first and the lease checked after, so the
// pidfd is of the process that held the lease (not a later one with its pid): when the
// lease is already free, `by` is gone and is reaped at once.
void Participant::Impl::watch(const SessionRef& by) {
  if (by.id == id || watched.count(by.id)) return;
  Fd pidfd(pidfd_open(by.pid));
  if (!pidfd) {
    if (errno == ESRCH) reap();
    return;  // ENOSYS (kernel < 5.3): it is reaped by the next activation instead
  }
  if (!lease_held(dir, by.id)) {
    reap();
    return;
  }
  watched.emplace(by.id, std::move(pidfd));
}

}  // namespace sc::session
