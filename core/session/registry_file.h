// The registry's shared state (registry.h's top comment): `sessions.json` changed under an
// exclusive flock on `lock`, leases, reaping of stale entries, and the delivery of the
// notifications a change implies once the lock is released. Internal to core/session.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/session/fd.h"
#include "core/session/notification.h"
#include "core/session/registry.h"
#include "core/session/runtime_dir.h"

namespace sc::session {

// One line of sessions.json: a session (Entry) or a watcher.
struct Record {
  Entry entry;
  bool watcher = false;         // `session watch`: hears everything, is no session
  bool activated_once = false;  // rule 3 applies to it from now on when `background`
  uint64_t id() const { return entry.state.id; }
};

SessionRef ref_of(const Record& r);

// A notification to send once the lock is released: to `to` and to every watcher; to the
// watchers only when `to` is 0 (activated, deactivated, announcements).
struct Outgoing {
  uint64_t to = 0;
  Notification note;
};

// True while someone holds `lease-ID` (its participant lives). A missing lease is not held;
// a lease that cannot be opened for another reason counts as held (never reap on doubt).
bool lease_held(const RuntimeDir& dir, uint64_t id);

// Session `leaving` leaves `records` (it is no longer among them): applies rule 6 and the
// end of rule 4 (decide_departure) to the others and queues `ended`/`unduck` to them and
// `deactivated` (with `cause`) to the watchers.
void depart(std::vector<Record>& records, const Record& leaving, const std::string& cause,
            std::vector<Outgoing>& out);

// What a change under the lock does. It may edit `records` and queue notifications; it
// returns whether it changed anything (the file is then rewritten), or an error (nothing of
// its own is written, but what reaping did is). Runs with the lock held: no waiting on
// other participants.
using Change =
    std::function<Result<bool>(std::vector<Record>& records, std::vector<Outgoing>& out)>;

// The one way the registry changes: takes the lock, reads sessions.json, reaps stale entries
// (every entry but `self`'s whose lease is not held, and files of participants that died
// before entering it), runs `change`, writes the file if anything changed (temporary, then
// rename), releases the lock, and only then sends the queued notifications (from `send_fd`,
// or a socket of its own when it is -1). Exit::unavailable naming the file on I/O errors;
// Exit::data when sessions.json is not ours.
Status transact(const RuntimeDir& dir, uint64_t self, int send_fd, const Change& change);

}  // namespace sc::session
