#include "core/session/runtime_dir.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace sc::session {
namespace {

std::string env(const char* var) {
  const char* v = std::getenv(var);
  return v ? std::string(v) : std::string();
}

std::string user_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return "unknown user";
}

Error refuse(std::string message, std::string hint) {
  return make_error(Exit::unavailable, "session registry: " + std::move(message), std::move(hint));
}

std::string other_dir_hint() {
  return "set SOUNDCHECK_RUNTIME_DIR to a directory of your own (it is created with mode 0700)";
}

// mkdir(path, 0700); a directory created here gets exactly 0700 whatever the umask. An
// existing path is left as it is (checked afterwards, never followed).
Status make_dir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0) {
    // mkdir does not follow a symlink planted at `path` (EEXIST), so this is our directory.
    if (chmod(path.c_str(), 0700) != 0)
      return refuse(fmt::format("cannot set mode 0700 on '{}': {}", path, std::strerror(errno)),
                    other_dir_hint());
    return ok_status();
  }
  if (errno == EEXIST) return ok_status();
  return refuse(fmt::format("cannot create '{}': {}", path, std::strerror(errno)),
                other_dir_hint());
}

// Creates the missing parents of `path` (mode 0700), not `path` itself.
Status make_parents(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> missing;
  for (auto p = path.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (lstat(p.c_str(), &st) == 0) break;
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it)
    if (auto s = make_dir(it->string()); !s) return s;
  return ok_status();
}

// The directory must be a real directory (not a symlink), owned by us, closed to others.
Status check_dir(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0)
    return refuse(fmt::format("cannot use '{}': {}", path, std::strerror(errno)), other_dir_hint());
  const auto mode = st.st_mode & 07777;
  if (S_ISLNK(st.st_mode))
    return refuse(fmt::format("'{}' is a symbolic link (owner {} uid {}); it is not followed", path,
                              user_name(st.st_uid), st.st_uid),
                  other_dir_hint());
  if (!S_ISDIR(st.st_mode))
    return refuse(fmt::format("'{}' is not a directory", path), other_dir_hint());
  if (st.st_uid != getuid())
    return refuse(
        fmt::format("'{}' is owned by {} (uid {}, mode {:04o}), not by you ({}, uid {})", path,
                    user_name(st.st_uid), st.st_uid, mode, user_name(getuid()), getuid()),
        other_dir_hint());
  if (mode & 077)
    return refuse(fmt::format("'{}' has mode {:04o}: group or others may enter it", path, mode),
                  fmt::format("chmod 700 '{}', or {}", path, other_dir_hint()));
  return ok_status();
}

}  // namespace

Result<RuntimeDir> runtime_dir() {
  RuntimeDir dir;
  bool parents = false;
  if (auto v = env("SOUNDCHECK_RUNTIME_DIR"); !v.empty()) {
    dir.path = v;
    dir.from = "SOUNDCHECK_RUNTIME_DIR";
    parents = true;
  } else if (auto x = env("XDG_RUNTIME_DIR"); !x.empty()) {
    dir.path = (std::filesystem::path(x) / "soundcheck").string();
    dir.from = "XDG_RUNTIME_DIR";
  } else {
    dir.path = fmt::format("/tmp/soundcheck-{}", getuid());
    dir.from = "/tmp";
  }
  std::error_code ec;
  auto abs = std::filesystem::absolute(dir.path, ec).lexically_normal();
  if (ec)
    return refuse(fmt::format("cannot resolve '{}': {}", dir.path, ec.message()), other_dir_hint());
  if (abs.has_filename() == false) abs = abs.parent_path();  // no trailing slash
  dir.path = abs.string();
  if (parents)
    if (auto s = make_parents(abs); !s) return s.error();
  if (auto s = make_dir(dir.path); !s) return s.error();
  if (auto s = check_dir(dir.path); !s) return s.error();
  return dir;
}

}  // namespace sc::session
