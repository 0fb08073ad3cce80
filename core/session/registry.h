// The cross-process session registry (DESIGN.md "Sessions across processes"). No daemon:
//  - `sessions.json` in the runtime directory, changed only under an exclusive flock on
//    `lock`, and replaced whole (write a temporary, rename), so a reader or a SIGKILL never
//    sees half of it. An activation reads it, applies policy.h, writes it, releases the
//    lock, and only then notifies.
//  - Liveness: every participant holds an exclusive flock on `lease-ID` for its whole life.
//    An entry whose lease anyone else can lock is stale (the kernel dropped a dead holder's
//    lock; pid reuse cannot fool it). Whoever finds a stale entry removes it and sends what
//    its departure implies (ended, unduck), as if it had deactivated.
//  - Notifications: each participant listens on the datagram socket `sock-ID`; one JSON
//    object (notification.h) per datagram. Watchers (`session watch`) receive every
//    notification of every session.
//  - A participant interrupted or ducked by another watches that one's pid through a pidfd
//    (opened while its lease is held, so it is the same process): when it dies, the
//    participant reaps it at once, so an interrupter killed by SIGKILL ends its interruption
//    and a ducker killed so unducks. A watcher watches every session it hears activate the
//    same way, so `session watch` reports a death (deactivated, cause "died") at once.
//    Nothing polls.
//  - Ids are random, 53 bits (exact in JSON readers that use doubles), never 0; the lease is
//    created unnamed, locked, then linked under its name, so its id is unique and nobody sees
//    it unlocked. Files of participants killed before they entered sessions.json are swept.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/session/notification.h"
#include "core/session/policy.h"
#include "core/session/profile.h"
#include "core/session/runtime_dir.h"

namespace sc::session {

// One session of the registry, as `session list` shows it.
struct Entry {
  SessionState state;
  pid_t pid = 0;
  std::string command;  // "record", "session activate", "session interrupt"
  Mode mode = Mode::defaultMode;
  std::string cause;  // an interrupter's reason ("call", "siri", "alarm"); empty otherwise
  std::string since;  // ISO 8601: when it last became active, or interrupted
};

// The sessions of the registry, stale ones reaped first (as described above). Watchers are
// not sessions and are not listed. Errors: the directory or the files cannot be read
// (Exit::unavailable, naming the path).
Result<std::vector<Entry>> list_sessions(const RuntimeDir& dir);

// Who a participant is.
struct Identity {
  std::string command;  // "record", "session activate", "session interrupt", "session watch"
  Profile profile;
  bool records = false;  // the command records (rule 5: a call refuses it, siri with `siri`)
  Priority priority = Priority::ordinary;
  std::string cause;  // for interrupters: "call", "siri", "alarm"
};

// One process's membership of the registry. Threads: every method may be called from any one
// thread at a time (the owner's); notifications are delivered on the participant's own
// listener thread, in the order they arrive. fork(): a Participant belongs to the process
// that joined; a child must not use it (it has no listener), and while the child keeps the
// inherited lease descriptor open the participant counts as alive.
class Participant {
 public:
  using Handler = std::function<void(const Notification&)>;

  // Joins the registry in `dir`: takes the lease, binds the socket and starts the listener,
  // which calls `on_note` for each notification addressed to this participant (a watcher:
  // every notification of every session, and activated/deactivated). Not yet a session:
  // activate() enters it. Errors: Exit::unavailable naming the path that failed.
  static Result<std::unique_ptr<Participant>> join(RuntimeDir dir, Identity who, Handler on_note,
                                                   bool watcher = false);

  // Activates (rules 2-5), or activates again after an interruption (rule 7; rule 3 applies
  // once the first activation succeeded and the profile has `background`). `server_call`:
  // the audio server has a call of its own (a media.role=phone stream), see policy.h.
  // On success the entry is active, and the sessions it interrupts or ducks have been sent
  // began/duck. Refused: session_error(code, message naming who holds the audio, hint with
  // the fix), Exit::unavailable (69), and nothing changed. Idempotent while active.
  Status activate(bool server_call = false);

  // Deactivates and leaves the registry: whom it interrupted gets `ended` (shouldResume when
  // the profile notifies, rule 6), whom it ducked `unduck`. Idempotent. The destructor does
  // it too.
  void deactivate();

  // Marks this session interrupted (by something outside the registry: the server's call, a
  // lost route) or active again, so `session list` shows its state. Sends nothing.
  void set_interrupted(bool interrupted);

  // Sends `n` to every watcher (route changes, media services, the server's calls). Its
  // `session` is filled in with this participant.
  void announce(Notification n);

  // This participant as notifications name it.
  SessionRef ref() const;
  bool active() const;

  ~Participant();
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

 private:
  struct Impl;
  explicit Participant(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sc::session
