#include "core/session/route_prefs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

// Header-only (TOML_HEADER_ONLY=1, the default), as in config.cpp.
#include <toml++/toml.h>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/audio/device_match.h"
#include "core/common/names.h"

namespace sc {
namespace {

namespace fs = std::filesystem;
using audio::Direction;

constexpr std::string_view kHeader =
    "# Preferred devices, written by `soundcheck route set` (change them with it: this file is\n"
    "# replaced whole each time). Precedence: -D (or --input/--output), SOUNDCHECK_INPUT and\n"
    "# SOUNDCHECK_OUTPUT, the profile's own, this file, config.toml's [route], the default.\n";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_default(std::string_view spec) { return to_lower(trim(spec)) == "default"; }

bool is_virtual(std::string_view spec) {
  const std::string s = to_lower(trim(spec));
  return s == "virtual" || s.rfind("virtual:", 0) == 0;
}

std::string where(const std::string& path, const toml::source_region& src) {
  return fmt::format("{}:{}:{}", path, src.begin.line, src.begin.column);
}

Error data_error(std::string message) {
  return make_error(Exit::data, std::move(message),
                    "run `soundcheck route set --clear` and set the devices again");
}

Result<std::optional<StoredDevice>> read_device(const toml::table& root, std::string_view key,
                                                const std::string& path) {
  const toml::node* node = root.get(key);
  if (!node) return std::optional<StoredDevice>();
  const auto* table = node->as_table();
  if (!table)
    return data_error(fmt::format("{}: {} is not a table", where(path, node->source()), key));
  StoredDevice d;
  const toml::node* spec = table->get("spec");
  if (!spec || !spec->is_string())
    return data_error(fmt::format("{}: [{}] has no string 'spec'",
                                  where(path, spec ? spec->source() : table->source()), key));
  d.spec = *spec->value<std::string>();
  if (trim(d.spec).empty())
    return data_error(fmt::format("{}: [{}] spec is empty", where(path, spec->source()), key));
  for (auto [name, field] :
       {std::pair{"api", &StoredDevice::api}, std::pair{"id", &StoredDevice::id},
        std::pair{"name", &StoredDevice::name}}) {
    if (auto v = table->get(name); v && v->is_string()) d.*field = *v->value<std::string>();
  }
  return std::optional<StoredDevice>(std::move(d));
}

std::string render(const RoutePrefs& prefs) {
  std::ostringstream out;
  out << kHeader;
  for (auto [key, dev] : {std::pair{"input", &prefs.input}, std::pair{"output", &prefs.output}}) {
    if (!*dev) continue;
    // Keys in this order (spec first); toml++ quotes and escapes each value.
    out << "\n[" << key << "]\n";
    for (auto [k, v] : {std::pair{"spec", &(*dev)->spec}, std::pair{"api", &(*dev)->api},
                        std::pair{"id", &(*dev)->id}, std::pair{"name", &(*dev)->name}})
      if (!v->empty()) out << k << " = " << toml::value<std::string>(*v) << "\n";
  }
  return out.str();
}

// What the user can do about a file that cannot be written at `path`.
Error write_error(const std::string& path, const std::string& what, int err) {
  const std::string dir = fs::path(path).parent_path().string();
  const std::string message = fmt::format("cannot {} '{}': {}", what, path, std::strerror(err));
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return make_error(Exit::io, message, "free some space on that file system");
    case EIO:
      return make_error(Exit::io, message, "check the disk and its file system");
    case ENOENT:
    case ENOTDIR:
      return make_error(Exit::cannot_create, message,
                        fmt::format("create the directory '{}' first, or give --config a file in "
                                    "an existing directory",
                                    dir));
    case EISDIR:
    case ENOTEMPTY:
    case EEXIST:
      return make_error(Exit::cannot_create, message,
                        fmt::format("'{}' is a directory: remove or rename it", path));
    default:
      return make_error(Exit::cannot_create, message,
                        fmt::format("make '{}' writable, or use --config FILE to keep the "
                                    "preferences beside a config file elsewhere",
                                    dir));
  }
}

// A file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now; the error of close() (a deferred write error on some file systems), or 0.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// A temporary file's name, unlinked on destruction unless released (renamed into place).
class TempName {
 public:
  explicit TempName(std::string path) : path_(std::move(path)) {}
  ~TempName() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempName(const TempName&) = delete;
  TempName& operator=(const TempName&) = delete;
  void release() { path_.clear(); }

 private:
  std::string path_;
};

Status write_all(int fd, std::string_view text, const std::string& tmp) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return write_error(tmp, "write", errno);
    text.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

// Writes `text` to `path` atomically: a temporary file beside it (mode 0666 less the umask),
// fsync, rename over `path`, fsync of the directory.
Status write_atomically(const std::string& path, std::string_view text) {
  const fs::path dir = fs::path(path).parent_path();
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = (dir /
           fmt::format(".{}.{}-{}.tmp", fs::path(path).filename().string(), ::getpid(), attempt))
              .string();
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt > 100)) return write_error(path, "write", errno);
  }
  Fd file(fd);
  TempName guard(tmp);
  // A file that exists keeps its mode (someone may have made it private).
  struct stat old {};
  if (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode))
    ::fchmod(file.get(), old.st_mode & 07777);
  if (auto s = write_all(file.get(), text, path); !s) return s;
  if (::fsync(file.get()) != 0) return write_error(path, "write", errno);
  if (int err = file.close()) return write_error(path, "write", err);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return write_error(path, "replace", errno);
  guard.release();
  // The rename itself is durable once the directory is synced.
  Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
  return ok_status();
}

Status ensure_dir(const std::string& path, bool create_dir) {
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return ok_status();
  if (!create_dir) return write_error(path, "write", ENOENT);
  fs::create_directories(dir, ec);
  if (ec) return write_error(path, "create the directory for", ec.value());
  return ok_status();
}

std::string_view env_name(Direction dir) {
  return dir == Direction::input ? "SOUNDCHECK_INPUT" : "SOUNDCHECK_OUTPUT";
}

const std::optional<std::string>& field(const ProfileFields& f, Direction dir) {
  return dir == Direction::input ? f.input : f.output;
}

}  // namespace

std::string route_prefs_path(const std::string& config_path) {
  if (config_path.empty()) return {};
  return (fs::path(config_path).parent_path() / "route.toml").string();
}

Result<RoutePrefs> load_route_prefs(const std::string& path) {
  RoutePrefs prefs;
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return prefs;
  if (fs::is_directory(path, ec))
    return make_error(Exit::data, fmt::format("'{}' is a directory", path),
                      "remove or rename it; `soundcheck route set` writes that file");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return data_error(fmt::format("{}: {}", where(path, e.source()), e.description()));
  }
  auto in = read_device(root, "input", path);
  if (!in) return in.error();
  auto out = read_device(root, "output", path);
  if (!out) return out.error();
  prefs.input = std::move(*in);
  prefs.output = std::move(*out);
  return prefs;
}

Status save_route_prefs(const std::string& path, const RoutePrefs& prefs, bool create_dir) {
  if (path.empty())
    return make_error(Exit::cannot_create, "no place for the route preferences",
                      "set HOME or XDG_CONFIG_HOME, or give --config FILE");
  // A symbolic link (a dotfiles repository) keeps pointing where it did: its target is
  // replaced, not the link.
  std::error_code ec;
  if (fs::is_symlink(path, ec)) {
    fs::path target = fs::read_symlink(path, ec);
    if (ec) return write_error(path, "read the link", ec.value());
    if (target.is_relative()) target = fs::path(path).parent_path() / target;
    return write_atomically(target.string(), render(prefs));
  }
  if (prefs.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return write_error(path, "remove", errno);
    return ok_status();
  }
  if (auto s = ensure_dir(path, create_dir); !s) return s;
  return write_atomically(path, render(prefs));
}

Result<RoutePrefs> update_route_prefs(const std::string& path, bool create_dir,
                                      const std::function<void(RoutePrefs&)>& change) {
  if (path.empty())
    return make_error(Exit::cannot_create, "no place for the route preferences",
                      "set HOME or XDG_CONFIG_HOME, or give --config FILE");
  if (auto s = ensure_dir(path, create_dir); !s) return s.error();
  const fs::path dir = fs::path(path).parent_path();
  Fd lock(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (lock.get() < 0) return write_error(path, "write", errno);
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return write_error(path, "lock the directory of", errno);
  auto prefs = load_route_prefs(path);
  if (!prefs) return prefs.error();
  change(*prefs);
  if (auto s = save_route_prefs(path, *prefs, create_dir); !s) return s.error();
  return prefs;
}

Result<StoredDevice> resolve_for_storage(std::string_view spec, Direction dir,
                                         const DeviceOpener& open) {
  const std::string_view s = trim(spec);
  const std::string flag = dir == Direction::input ? "--input" : "--output";
  if (s.empty())
    return make_error(Exit::usage, flag + ": an empty SPEC",
                      "give a device (soundcheck route list), or --clear to forget both");
  if (is_default(s)) return StoredDevice{"default", "", "", ""};
  auto device = open(s, dir);
  if (!device) return device.error();
  const audio::DeviceInfo info = (*device)->info();
  StoredDevice d{"", info.api, info.id, info.name};
  if (is_virtual(s)) {
    d.spec = std::string(s);
    return d;
  }
  if (info.api == "virtual") {
    d.spec = "virtual";
    return d;
  }
  // PulseAudio's sink and source names are its stable identifiers; RtAudio's devices are
  // known by name (ALSA's hw:C,D numbers change when cards come and go).
  d.spec = info.api + ":" + (info.api == "pulse" && !info.id.empty() ? info.id : info.name);
  auto again = open(d.spec, dir);
  if (!again || (*again)->info().api != info.api || (*again)->info().name != info.name ||
      (*again)->info().id != info.id)
    return make_error(
        Exit::usage,
        fmt::format("{}: '{}' ({}) cannot be stored by name: '{}' names {}", flag, info.name,
                    info.api, d.spec, again ? "another device" : "no device alone"),
        "give the device a unique name, or pass it with -D each time");
  return d;
}

std::string_view source_name(DeviceSource s) {
  switch (s) {
    case DeviceSource::flag:
      return "flag";
    case DeviceSource::environment:
      return "environment";
    case DeviceSource::profile:
      return "profile";
    case DeviceSource::route_set:
      return "route set";
    case DeviceSource::config_route:
      return "config [route]";
    case DeviceSource::fallback:
      return "default";
  }
  return "default";
}

DeviceChoice choose_device(const DeviceCandidates& c) {
  const std::pair<const std::string*, DeviceSource> levels[] = {
      {&c.flag, DeviceSource::flag},
      {&c.environment, DeviceSource::environment},
      {&c.profile, DeviceSource::profile},
      {&c.stored, DeviceSource::route_set},
      {&c.config_route, DeviceSource::config_route},
  };
  for (const auto& [spec, source] : levels)
    if (!trim(*spec).empty()) return {*spec, source};
  return {"default", DeviceSource::fallback};
}

std::string profile_device(const Config& config, const ProfileRequest& request, Direction dir) {
  if (const auto& flag = field(request.flags, dir)) return *flag;
  if (request.profile_name) {
    auto it = config.profiles.find(*request.profile_name);
    if (it != config.profiles.end())
      if (const auto& own = field(it->second, dir)) return *own;
  }
  return {};
}

DeviceCandidates gather_candidates(std::string flag, const Config& config,
                                   const ProfileRequest& request, const RoutePrefs& prefs,
                                   const std::string& prefs_path, Direction dir) {
  DeviceCandidates c;
  c.flag = std::move(flag);
  if (const char* env = std::getenv(std::string(env_name(dir)).c_str())) c.environment = env;
  c.profile = profile_device(config, request, dir);
  const auto& stored = dir == Direction::input ? prefs.input : prefs.output;
  if (stored) c.stored = stored->spec;
  if (const auto& legacy = field(config.route, dir)) c.config_route = *legacy;
  c.stored_path = prefs_path;
  c.config_path = config.path;
  return c;
}

Result<DeviceCandidates> read_candidates(std::string flag, const std::string& config_path,
                                         bool config_must_exist, const ProfileRequest& request,
                                         Direction dir) {
  auto config = load_config(config_path, config_must_exist);
  if (!config) return config.error();
  const std::string prefs_path = route_prefs_path(config_path);
  auto prefs = load_route_prefs(prefs_path);
  if (!prefs) return prefs.error();
  return gather_candidates(std::move(flag), *config, request, *prefs, prefs_path, dir);
}

Result<OpenedDevice> open_chosen_device(const DeviceCandidates& c, Direction dir,
                                        const DeviceOpener& open) {
  OpenedDevice out;
  out.choice = choose_device(c);
  auto device = open(out.choice.spec, dir);
  if (device) {
    out.device = std::move(*device);
    return out;
  }
  Error e = device.error();
  const bool stored = out.choice.source == DeviceSource::route_set ||
                      out.choice.source == DeviceSource::config_route;
  if (!stored || e.exit != Exit::no_input) {
    if (out.choice.source == DeviceSource::environment)
      e.message = fmt::format("{}='{}': {}", env_name(dir), out.choice.spec, e.message);
    else if (stored)
      e.message =
          fmt::format("preferred {} '{}' ({}): {}", audio::direction_name(dir), out.choice.spec,
                      out.choice.source == DeviceSource::route_set
                          ? fmt::format("route set, {}", c.stored_path)
                          : fmt::format("[route] in {}", c.config_path),
                      e.message);
    return e;
  }
  // A stored preference whose device is gone: the default, and say so.
  auto fallback = open("default", dir);
  if (!fallback) {
    Error f = fallback.error();
    f.message = fmt::format(
        "preferred {} '{}' ({}) is not available, nor is a default: {}", audio::direction_name(dir),
        out.choice.spec,
        out.choice.source == DeviceSource::route_set ? "route set" : "config [route]", f.message);
    return f;
  }
  out.wanted = out.choice.spec;
  out.notice =
      fmt::format("preferred {} '{}' ({}) is not available ({}); using the default {}",
                  audio::direction_name(dir), out.choice.spec,
                  out.choice.source == DeviceSource::route_set ? "route set" : "config [route]",
                  e.message, audio::direction_name(dir));
  out.choice = {"default", DeviceSource::fallback};
  out.device = std::move(*fallback);
  return out;
}

}  // namespace sc
