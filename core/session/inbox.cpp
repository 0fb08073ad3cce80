#include "core/session/inbox.h"

#include <utility>

namespace sc::session {

void Inbox::push(Notification n) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(n));
  }
  cv_.notify_one();
  // Called under waker_mu_, not from a copy: once set_waker(nullptr) returns, the waker's
  // owner may be gone (the recorder pops the notification and ends before this line runs).
  std::lock_guard lock(waker_mu_);
  if (waker_) waker_();
}

std::optional<Notification> Inbox::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  // A zero timeout is a look: wait_for would still make a system call (futex) to time out.
  if (timeout <= std::chrono::milliseconds::zero()
          ? queue_.empty()
          : !cv_.wait_for(lock, timeout, [this] { return !queue_.empty(); }))
    return std::nullopt;
  Notification n = std::move(queue_.front());
  queue_.pop_front();
  return n;
}

void Inbox::set_waker(std::function<void()> waker) {
  std::lock_guard lock(waker_mu_);
  waker_ = std::move(waker);
}

}  // namespace sc::session
