// Creating the file a writer writes, the same way for every writer (internal to formats/;
// writer.h create_file_writer states the contract): never over an existing file unless asked,
// nothing left behind on failure, and a lock that tells `info` and `repair` a recorder is
// still writing it.
#pragma once

#include <string>
#include <utility>

#include "core/common/error.h"

namespace sc::formats {

// An owned descriptor, closed on destruction.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset();

 private:
  int fd_;
};

// Removes a file this process has just created unless dismissed: a failed start leaves
// nothing behind.
class UnlinkGuard {
 public:
  explicit UnlinkGuard(std::string path = {}) : path_(std::move(path)) {}
  UnlinkGuard(UnlinkGuard&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  UnlinkGuard& operator=(UnlinkGuard&& other) noexcept;
  UnlinkGuard(const UnlinkGuard&) = delete;
  UnlinkGuard& operator=(const UnlinkGuard&) = delete;
  ~UnlinkGuard();
  void dismiss() { path_.clear(); }

 private:
  std::string path_;
};

// "x/" for "x/take.wav", "" for "take.wav".
std::string parent_dir(const std::string& path);

// A new name next to `path` for a file that will replace it: "x/.take.wav.1a2b3c4d.part".
std::string temp_path_for(const std::string& path);

// The error for a failed creation of `path` with errno `e` (Exit::cannot_create, 73): a
// directory, an existing file (use --force), a missing directory, no permission.
Error create_error(const std::string& path, int e);

// A file being created for a writer. Without `overwrite` it is created at `path` with O_EXCL
// (an existing file: 73, untouched). With it, it is created beside `path` (temp_path_for) and
// commit() renames it over `path`, so the old file stays whole until the new one has its
// header. Until commit() the file is removed on destruction. The descriptor (O_RDWR, close on
// exec) holds flock(LOCK_EX) for as long as it is open: being_written() sees it.
class NewFile {
 public:
  static Result<NewFile> create(const std::string& path, bool overwrite);
  // As create(), but always beside `path` (temp_path_for), so that nothing is at `path` until
  // commit(): for a file that is not playable until its first write (M4A's moov). Without
  // `overwrite`, commit() then fails with 73 if `path` was taken meanwhile (link(2), which
  // never replaces), and a process killed before commit() leaves only the hidden temp.
  static Result<NewFile> create_beside(const std::string& path, bool overwrite);

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }             // the name asked for
  const std::string& path_on_disk() const { return on_disk_; }  // where it is until commit()
  // Renames it into place (overwrite) and keeps it. Errors as create_error.
  Status commit();
  // The descriptor, to the writer that keeps the lock for the file's life.
  UniqueFd take_fd() { return std::move(fd_); }

 private:
  NewFile(std::string path, std::string on_disk, UniqueFd fd, bool replace)
      : path_(std::move(path)),
        on_disk_(on_disk),
        fd_(std::move(fd)),
        guard_(std::move(on_disk)),
        replace_(replace) {}
  static Result<NewFile> open(const std::string& path, bool overwrite, bool beside);

  std::string path_;
  std::string on_disk_;
  UniqueFd fd_;
  UnlinkGuard guard_;
  bool replace_;  // commit() may replace a file at path_ (overwrite)
};

// Whether a recorder still has `path` open for writing: its NewFile lock is held (a shared
// flock cannot be taken). False when the file cannot be opened.
bool being_written(const std::string& path);

}  // namespace sc::formats
