#include "core/play/play_ring.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <ctime>

namespace sc::play {

PlayRing::PlayRing(size_t frames, unsigned channels, unsigned rate)
    : channels_(std::max(channels, 1u)),
      capacity_(std::bit_ceil(std::max<size_t>(frames, 64))),
      mask_(capacity_ - 1),
      data_(capacity_ * channels_),
      glide_(1.0f / std::max(1.0f, 0.005f * static_cast<float>(rate))) {}

size_t PlayRing::available() const {
  return static_cast<size_t>(write_.load(std::memory_order_acquire) -
                             read_.load(std::memory_order_acquire));
}

size_t PlayRing::space() const { return capacity_ - available(); }

size_t PlayRing::push(const float* data, size_t frames) {
  const uint64_t w = write_.load(std::memory_order_relaxed);
  const size_t n = std::min(frames, space());
  // Two copies at most: up to the end of the buffer, then from its start.
  const size_t at = static_cast<size_t>(w & mask_);
  const size_t first = std::min(n, capacity_ - at);
  std::memcpy(&data_[at * channels_], data, first * channels_ * sizeof(float));
  std::memcpy(data_.data(), data + first * channels_, (n - first) * channels_ * sizeof(float));
  write_.store(w + n, std::memory_order_release);
  if (n) {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }
  return n;
}

void PlayRing::finish() {
  finished_.store(true, std::memory_order_release);
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

void PlayRing::close() {
  closed_.store(true, std::memory_order_release);
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

size_t PlayRing::on_need(float* out, size_t frames, Duration) noexcept {
  const uint64_t r = read_.load(std::memory_order_relaxed);
  const size_t n = std::min(frames, available());
  const size_t at = static_cast<size_t>(r & mask_);
  const size_t first = std::min(n, capacity_ - at);
  std::memcpy(out, &data_[at * channels_], first * channels_ * sizeof(float));
  std::memcpy(out + first * channels_, data_.data(), (n - first) * channels_ * sizeof(float));
  read_.store(r + n, std::memory_order_release);

  // The gain: glides to the target over 5 ms, so that a duck does not click; samples a
  // gain above 1 pushes past full scale are clipped.
  const float target = target_gain_.load(std::memory_order_relaxed);
  if (gain_ < 0) gain_ = target;
  if (gain_ == 1.0f && target == 1.0f) return n;
  for (size_t f = 0; f < n; ++f) {
    if (gain_ != target) {
      const float step = glide_ * std::max(std::abs(target - gain_), 0.05f);
      gain_ = gain_ < target ? std::min(target, gain_ + step) : std::max(target, gain_ - step);
    }
    float* frame = out + f * channels_;
    for (unsigned c = 0; c < channels_; ++c) frame[c] = std::clamp(frame[c] * gain_, -1.0f, 1.0f);
  }
  return n;
}

void PlayRing::on_event(const audio::DeviceEvent& event) noexcept {
  using K = audio::DeviceEvent::Kind;
  switch (event.kind) {
    case K::xrun:
      underruns_.fetch_add(1, std::memory_order_relaxed);
      break;
    case K::cork_requested:
      cork_requested_.store(true, std::memory_order_release);
      break;
    case K::uncork_requested:
      cork_requested_.store(false, std::memory_order_release);
      break;
    case K::disconnected:
      disconnected_.store(true, std::memory_order_release);
      break;
    case K::reconnected:
      disconnected_.store(false, std::memory_order_release);
      break;
    case K::ended:
      server_lost_.store(event.server_lost, std::memory_order_release);
      ended_.store(true, std::memory_order_release);
      break;
    case K::format_changed:
      break;
  }
}

bool PlayRing::end() const noexcept {
  return finished_.load(std::memory_order_acquire) && available() == 0;
}

PlayRing::Semaphore::Semaphore() { sem_init(&sem_, 0, 0); }  // cannot fail for 0 in-process
PlayRing::Semaphore::~Semaphore() { sem_destroy(&sem_); }
void PlayRing::Semaphore::post() noexcept { sem_post(&sem_); }
bool PlayRing::Semaphore::wait_until(const timespec& deadline) noexcept {
  return sem_clockwait(&sem_, CLOCK_MONOTONIC, &deadline) == 0;  // else ETIMEDOUT or EINTR
}
void PlayRing::Semaphore::drain() noexcept {
  while (sem_trywait(&sem_) == 0) {
  }
}

void PlayRing::wait_for_space(size_t frames, std::chrono::milliseconds timeout) {
  if (space() < frames) {
    timespec deadline{};
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const auto ns = deadline.tv_nsec + std::chrono::nanoseconds(timeout).count();
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    producer_.wait_until(deadline);
  }
  producer_.drain();  // the wakes this wait answered
}

void PlayRing::wake() { producer_.post(); }

bool PlayRing::wait_for_data(size_t frames) noexcept {
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_.load(std::memory_order_acquire)) return false;
    if (available() >= frames || finished_.load(std::memory_order_acquire)) return true;
    // This consumer may block, so it may also wake the producer to fill the ring.
    producer_.post();
    // The producer notifies on every push; the timeout only guards a missed wake-up.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

}  // namespace sc::play
