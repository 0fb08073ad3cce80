// Waiting for something another thread or process changes, with a deadline, instead of a
// sleep long enough for the slowest machine.
#pragma once

#include <chrono>
#include <thread>

namespace sc::test {

// Calls `done` every 10 ms until it returns true (true) or `timeout` has passed (false).
template <typename Done>
bool eventually(std::chrono::milliseconds timeout, Done done) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace sc::test
