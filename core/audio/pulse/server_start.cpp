#include "core/audio/pulse/server_start.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace sc::audio::pulse {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The first executable `name` on PATH, or "".
std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;  // an empty entry means the working directory: not for a daemon
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// The last `n` lines of what the daemon said, without PulseAudio's warning about root.
std::string tail_of(int fd, size_t n) {
  std::string all;
  char buf[4096];
  off_t at = 0;
  for (ssize_t got; (got = pread(fd, buf, sizeof buf, at)) > 0; at += got) all.append(buf, got);
  std::vector<std::string> lines;
  std::istringstream in(all);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.find("not intended to be run as root") == std::string::npos)
      lines.push_back(line);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += lines[i];
  }
  return out;
}

// Runs `pulseaudio -D --exit-idle-time=-1` and waits until it has daemonized (its parent
// process exits once the daemon is up, or failed) or `deadline`.
Status spawn_daemon(const std::string& program, Clock::time_point deadline) {
  Fd log(memfd_create("pulseaudio-output", MFD_CLOEXEC));
  if (log.get() < 0)
    return make_error(Exit::internal, fmt::format("memfd_create: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, log.get(), 2);
  std::string a0 = "pulseaudio", a1 = "-D", a2 = "--exit-idle-time=-1";
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return make_error(Exit::unavailable,
                      fmt::format("cannot run {}: {}", program, std::strerror(rc)));
  int wstatus = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR)
      return make_error(Exit::internal, fmt::format("waitpid: {}", std::strerror(errno)));
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      return make_error(
          Exit::unavailable,
          fmt::format("pulseaudio -D did not finish starting in time: {}", tail_of(log.get(), 3)),
          "run 'pulseaudio -D --exit-idle-time=-1 -v' to see why");
    }
    std::this_thread::sleep_for(20ms);
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return ok_status();
  const std::string said = tail_of(log.get(), 3);
  return make_error(
      Exit::unavailable,
      fmt::format("pulseaudio did not start ({}){}",
                  WIFEXITED(wstatus) ? fmt::format("exit status {}", WEXITSTATUS(wstatus))
                                     : fmt::format("signal {}", WTERMSIG(wstatus)),
                  said.empty() ? "" : ": " + said),
      "run 'pulseaudio -D --exit-idle-time=-1 -v' to see why");
}

}  // namespace

bool socket_answers(const std::string& path) {
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

Result<Reached> connect_or_start(std::chrono::milliseconds timeout) {
  auto first = Context::connect(Clock::now() + 2s);
  if (first) return Reached{std::move(*first), false};
  const std::string program = find_on_path("pulseaudio");
  if (program.empty())
    return make_error(Exit::unavailable, "no PulseAudio server and pulseaudio is not installed",
                      "apt-get install pulseaudio (or start PipeWire with pipewire-pulse)");
  const auto deadline = Clock::now() + timeout;
  if (auto st = spawn_daemon(program, deadline); !st) return st.error();
  Error last = first.error();
  while (Clock::now() < deadline) {
    auto c = Context::connect(std::min(deadline, Clock::now() + 1s));
    if (c) return Reached{std::move(*c), true};
    last = c.error();
    std::this_thread::sleep_for(100ms);
  }
  // The daemon listens in its runtime directory ($XDG_RUNTIME_DIR/pulse/native, else
  // /tmp/pulse-*); a PULSE_SERVER that names another place never reaches it.
  const char* named = std::getenv("PULSE_SERVER");
  return make_error(
      Exit::unavailable,
      fmt::format("PulseAudio was started but does not answer after {} s ({})",
                  std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), last.message),
      named && *named
          ? fmt::format("PULSE_SERVER={} may not be where the new server listens (its runtime "
                        "directory: $XDG_RUNTIME_DIR/pulse/native); 'pulseaudio --check' says "
                        "whether it runs",
                        named)
          : std::string("'pulseaudio --check' says whether it runs; "
                        "'pulseaudio -D --exit-idle-time=-1 -v' why not"));
}

}  // namespace sc::audio::pulse
