#include "tests/support/run.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sc::test {
namespace {

namespace fs = std::filesystem;

struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "soundcheck-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

TempRoot& root() {
  static TempRoot r;
  return r;
}

}  // namespace

void wait_for_sessions(size_t n) {
  for (int i = 0; i < 200; ++i) {
    auto j = nlohmann::json::parse(soundcheck({"--json", "session", "list"}).out, nullptr, false);
    if (!j.is_discarded() && j["sessions"].size() >= n) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "the registry never listed " << n << " sessions";
}

std::string temp_dir() {
  static int n = 0;
  fs::path p = root().path / ("d" + std::to_string(++n));
  fs::create_directories(p);
  return p.string();
}

std::string source_dir() { return SOUNDCHECK_SOURCE_DIR; }

Process::Process(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  static const std::string empty_config = temp_dir();
  vars["XDG_CONFIG_HOME"] = empty_config;
  // A session registry of this test process's own (created 0700 by the first participant),
  // so tests that run at the same time never interrupt each other.
  static const std::string registry = temp_dir() + "/registry";
  vars["SOUNDCHECK_RUNTIME_DIR"] = registry;
  for (const auto& [k, v] : env) {
    if (v.empty())
      vars.erase(k);
    else
      vars[k] = v;
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  fds_[0] = out_pipe[0];
  fds_[1] = err_pipe[0];
  if (rc != 0) {
    close(fds_[0]);
    close(fds_[1]);
    throw std::runtime_error("cannot run " + program + ": " + std::strerror(rc));
  }
  pid_ = pid;
}

Process::~Process() {
  if (!waited_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

void Process::signal(int sig) const { ::kill(pid_, sig); }

bool Process::pump(int timeout_ms) {
  pollfd fds[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
  if (fds_[0] < 0 && fds_[1] < 0) return false;
  int rc = poll(fds, 2, timeout_ms);
  if (rc < 0) return errno == EINTR;
  char buf[65536];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = read(fds[i].fd, buf, sizeof buf);
    if (n > 0) {
      text_[i].append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close(fds_[i]);
      fds_[i] = -1;
    }
  }
  return fds_[0] >= 0 || fds_[1] >= 0;
}

std::optional<std::string> Process::read_line(Stream s, std::chrono::milliseconds timeout) {
  const int i = s == Stream::out ? 0 : 1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto nl = text_[i].find('\n', line_pos_[i]);
    if (nl != std::string::npos) {
      std::string line = text_[i].substr(line_pos_[i], nl - line_pos_[i]);
      line_pos_[i] = nl + 1;
      return line;
    }
    if (fds_[i] < 0) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pump(static_cast<int>(left.count()));
  }
}

RunResult Process::wait() {
  RunResult result;
  if (waited_) return result;
  waited_ = true;
  while (pump(-1)) {
  }
  result.out = text_[0];
  result.err = text_[1];
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env) {
  return Process(program, args, env).wait();
}

std::unique_ptr<Process> start_soundcheck(const std::vector<std::string>& args,
                                          const std::map<std::string, std::string>& env) {
  return std::make_unique<Process>(SOUNDCHECK_BIN, args, env);
}

RunResult soundcheck(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env) {
  return run(SOUNDCHECK_BIN, args, env);
}

}  // namespace sc::test
