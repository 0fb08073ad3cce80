#include "core/session/datagram.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

namespace sc::session {
namespace {

// Fills a sockaddr_un for `path`; false when the path does not fit.
bool address(const std::string& path, sockaddr_un& sa) {
  sa = {};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return false;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return true;
}

Error socket_error(const std::string& path, std::string_view what) {
  return make_error(
      Exit::unavailable,
      fmt::format("session registry: cannot {} '{}': {}", what, path, std::strerror(errno)),
      "check the runtime directory (SOUNDCHECK_RUNTIME_DIR)");
}

}  // namespace

std::string lease_path(const RuntimeDir& dir, uint64_t id) {
  return fmt::format("{}/lease-{:x}", dir.path, id);
}
std::string socket_path(const RuntimeDir& dir, uint64_t id) {
  return fmt::format("{}/sock-{:x}", dir.path, id);
}

std::optional<uint64_t> id_in_name(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  uint64_t id = 0;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data() + prefix.size(), end, id, 16);
  if (ec != std::errc() || ptr != end || id == 0) return std::nullopt;
  return id;
}

Result<Fd> bind_socket(const std::string& path) {
  sockaddr_un sa{};
  if (!address(path, sa))
    return make_error(Exit::unavailable,
                      fmt::format("session registry: socket path '{}' is longer than {} bytes",
                                  path, sizeof sa.sun_path - 1),
                      "set SOUNDCHECK_RUNTIME_DIR to a shorter path");
  Fd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return socket_error(path, "create a socket for");
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    return socket_error(path, "bind");
  return fd;
}

Result<Fd> send_socket() {
  Fd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return socket_error("(unbound)", "create a socket");
  return fd;
}

bool send_datagram(int fd, const std::string& path, const std::string& text) {
  sockaddr_un sa{};
  if (!address(path, sa)) return false;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (sendto(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&sa), sizeof sa) >= 0)
      return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;  // gone, or refused
    // The receiver's queue is full (net.unix.max_dgram_qlen): give its listener a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

std::optional<std::string> receive_datagram(int fd) {
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n >= 0) return std::string(buf, static_cast<size_t>(n));
    if (errno != EINTR) return std::nullopt;
  }
}

}  // namespace sc::session
