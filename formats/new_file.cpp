// Creating a writer's file (new_file.h).
#include "formats/new_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <random>

#include "formats/sys_error.h"

namespace sc::formats {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

UnlinkGuard& UnlinkGuard::operator=(UnlinkGuard&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

UnlinkGuard::~UnlinkGuard() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::string temp_path_for(const std::string& path) {
  static thread_local std::mt19937 random{std::random_device{}()};
  const std::string dir = parent_dir(path);
  return fmt::format("{}.{}.{:08x}.part", dir, path.substr(dir.size()),
                     static_cast<uint32_t>(random()));
}

Error create_error(const std::string& path, int e) {
  struct stat st {};
  const bool is_dir =
      e == EISDIR || (e == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
  if (is_dir) {
    return make_error(Exit::cannot_create, fmt::format("'{}' is a directory", path),
                      fmt::format("give a file name inside it, e.g. '{}/take.wav'", path));
  }
  if (e == EEXIST) {
    return make_error(Exit::cannot_create, fmt::format("'{}' already exists", path),
                      "use --force to overwrite it, or choose another name");
  }
  if (const std::string dir = parent_dir(path); e == ENOENT && !dir.empty()) {
    return make_error(Exit::cannot_create, fmt::format("directory '{}' does not exist", dir),
                      fmt::format("create it first (mkdir -p '{}') or choose another place", dir));
  }
  const bool denied = e == EACCES || e == EPERM || e == EROFS;
  return make_error(Exit::cannot_create, fmt::format("cannot create '{}': {}", path, errno_text(e)),
                    denied ? "choose a place you can write to" : write_hint(e));
}

Result<NewFile> NewFile::create(const std::string& path, bool overwrite) {
  return open(path, overwrite, overwrite);
}

Result<NewFile> NewFile::create_beside(const std::string& path, bool overwrite) {
  // Taken already: refused now, as create() would (commit() checks again, atomically).
  struct stat st {};
  if (!overwrite && ::lstat(path.c_str(), &st) == 0) return create_error(path, EEXIST);
  if (const std::string dir = parent_dir(path);
      !dir.empty() && ::stat(dir.c_str(), &st) != 0 && errno == ENOENT)
    return create_error(path, ENOENT);
  return open(path, overwrite, true);
}

Result<NewFile> NewFile::open(const std::string& path, bool overwrite, bool beside) {
  constexpr int kFlags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
  std::string on_disk = beside ? temp_path_for(path) : path;
  UniqueFd fd(::open(on_disk.c_str(), kFlags, 0666));
  for (int tries = 1; fd.get() < 0 && errno == EEXIST && beside && tries < 8; ++tries) {
    on_disk = temp_path_for(path);
    fd = UniqueFd(::open(on_disk.c_str(), kFlags, 0666));
  }
  if (fd.get() < 0) return create_error(path, errno);
  // Nobody else has it yet: the lock cannot fail but for a kernel without flock.
  (void)::flock(fd.get(), LOCK_EX | LOCK_NB);
  return NewFile(path, std::move(on_disk), std::move(fd), overwrite);
}

Status NewFile::commit() {
  if (on_disk_ != path_) {
    // Without overwrite the name must still be free: link(2) never replaces (rename would).
    const int rc = replace_ ? ::rename(on_disk_.c_str(), path_.c_str())
                            : ::link(on_disk_.c_str(), path_.c_str());
    if (rc != 0) return create_error(path_, errno);
    if (!replace_) ::unlink(on_disk_.c_str());
  }
  on_disk_ = path_;
  guard_.dismiss();
  return ok_status();
}

bool being_written(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return false;
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

}  // namespace sc::formats
