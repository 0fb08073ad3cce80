// A queue of notifications between the thread that hears them (a Participant's listener,
// libpulse's loop for the server's calls) and the thread that acts on them (the recorder's).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "core/session/notification.h"

namespace sc::session {

class Inbox {
 public:
  // Any thread (not a real-time one: it locks). Calls the waker after queueing.
  void push(Notification n);
  // The next notification, if any; waits up to `timeout` for one.
  std::optional<Notification> pop(std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  // Called after every push (the recorder wakes its ring wait with it), on the pushing
  // thread. When set_waker returns, no call of the previous waker is running or will run, so
  // its owner may go (it must not push or set_waker from inside the waker).
  void set_waker(std::function<void()> waker);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Notification> queue_;
  std::mutex waker_mu_;  // held while the waker runs, and to change it
  std::function<void()> waker_;
};

}  // namespace sc::session
