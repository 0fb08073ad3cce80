// Offsets, copies and the errors they meet (file_io.h).
#include "formats/inspect/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "formats/sys_error.h"

namespace sc::formats {

void put_le32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

void put_le64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::string fourcc_text(const unsigned char* p) {
  const bool printable =
      std::all_of(p, p + 4, [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  if (printable) return std::string(reinterpret_cast<const char*>(p), 4);
  return fmt::format("0x{:02x}{:02x}{:02x}{:02x}", p[0], p[1], p[2], p[3]);
}

long read_at(int fd, void* buf, size_t n, uint64_t off) {
  size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(buf);
  while (done < n) {
    const ssize_t got = ::pread(fd, bytes + done, n - done, static_cast<off_t>(off + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return static_cast<long>(done);
}

Result<UniqueFd> open_input(const std::string& path, uint64_t& size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return make_error(Exit::no_input, fmt::format("'{}' does not exist", path),
                        "check the name and the directory");
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", path, errno_text(e)),
                      e == EACCES ? "check its permissions" : "");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return make_error(Exit::io, fmt::format("cannot read '{}': {}", path, errno_text(errno)));
  if (S_ISDIR(st.st_mode))
    return make_error(Exit::no_input, fmt::format("'{}' is a directory", path),
                      "name an audio file inside it");
  if (!S_ISREG(st.st_mode))
    return make_error(Exit::data, fmt::format("'{}' is not a regular file", path),
                      "info and repair read files on disk, not pipes or devices");
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

Result<UniqueFd> create_output(const std::string& out) {
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) return create_error(out, errno);
  return fd;
}

namespace {

Error read_error(const std::string& path, int e) {
  return make_error(Exit::io, fmt::format("cannot read '{}': {}", path, errno_text(e)));
}

Error write_error(const std::string& path, int e) {
  return make_error(Exit::io, fmt::format("cannot write '{}': {}", path, errno_text(e)),
                    write_hint(e));
}

Error shrank(const std::string& path) {
  return make_error(Exit::io, fmt::format("'{}' became shorter while it was being copied", path),
                    "make sure nothing else writes it, and try again");
}

}  // namespace

Status write_at(int out, const void* buf, size_t n, uint64_t off, const std::string& out_path) {
  size_t done = 0;
  const auto* bytes = static_cast<const unsigned char*>(buf);
  while (done < n) {
    const ssize_t put = ::pwrite(out, bytes + done, n - done, static_cast<off_t>(off + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return write_error(out_path, put < 0 ? errno : EIO);
    done += static_cast<size_t>(put);
  }
  return ok_status();
}

Status copy_range(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len,
                  const std::string& in_path, const std::string& out_path) {
  bool kernel_copy = true;
  while (len > 0 && kernel_copy) {
    auto from = static_cast<off_t>(in_off);
    auto to = static_cast<off_t>(out_off);
    const size_t step = static_cast<size_t>(std::min<uint64_t>(len, 1u << 30));
    const ssize_t n = ::copy_file_range(in, &from, out, &to, step, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
                  errno == EBADF)) {
      kernel_copy = false;  // another file system or an old kernel: the buffer below
      break;
    }
    if (n < 0) return write_error(out_path, errno);
    if (n == 0) return shrank(in_path);
    in_off += static_cast<uint64_t>(n);
    out_off += static_cast<uint64_t>(n);
    len -= static_cast<uint64_t>(n);
  }
  std::vector<unsigned char> buf(len > 0 ? std::min<uint64_t>(len, 1u << 20) : 0);
  while (len > 0) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(len, buf.size()));
    const long got = read_at(in, buf.data(), step, in_off);
    if (got < 0) return read_error(in_path, errno);
    if (got == 0) return shrank(in_path);
    if (auto s = write_at(out, buf.data(), static_cast<size_t>(got), out_off, out_path); !s)
      return s;
    in_off += static_cast<uint64_t>(got);
    out_off += static_cast<uint64_t>(got);
    len -= static_cast<uint64_t>(got);
  }
  return ok_status();
}

}  // namespace sc::formats
