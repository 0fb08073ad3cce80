#include "core/audio/pulse_client.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sc::audio::pulse {
namespace {

using namespace wire;

// The protocol version announced: PulseAudio 16's, which pipewire-pulse speaks too. Without
// the shared-memory flags (bits 31 and 30) the server sends audio on the socket.
constexpr uint32_t kVersion = 35;
// Oldest server spoken to: the source and sink listings parse as from this version on.
constexpr uint32_t kOldestVersion = 22;
// The largest packet the server sends (pstream.c FRAME_SIZE_MAX_ALLOW); more is a broken
// stream.
constexpr uint32_t kMaxPacket = 16u * 1024 * 1024;
constexpr size_t kReadBuffer = 256 * 1024;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string home_dir() {
  if (auto h = env("HOME"); !h.empty()) return h;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return {};
}

// libpulse's pa_get_config_home_dir(): $XDG_CONFIG_HOME/pulse, else ~/.config/pulse.
std::string config_home() {
  if (auto x = env("XDG_CONFIG_HOME"); !x.empty()) return x + "/pulse";
  if (auto h = home_dir(); !h.empty()) return h + "/.config/pulse";
  return {};
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// True when a client.conf libpulse reads sets `default-server` or `cookie-file`: then the
// server or the cookie is elsewhere, and libpulse is the one to follow it.
bool client_conf_redirects() {
  std::vector<std::string> files;
  if (auto c = env("PULSE_CLIENTCONFIG"); !c.empty()) {
    files.push_back(c);
  } else {
    files.push_back("/etc/pulse/client.conf");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/etc/pulse/client.conf.d", ec))
      if (e.path().extension() == ".conf") files.push_back(e.path());
    if (auto h = config_home(); !h.empty()) files.push_back(h + "/client.conf");
  }
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      const auto start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == ';' || line[start] == '#') continue;
      const auto eq = line.find('=', start);
      if (eq == std::string::npos) continue;
      std::string key = line.substr(start, eq - start);
      key.erase(key.find_last_not_of(" \t") + 1);
      if (key == "default-server" || key == "cookie-file") return true;
    }
  }
  return false;
}

// The sockets to try, in libpulse's order; false when the setup is libpulse's to handle.
bool socket_paths(std::vector<std::string>& paths) {
  if (client_conf_redirects()) return false;
  if (const auto server = env("PULSE_SERVER"); !server.empty()) {
    std::istringstream words(server);
    for (std::string w; words >> w;) {
      if (w.front() == '{') {  // "{machine-id}address": for that machine only
        const auto close = w.find('}');
        if (close == std::string::npos) return false;
        const std::string id = w.substr(1, close - 1);
        w.erase(0, close + 1);
        if (id != first_line("/etc/machine-id") && id != first_line("/var/lib/dbus/machine-id"))
          continue;
      }
      if (w.rfind("unix:", 0) == 0) w.erase(0, 5);
      if (w.empty() || w.front() != '/') return false;  // tcp and the rest: libpulse's
      paths.push_back(w);
    }
    return !paths.empty();
  }
  // pa_runtime_path("native"): the first of these that is set, then the system instance.
  if (auto r = env("PULSE_RUNTIME_PATH"); !r.empty()) {
    paths.push_back(r + "/native");
  } else if (auto x = env("XDG_RUNTIME_DIR"); !x.empty()) {
    paths.push_back(x + "/pulse/native");
  } else if (auto c = config_home(); !c.empty()) {
    std::string id = first_line("/etc/machine-id");
    if (id.empty()) id = first_line("/var/lib/dbus/machine-id");
    if (!id.empty()) paths.push_back(c + "/" + id + "-runtime/native");
  }
  paths.push_back("/var/run/pulse/native");
  return true;
}

// The user's cookie (libpulse's order), or zeros: the server then goes by the socket's
// credentials, which it accepts from its own user.
void load_cookie(uint8_t out[kCookieBytes]) {
  std::memset(out, 0, kCookieBytes);
  std::vector<std::string> files;
  if (auto c = env("PULSE_COOKIE"); !c.empty()) files.push_back(c);
  if (auto h = config_home(); !h.empty()) files.push_back(h + "/cookie");
  if (auto h = home_dir(); !h.empty()) files.push_back(h + "/.pulse-cookie");
  for (const auto& f : files) {
    const int fd = open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const ssize_t n = read(fd, out, kCookieBytes);
    ::close(fd);
    if (n == static_cast<ssize_t>(kCookieBytes)) return;
    std::memset(out, 0, kCookieBytes);
  }
}

int connect_unix(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return -1;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  ::close(fd);
  return -1;
}

int ms_until(Client::Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60000));
}

}  // namespace

std::unique_ptr<Client> Client::connect(Deadline deadline) {
  std::vector<std::string> paths;
  if (!socket_paths(paths)) return nullptr;
  for (const auto& path : paths) {
    const int fd = connect_unix(path);
    if (fd < 0) continue;  // no server there
    std::unique_ptr<Client> c(new Client(fd));
    return c->handshake(deadline) ? std::move(c) : nullptr;
  }
  return nullptr;
}

// AUTH (protocol version and cookie; the server also sees the socket's credentials), then
// SET_CLIENT_NAME, as libpulse's context.c does.
bool Client::handshake(Deadline deadline) {
  buf_.resize(kReadBuffer);
  uint8_t cookie[kCookieBytes];
  load_cookie(cookie);
  uint32_t tag = next_tag();
  auto auth = call(Tags(kAuth, tag).u32(kVersion).arbitrary(cookie, kCookieBytes), tag, deadline);
  if (!auth || auth->error != 0) return false;
  auto r = auth->reader();
  version_ = std::min(r.u32() & 0xffffu, kVersion);
  if (!r.ok() || version_ < kOldestVersion) return false;
  tag = next_tag();
  const std::string pid = std::to_string(getpid());
  auto named = call(Tags(kSetClientName, tag)
                        .props({{"application.name", "soundcheck"},
                                {"application.process.id", pid},
                                {"application.process.binary", "soundcheck"}}),
                    tag, deadline);
  return named && named->error == 0;
}

Client::~Client() { close_fd(); }

void Client::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Client::send(const Tags& command) {
  if (fd_ < 0) return false;
  const auto& body = command.bytes();
  uint8_t head[kDescriptorBytes];
  descriptor(head, static_cast<uint32_t>(body.size()), kControl);
  iovec iov[2] = {{head, sizeof head}, {const_cast<uint8_t*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  // The first packet (AUTH) carries the process's credentials, as libpulse sends them: the
  // server accepts its own user by them. Without them explicitly, the kernel attaches them
  // only if the server has asked for credentials on its end of the socket by the time the
  // packet arrives, which it does after accepting: a race it loses now and then (1 AUTH in
  // ~100 was refused, "access denied", without a cookie).
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(ucred))] = {};
  if (!credentials_sent_) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(ucred));
    const ucred me{getpid(), getuid(), getgid()};
    std::memcpy(CMSG_DATA(c), &me, sizeof me);
  }
  size_t left = sizeof head + body.size();
  while (left > 0) {
    const ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close_fd();
      return false;
    }
    credentials_sent_ = true;
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
    left -= static_cast<size_t>(n);
    // A short write (the socket's buffer was full): the rest, from where it stopped.
    for (size_t skip = static_cast<size_t>(n); msg.msg_iovlen > 0 && skip > 0;) {
      const size_t in_first = std::min(skip, msg.msg_iov[0].iov_len);
      msg.msg_iov[0].iov_base = static_cast<uint8_t*>(msg.msg_iov[0].iov_base) + in_first;
      msg.msg_iov[0].iov_len -= in_first;
      skip -= in_first;
      if (msg.msg_iov[0].iov_len == 0) {
        ++msg.msg_iov;
        --msg.msg_iovlen;
      }
    }
  }
  return true;
}

std::optional<Client::Reply> Client::call(const Tags& command, uint32_t tag, Deadline deadline) {
  if (!send(command)) return std::nullopt;
  std::optional<Reply> reply;
  while (!reply) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    if (!read_some(ms_until(deadline), tag, &reply)) return std::nullopt;
  }
  return reply;
}

void Client::pump(std::chrono::milliseconds timeout) {
  read_some(static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, 60000)), kInvalid, nullptr);
}

bool Client::read_some(int timeout_ms, uint32_t awaited, std::optional<Reply>* reply) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = poll(&p, 1, timeout_ms);
  if (ready < 0) return errno == EINTR;
  if (ready == 0) return true;
  if (buf_.size() - have_ < 64 * 1024) buf_.resize(std::max(buf_.size() * 2, have_ + 64 * 1024));
  const ssize_t n = recv(fd_, buf_.data() + have_, buf_.size() - have_, MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    close_fd();
    return false;
  }
  have_ += static_cast<size_t>(n);
  size_t at = 0;
  while (have_ - at >= kDescriptorBytes) {
    const uint32_t len = be32(buf_.data() + at);
    if (len > kMaxPacket) {  // not the protocol: nothing after this can be trusted
      close_fd();
      return false;
    }
    if (have_ - at < kDescriptorBytes + len) {
      // A packet larger than what is left of the buffer: room for all of it.
      if (buf_.size() - at < kDescriptorBytes + len) buf_.resize(at + kDescriptorBytes + len);
      break;
    }
    dispatch(buf_.data() + at, awaited, reply);
    at += kDescriptorBytes + len;
    if (fd_ < 0) return false;
  }
  if (at > 0) {
    std::memmove(buf_.data(), buf_.data() + at, have_ - at);
    have_ -= at;
  }
  return true;
}

void Client::dispatch(const uint8_t* packet, uint32_t awaited, std::optional<Reply>* reply) {
  const uint32_t len = be32(packet);
  const uint32_t channel = be32(packet + 4);
  const uint8_t* payload = packet + kDescriptorBytes;
  if (channel != kControl) {
    // Samples in shared memory were not agreed on: a packet that says so is not ours to read.
    if (be32(packet + 16) & 0xff000000u) return;
    const auto offset = static_cast<int64_t>(uint64_t{be32(packet + 8)} << 32 | be32(packet + 12));
    if (listener_) listener_->on_audio(channel, offset, payload, len);
    return;
  }
  Reader r(payload, len);
  const uint32_t command = r.u32();
  const uint32_t tag = r.u32();
  if (!r.ok()) return;
  if (command == kReply || command == kError) {
    if (!reply || tag != awaited) return;  // the reply to a command nobody waits for
    Reply got;
    if (command == kError) {
      got.error = r.u32();
      if (got.error == 0) got.error = 0xffff;  // an error without a code is still an error
    } else {
      got.values.assign(r.here(), r.here() + r.left());
    }
    *reply = std::move(got);
    return;
  }
  if (listener_) listener_->on_command(command, r);
}

}  // namespace sc::audio::pulse
