#include "core/audio/pulse/loopback.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "core/audio/pulse/server_start.h"

namespace sc::audio::pulse {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kRoleCork = "module-role-cork";
constexpr const char* kNullSink = "module-null-sink";
constexpr const char* kNativeUnix = "module-native-protocol-unix";
constexpr const char* kMarkProp = "soundcheck.loopback";
constexpr const char* kPrevSinkProp = "soundcheck.previous_sink";
constexpr const char* kPrevSourceProp = "soundcheck.previous_source";
constexpr const char* kRoleCorkProp = "soundcheck.role_cork_module";

const DeviceEntry* find(const std::vector<DeviceEntry>& v, const std::string& name) {
  for (const auto& d : v)
    if (d.name == name) return &d;
  return nullptr;
}

const ModuleEntry* find_module(const std::vector<ModuleEntry>& v, const std::string& name) {
  for (const auto& m : v)
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<std::string> prop(const DeviceEntry& d, const char* key) {
  auto it = d.properties.find(key);
  if (it == d.properties.end()) return std::nullopt;
  return it->second;
}

bool made_by_up(const DeviceEntry& sink) { return prop(sink, kMarkProp) == "1"; }

// A proplist value in double quotes (pa_proplist_from_string), inside the single-quoted module
// argument (pa_modargs): both quote characters and the backslash are escaped.
std::string prop_value(const std::string& v) {
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"' || ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string was(const std::string& name) { return name.empty() ? "none" : name; }

// The system socket for this process: none unless root; SOUNDCHECK_PULSE_SYSTEM_SOCKET (empty:
// none) overrides kSystemSocket.
std::string system_socket() {
  if (geteuid() != 0) return {};
  if (const char* s = std::getenv("SOUNDCHECK_PULSE_SYSTEM_SOCKET")) return s;
  return kSystemSocket;
}

// As root: makes the server listen on the system socket too, unless something answers there.
Status listen_on_system_socket(Admin& admin, const ServerInfo& info, LoopbackUp& up) {
  const std::string path = system_socket();
  if (path.empty() || socket_answers(path)) return ok_status();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path.c_str());  // stale
  auto m = admin.load_module(kNativeUnix, "socket=" + path);
  if (!m) {
    if (info.pipewire()) {
      up.done.push_back(fmt::format("pipewire-pulse cannot listen on {} (skipped)", path));
      return ok_status();
    }
    return make_error(Exit::unavailable,
                      fmt::format("cannot listen on {}: {}", path, m.error().message));
  }
  up.loaded.push_back(kNativeUnix);
  up.listening_on = path;
  up.done.push_back(fmt::format("listening on {}", path));
  up.changed = true;
  return ok_status();
}

// Waits until the server lists `source` (pipewire-pulse lists a monitor a moment after the
// sink's module has loaded).
Result<bool> wait_for_source(Admin& admin, const std::string& source) {
  const auto deadline = Clock::now() + 5s;
  for (;;) {
    auto sources = admin.sources();
    if (!sources) return sources.error();
    if (find(*sources, source)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

// One `up` or `down` of this user at a time (flock on ${TMPDIR:-/tmp}/soundcheck-loopback-UID.lock,
// released when the process ends, however): two at once could both start a server or both load
// module-role-cork. Waits up to 30 s for the other.
class RunLock {
 public:
  static Result<RunLock> take() {
    const char* tmp = std::getenv("TMPDIR");
    const std::string path =
        fmt::format("{}/soundcheck-loopback-{}.lock", tmp && *tmp ? tmp : "/tmp", geteuid());
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      return make_error(Exit::unavailable,
                        fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    RunLock lock(fd);
    const auto deadline = Clock::now() + 30s;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR)
        return make_error(Exit::unavailable,
                          fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
      if (Clock::now() >= deadline)
        return make_error(Exit::unavailable,
                          fmt::format("another 'route loopback up' or 'down' holds {}", path),
                          "wait for it, or find it with: fuser " + path);
      std::this_thread::sleep_for(50ms);
    }
    return lock;
  }
  RunLock(RunLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  RunLock& operator=(RunLock&&) = delete;
  ~RunLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace

Result<LoopbackUp> loopback_up() {
  auto run_lock = RunLock::take();
  if (!run_lock) return run_lock.error();
  auto reached = connect_or_start();
  if (!reached) return reached.error();
  Admin admin(*reached->context);
  LoopbackUp up;
  up.started_server = reached->started;
  auto info = admin.server_info();
  if (!info) return info.error();
  const std::string server_words =
      fmt::format("{} {} at {}", info->name, info->version, info->address);
  if (up.started_server) {
    up.done.push_back(fmt::format("started PulseAudio ({})", server_words));
    up.changed = true;
  } else {
    up.done.push_back(fmt::format("PulseAudio is running ({})", server_words));
  }
  if (auto st = listen_on_system_socket(admin, *info, up); !st) return st.error();

  auto modules = admin.modules();
  if (!modules) return modules.error();
  auto sinks = admin.sinks();
  if (!sinks) return sinks.error();
  const bool role_cork_there = find_module(*modules, kRoleCork) != nullptr;
  std::optional<uint32_t> role_cork_loaded;
  // Loads module-role-cork unless it is there; on PipeWire, which has none, says so.
  auto load_role_cork = [&]() -> Status {
    if (role_cork_there) {
      up.done.push_back("module-role-cork already loaded");
      return ok_status();
    }
    auto m = admin.load_module(kRoleCork, "");
    if (!m) {
      if (!info->pipewire()) return m.error();
      up.done.push_back("module-role-cork: pipewire-pulse has none (skipped)");
      return ok_status();
    }
    role_cork_loaded = *m;
    up.loaded.push_back(kRoleCork);
    up.done.push_back("loaded module-role-cork");
    up.changed = true;
    return ok_status();
  };

  const DeviceEntry* sink = find(*sinks, kLoopSink);
  if (sink) {
    if (made_by_up(*sink)) {
      up.previous_sink = prop(*sink, kPrevSinkProp).value_or("");
      up.previous_source = prop(*sink, kPrevSourceProp).value_or("");
      up.done.push_back(fmt::format("null sink {} present", kLoopSink));
    } else {
      up.done.push_back(fmt::format(
          "null sink {} present (not loaded by 'route loopback up': previous defaults not "
          "remembered, 'down' leaves it)",
          kLoopSink));
    }
    if (auto st = load_role_cork(); !st) return st.error();
  } else {
    if (auto st = load_role_cork(); !st) return st.error();
    // Everything `down` needs to know goes into the sink itself.
    std::string props =
        fmt::format("device.description={} {}=1", prop_value(kLoopDescription), kMarkProp);
    if (!info->default_sink.empty())
      props += fmt::format(" {}={}", kPrevSinkProp, prop_value(info->default_sink));
    if (!info->default_source.empty())
      props += fmt::format(" {}={}", kPrevSourceProp, prop_value(info->default_source));
    if (role_cork_loaded) props += fmt::format(" {}={}", kRoleCorkProp, *role_cork_loaded);
    auto m = admin.load_module(
        kNullSink,
        fmt::format("sink_name={} rate=48000 channels=2 sink_properties='{}'", kLoopSink, props));
    if (!m) {
      // Another `up` may have won the race for the name: then it is there now.
      auto again = admin.sinks();
      if (!again || !find(*again, kLoopSink)) {
        if (role_cork_loaded) (void)admin.unload_module(*role_cork_loaded);
        return m.error();
      }
      up.done.push_back(
          fmt::format("null sink {} present (loaded meanwhile by another)", kLoopSink));
    } else {
      up.loaded.push_back(kNullSink);
      up.previous_sink = info->default_sink;
      up.previous_source = info->default_source;
      up.done.push_back(fmt::format("loaded null sink {} (\"{}\")", kLoopSink, kLoopDescription));
      up.changed = true;
    }
  }
  auto monitor = wait_for_source(admin, kLoopSource);
  if (!monitor) return monitor.error();
  if (!*monitor)
    return make_error(Exit::unavailable,
                      fmt::format("the null sink's monitor {} did not appear", kLoopSource));

  // The defaults as they are now (loading a sink may have moved them already).
  auto now = admin.server_info();
  if (!now) return now.error();
  const bool fresh = std::find(up.loaded.begin(), up.loaded.end(), kNullSink) != up.loaded.end();
  // "default sink: soundcheck_loop (was X)" when it changed now (also when the server itself
  // switched to the new sink as it loaded), plain when it already was.
  auto make_default = [&](const char* what, const char* ours, const std::string& current,
                          const std::optional<std::string>& previous, bool is_sink) -> Status {
    if (current != ours) {
      auto st = is_sink ? admin.set_default_sink(ours) : admin.set_default_source(ours);
      if (!st) return st;
      up.done.push_back(fmt::format("default {}: {} (was {})", what, ours, was(current)));
      up.changed = true;
    } else if (fresh && previous) {
      up.done.push_back(fmt::format("default {}: {} (was {})", what, ours, was(*previous)));
    } else {
      up.done.push_back(fmt::format("default {}: {}", what, ours));
    }
    return ok_status();
  };
  if (auto st = make_default("sink", kLoopSink, now->default_sink, up.previous_sink, true); !st)
    return st.error();
  if (auto st = make_default("source", kLoopSource, now->default_source, up.previous_source, false);
      !st)
    return st.error();
  auto after = admin.server_info();
  if (!after) return after.error();
  up.server = *after;
  if (!up.changed) up.done.push_back("nothing to do: the loopback was already up");
  return up;
}

Result<LoopbackDown> loopback_down() {
  auto run_lock = RunLock::take();
  if (!run_lock) return run_lock.error();
  LoopbackDown down;
  auto c = Context::connect(Clock::now() + 2s);
  if (!c) {
    down.done.push_back(fmt::format("{}: nothing to take down", c.error().message));
    return down;
  }
  Admin admin(**c);
  auto info = admin.server_info();
  if (!info) return info.error();
  down.server = *info;
  auto sinks = admin.sinks();
  if (!sinks) return sinks.error();
  const DeviceEntry* sink = find(*sinks, kLoopSink);
  if (!sink) {
    down.done.push_back(fmt::format("no null sink {}: nothing to take down", kLoopSink));
    return down;
  }
  if (!made_by_up(*sink)) {
    down.done.push_back(fmt::format(
        "null sink {} was not loaded by 'route loopback up': left as it is", kLoopSink));
    return down;
  }
  auto sources = admin.sources();
  if (!sources) return sources.error();
  auto modules = admin.modules();
  if (!modules) return modules.error();

  // The defaults first, while the loopback still exists: only those that are still ours.
  const std::string prev_sink = prop(*sink, kPrevSinkProp).value_or("");
  const std::string prev_source = prop(*sink, kPrevSourceProp).value_or("");
  if (info->default_sink == kLoopSink) {
    if (!prev_sink.empty() && prev_sink != kLoopSink && find(*sinks, prev_sink)) {
      if (auto st = admin.set_default_sink(prev_sink); !st) return st.error();
      down.restored.push_back("sink " + prev_sink);
      down.done.push_back(fmt::format("default sink: {} (restored)", prev_sink));
    } else {
      down.done.push_back(
          prev_sink.empty()
              ? std::string("default sink: there was none before; the server chooses")
              : fmt::format("default sink: {} is gone; the server chooses", prev_sink));
    }
  } else {
    down.done.push_back(
        fmt::format("default sink: {} (chosen since 'up': left)", was(info->default_sink)));
  }
  if (info->default_source == kLoopSource) {
    if (!prev_source.empty() && prev_source != kLoopSource && find(*sources, prev_source)) {
      if (auto st = admin.set_default_source(prev_source); !st) return st.error();
      down.restored.push_back("source " + prev_source);
      down.done.push_back(fmt::format("default source: {} (restored)", prev_source));
    } else {
      down.done.push_back(
          prev_source.empty()
              ? std::string("default source: there was none before; the server chooses")
              : fmt::format("default source: {} is gone; the server chooses", prev_source));
    }
  } else {
    down.done.push_back(
        fmt::format("default source: {} (chosen since 'up': left)", was(info->default_source)));
  }
  if (auto idx = prop(*sink, kRoleCorkProp)) {
    const uint32_t index = static_cast<uint32_t>(std::strtoul(idx->c_str(), nullptr, 10));
    bool still = false;
    for (const auto& m : *modules) still = still || (m.index == index && m.name == kRoleCork);
    if (still) {
      if (auto st = admin.unload_module(index); !st) return st.error();
      down.unloaded.push_back(kRoleCork);
      down.done.push_back("unloaded module-role-cork");
    }
  }
  if (sink->owner_module != PA_INVALID_INDEX) {
    if (auto st = admin.unload_module(sink->owner_module); !st) return st.error();
    down.unloaded.push_back(kNullSink);
    down.done.push_back(fmt::format("unloaded null sink {}", kLoopSink));
  }
  down.changed = true;
  down.done.push_back(fmt::format("the server keeps running ({} {} at {})", info->name,
                                  info->version, info->address));
  return down;
}

Result<LoopbackStatus> loopback_status() {
  LoopbackStatus s;
  auto c = Context::connect(Clock::now() + 2s);
  if (!c) {
    s.server_error = c.error().message;
    return s;
  }
  Admin admin(**c);
  auto info = admin.server_info();
  if (!info) return info.error();
  s.server = *info;
  auto sinks = admin.sinks();
  if (!sinks) return sinks.error();
  auto sources = admin.sources();
  if (!sources) return sources.error();
  auto modules = admin.modules();
  if (!modules) return modules.error();
  const DeviceEntry* sink = find(*sinks, kLoopSink);
  s.sink = sink != nullptr;
  s.source = find(*sources, kLoopSource) != nullptr;
  s.default_sink = info->default_sink == kLoopSink;
  s.default_source = info->default_source == kLoopSource;
  s.role_cork = find_module(*modules, kRoleCork) != nullptr;
  if (sink && made_by_up(*sink)) {
    s.made_by_up = true;
    s.role_cork_by_up = prop(*sink, kRoleCorkProp).has_value();
    s.previous_sink = prop(*sink, kPrevSinkProp).value_or("");
    s.previous_source = prop(*sink, kPrevSourceProp).value_or("");
  }
  return s;
}

}  // namespace sc::audio::pulse
