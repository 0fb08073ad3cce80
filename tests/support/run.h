// Runs the built soundcheck binary the way a user's shell would, capturing both streams.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sc::test {

struct RunResult {
  int status = -1;  // exit status, or 128+signal when killed
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `program` with `args`. The environment is the test's own, with XDG_CONFIG_HOME
// pointed at an empty directory (so a developer's config never changes a result), then
// `env` applied on top (an empty value removes the variable). No stdin.
RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {});

// run() on the soundcheck binary under test.
RunResult soundcheck(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});

// A fresh empty directory under the test temp dir, removed at process exit.
std::string temp_dir();

// The source tree (for man pages and completions).
std::string source_dir();

}  // namespace sc::test
