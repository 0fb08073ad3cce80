// Runs the built soundcheck binary the way a user's shell would, capturing both streams.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sc::test {

struct RunResult {
  int status = -1;  // exit status, or 128+signal when killed
  std::string out;  // stdout
  std::string err;  // stderr
};

// A started process whose output is being collected; wait() returns it.
class Process {
 public:
  Process(const std::string& program, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env = {});
  ~Process();  // kills and reaps a process not waited for
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the process to end; its whole stdout and stderr, lines read_line() returned
  // included.
  RunResult wait();

  enum class Stream { out, err };
  // The next line (without its newline) the process writes on `s`, waiting up to `timeout`
  // for it; nullopt when the stream ends or the time runs out first. Both streams are read
  // meanwhile, so a process that writes much on the other one is never blocked.
  std::optional<std::string> read_line(
      Stream s, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // Reads what is available on the open streams, waiting up to `timeout_ms` (-1: until
  // something comes or both end). False when both have ended.
  bool pump(int timeout_ms);

  int pid_ = -1;
  int fds_[2] = {-1, -1};  // stdout, stderr; -1 once ended
  std::string text_[2];    // everything read from each
  size_t line_pos_[2] = {0, 0};
  bool waited_ = false;
};

// A started soundcheck.
std::unique_ptr<Process> start_soundcheck(const std::vector<std::string>& args,
                                          const std::map<std::string, std::string>& env = {});

// Runs `program` with `args`. The environment is the test's own, with XDG_CONFIG_HOME
// pointed at an empty directory (so a developer's config never changes a result) and
// SOUNDCHECK_RUNTIME_DIR at a session registry of this test process's own (so tests running
// at the same time never interrupt each other's sessions), then
// `env` applied on top (an empty value removes the variable). No stdin.
RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {});

// run() on the soundcheck binary under test.
RunResult soundcheck(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});

// Waits (up to 4 s) until `soundcheck session list` in this test process's registry lists
// `n` sessions or more; a test failure when it never does.
void wait_for_sessions(size_t n);

// A fresh empty directory under the test temp dir, removed at process exit.
std::string temp_dir();

// The source tree (for man pages and completions).
std::string source_dir();

}  // namespace sc::test
