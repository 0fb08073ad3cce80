// list_sessions (registry.h); the rest of the registry is in registry_file.cpp (the shared
// file, leases, reaping) and participant.cpp (Participant).
#include "core/session/registry.h"

#include "core/session/registry_file.h"

namespace sc::session {

Result<std::vector<Entry>> list_sessions(const RuntimeDir& dir) {
  std::vector<Entry> entries;
  auto s = transact(dir, /*self=*/0, /*send_fd=*/-1, [&](std::vector<Record>& records, auto&) {
    for (const auto& r : records)
      if (!r.watcher) entries.push_back(r.entry);
    return Result<bool>(false);
  });
  if (!s) return s.error();
  return entries;
}

}  // namespace sc::session
