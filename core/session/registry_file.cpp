#include "core/session/registry_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "core/session/datagram.h"

namespace sc::session {
namespace {

std::string file_path(const RuntimeDir& dir, std::string_view name) {
  return fmt::format("{}/{}", dir.path, name);
}

Error io_error(const std::string& path, std::string_view what) {
  return make_error(
      Exit::unavailable,
      fmt::format("session registry: cannot {} '{}': {}", what, path, std::strerror(errno)),
      "check the runtime directory (SOUNDCHECK_RUNTIME_DIR)");
}

// The exclusive lock on `DIR/lock`, held while this object lives. A fresh open file
// description each time, so two participants of one process (or two threads of one
// participant) exclude each other too. The kernel drops it when its holder dies.
Result<Fd> take_lock(const RuntimeDir& dir) {
  const auto path = file_path(dir, "lock");
  Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return io_error(path, "open");
  while (flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return io_error(path, "lock");
  return fd;
}

nlohmann::ordered_json record_json(const Record& r) {
  const auto& e = r.entry;
  const auto& s = e.state;
  nlohmann::ordered_json j;
  j["id"] = s.id;
  j["pid"] = e.pid;
  j["command"] = e.command;
  j["watcher"] = r.watcher;
  j["category"] = name(s.category);
  j["mode"] = name(e.mode);
  j["options"] = s.options;
  j["mixable"] = s.mixable;
  j["ducks"] = s.ducks;
  j["records"] = s.records;
  j["background"] = s.background;
  j["priority"] = name(s.priority);
  j["notify"] = s.notify;
  j["active"] = s.active;
  j["interrupted_by"] = s.interrupted_by;
  j["ducked_by"] = s.ducked_by;
  j["cause"] = e.cause;
  j["since"] = e.since;
  j["activated_once"] = r.activated_once;
  return j;
}

// Throws (nlohmann's exceptions, std::invalid_argument) on anything unexpected.
Record record_from(const nlohmann::json& j) {
  Record r;
  auto& e = r.entry;
  auto& s = e.state;
  s.id = j.at("id").get<uint64_t>();
  e.pid = j.at("pid").get<pid_t>();
  e.command = j.at("command").get<std::string>();
  r.watcher = j.at("watcher").get<bool>();
  auto c = parse_category(j.at("category").get<std::string>());
  auto m = parse_mode(j.at("mode").get<std::string>());
  if (!c || !m) throw std::invalid_argument("unknown category or mode");
  s.category = *c;
  e.mode = *m;
  s.options = j.at("options").get<uint32_t>();
  s.mixable = j.at("mixable").get<bool>();
  s.ducks = j.at("ducks").get<bool>();
  s.records = j.at("records").get<bool>();
  s.background = j.at("background").get<bool>();
  const auto pri = j.at("priority").get<std::string>();
  s.priority = pri == "call" ? Priority::call : pri == "siri" ? Priority::siri : Priority::ordinary;
  s.notify = j.at("notify").get<bool>();
  s.active = j.at("active").get<bool>();
  s.interrupted_by = j.at("interrupted_by").get<uint64_t>();
  s.ducked_by = j.at("ducked_by").get<std::vector<uint64_t>>();
  e.cause = j.at("cause").get<std::string>();
  e.since = j.at("since").get<std::string>();
  r.activated_once = j.at("activated_once").get<bool>();
  return r;
}

Result<std::vector<Record>> read_records(const RuntimeDir& dir) {
  const auto path = file_path(dir, "sessions.json");
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return std::vector<Record>{};
    return io_error(path, "open");
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "read");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  auto bad = [&](std::string_view why) {
    return make_error(
        Exit::data, fmt::format("session registry: '{}' is not ours: {}", path, why),
        fmt::format("remove '{}' (every soundcheck session then starts afresh)", path));
  };
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  try {
    std::vector<Record> records;
    for (const auto& item : j.at("sessions")) records.push_back(record_from(item));
    return records;
  } catch (const std::exception& ex) {
    return bad(ex.what());
  }
}

Status write_records(const RuntimeDir& dir, const std::vector<Record>& records) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["sessions"] = nlohmann::ordered_json::array();
  for (const auto& r : records) j["sessions"].push_back(record_json(r));
  const std::string text = j.dump(1) + "\n";
  const auto tmp = file_path(dir, "sessions.json.tmp");
  const auto path = file_path(dir, "sessions.json");
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return io_error(tmp, "create");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error(tmp, "write");
    done += static_cast<size_t>(n);
  }
  fd.reset();
  if (rename(tmp.c_str(), path.c_str()) != 0) return io_error(path, "replace");
  return ok_status();
}

// Removes what a dead participant left: its lease and its socket.
void remove_files(const RuntimeDir& dir, uint64_t id) {
  unlink(socket_path(dir, id).c_str());
  unlink(lease_path(dir, id).c_str());
}

// Files of participants that are in no entry (they died before entering sessions.json, or
// while leaving): a lease nobody holds, a socket without a lease. A joining participant's
// lease appears already locked (participant.cpp), and before its socket.
void sweep_orphans(const RuntimeDir& dir, const std::vector<Record>& records, uint64_t self) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.path.c_str()), closedir);
  if (!d) return;
  std::set<uint64_t> known{self};
  for (const auto& r : records) known.insert(r.id());
  std::vector<uint64_t> leases, sockets;
  while (const dirent* ent = readdir(d.get())) {
    if (auto id = id_in_name(ent->d_name, "lease-"); id && !known.count(*id))
      leases.push_back(*id);
    else if (auto sid = id_in_name(ent->d_name, "sock-"); sid && !known.count(*sid))
      sockets.push_back(*sid);
  }
  for (auto id : leases)
    if (!lease_held(dir, id)) remove_files(dir, id);
  for (auto id : sockets) {
    struct stat st {};
    if (lstat(lease_path(dir, id).c_str(), &st) != 0 && errno == ENOENT)
      unlink(socket_path(dir, id).c_str());
  }
}

// Removes every stale entry from `records` and queues what its departure implies. Returns
// whether any was removed.
bool reap(const RuntimeDir& dir, std::vector<Record>& records, uint64_t self,
          std::vector<Outgoing>& out) {
  std::vector<Record> stale;
  for (auto it = records.begin(); it != records.end();) {
    if (it->id() != self && !lease_held(dir, it->id())) {
      stale.push_back(std::move(*it));
      it = records.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& s : stale) {
    remove_files(dir, s.id());
    if (!s.watcher) depart(records, s, "died", out);
  }
  sweep_orphans(dir, records, self);
  return !stale.empty();
}

// After the lock is released: each notification to its addressee and to every watcher.
void deliver(const RuntimeDir& dir, int send_fd, const std::vector<Outgoing>& out,
             const std::vector<uint64_t>& watchers) {
  if (out.empty()) return;
  Fd own;
  if (send_fd < 0) {
    auto s = send_socket();
    if (!s) return;
    own = std::move(*s);
    send_fd = own.get();
  }
  for (const auto& o : out) {
    const std::string text = to_json(o.note).dump();
    if (o.to != 0) send_datagram(send_fd, socket_path(dir, o.to), text);
    for (auto w : watchers)
      if (w != o.to) send_datagram(send_fd, socket_path(dir, w), text);
  }
}

}  // namespace

SessionRef ref_of(const Record& r) {
  return SessionRef{r.id(), r.entry.pid, r.entry.command, r.entry.state.category, r.entry.mode};
}

bool lease_held(const RuntimeDir& dir, uint64_t id) {
  const auto path = lease_path(dir, id);
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return errno != ENOENT;
  if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return false;  // closing the fd unlocks
  return true;  // EWOULDBLOCK: held; anything else: on doubt, alive
}

void depart(std::vector<Record>& records, const Record& leaving, const std::string& cause,
            std::vector<Outgoing>& out) {
  const auto now = std::chrono::system_clock::now();
  std::vector<SessionState> others;
  for (const auto& r : records)
    if (!r.watcher) others.push_back(r.entry.state);
  const auto d = decide_departure(others, leaving.entry.state);
  const SessionRef by = ref_of(leaving);
  const std::string by_cause = leaving.entry.cause.empty() ? "session" : leaving.entry.cause;
  for (auto& r : records) {
    auto& s = r.entry.state;
    if (r.watcher) continue;
    std::erase(s.ducked_by, leaving.id());
    for (const auto& e : d.ended) {
      if (e.id != s.id) continue;
      s.interrupted_by = 0;  // still interrupted (inactive) until it activates again
      out.push_back(
          {s.id, Notification{NoteType::ended, ref_of(r), by, 0, e.should_resume, by_cause, now}});
    }
    if (std::find(d.unduck.begin(), d.unduck.end(), s.id) != d.unduck.end()) {
      s.ducked_by.clear();
      out.push_back({s.id, Notification{NoteType::unduck, ref_of(r), by, 0, false, by_cause, now}});
    }
  }
  out.push_back({0, Notification{NoteType::deactivated, by, std::nullopt, 0, false, cause, now}});
}

Status transact(const RuntimeDir& dir, uint64_t self, int send_fd, const Change& change) {
  std::vector<Outgoing> out;
  std::vector<uint64_t> watchers;
  Status result = ok_status();
  {
    auto lock = take_lock(dir);
    if (!lock) return lock.error();
    auto records = read_records(dir);
    if (!records) return records.error();
    bool dirty = reap(dir, *records, self, out);
    const size_t reaped = out.size();
    auto changed = change(*records, out);
    if (!changed) {
      out.resize(reaped);  // a refused change sends nothing of its own
      result = changed.error();
    } else {
      dirty = dirty || *changed;
    }
    if (dirty)
      if (auto w = write_records(dir, *records); !w) return w.error();
    for (const auto& r : *records)
      if (r.watcher) watchers.push_back(r.id());
  }  // unlocked here
  deliver(dir, send_fd, out, watchers);
  return result;
}

}  // namespace sc::session
