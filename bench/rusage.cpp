// bench/rusage: runs a command and writes what it cost, to the microsecond, for bench/run cpu.
//
//   rusage OUT [-i SECONDS] -- COMMAND [ARG...]
//
// Runs COMMAND (stdin, stdout and stderr inherited), sends it SIGINT after SECONDS of wall time
// when -i is given (how parecord is stopped), waits for it, and writes one line to OUT:
//
//   USER_S SYS_S MAXRSS_KB WALL_S
//
// from wait4(2): the command's own user and system CPU seconds (and those of the children it
// waited for), its peak RSS and the wall time. Exits with the command's exit status, or 128 + the
// signal that ended it; 127 when it cannot be started, 70 on a usage or system error.
//
// Written by hand because nothing installed measures this finely without measuring itself too:
// bash's `time` and GNU time print milliseconds and hundredths of a second (a 20 s recording costs
// about 10 ms, so that rounding alone was up to 10% of a run), and `timeout` adds a process whose
// cost had to be estimated and subtracted. One file, no dependencies: bench/run compiles it.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int usage(const char* why) {
  std::fprintf(stderr, "rusage: %s\nusage: rusage OUT [-i SECONDS] -- COMMAND [ARG...]\n", why);
  return 70;
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; }

timespec to_timespec(double s) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(s);
  t.tv_nsec = static_cast<long>((s - static_cast<double>(t.tv_sec)) * 1e9);
  return t;
}

double now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage("too few arguments");
  const std::string out = argv[1];
  double interrupt_after = -1;
  int i = 2;
  if (std::strcmp(argv[i], "-i") == 0) {
    if (i + 1 >= argc) return usage("-i needs SECONDS");
    char* end = nullptr;
    interrupt_after = std::strtod(argv[i + 1], &end);
    if (end == argv[i + 1] || *end != '\0' || !(interrupt_after > 0) ||
        !std::isfinite(interrupt_after))
      return usage("-i SECONDS must be a positive number");
    i += 2;
  }
  if (i >= argc || std::strcmp(argv[i], "--") != 0 || i + 1 >= argc)
    return usage("expected -- COMMAND");
  char** command = argv + i + 1;

  // SIGCHLD blocked before the fork, so that its arrival can be waited for with a timeout.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, nullptr) != 0) return usage(std::strerror(errno));

  const double start = now();
  const pid_t pid = fork();
  if (pid < 0) return usage(std::strerror(errno));
  if (pid == 0) {
    sigprocmask(SIG_UNBLOCK, &chld, nullptr);
    execvp(command[0], command);
    std::fprintf(stderr, "rusage: cannot run %s: %s\n", command[0], std::strerror(errno));
    _exit(127);
  }

  // Waits out what is left of SECONDS (again after a timeout or an interruption), unless it
  // ends on its own first.
  while (interrupt_after > 0) {
    const double remaining = interrupt_after - (now() - start);
    if (remaining <= 0) {
      kill(pid, SIGINT);
      break;
    }
    const timespec left = to_timespec(remaining);
    if (sigtimedwait(&chld, nullptr, &left) == SIGCHLD) break;
    if (errno != EAGAIN && errno != EINTR) return usage(std::strerror(errno));
  }

  int status = 0;
  rusage ru{};
  pid_t got = 0;
  do {
    got = wait4(pid, &status, 0, &ru);
  } while (got < 0 && errno == EINTR);
  if (got != pid) return usage(std::strerror(errno));
  const double wall = now() - start;

  FILE* f = std::fopen(out.c_str(), "w");
  if (!f) return usage(("cannot write " + out + ": " + std::strerror(errno)).c_str());
  std::fprintf(f, "%.6f %.6f %ld %.3f\n", seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss,
               wall);
  if (std::fclose(f) != 0) return usage(("cannot write " + out).c_str());

  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 70;
}
