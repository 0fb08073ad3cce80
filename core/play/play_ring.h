// The bridge between the player's thread, which decodes, and a device's playback callback
// (DESIGN.md "Data flow", play): a lock-free single-producer single-consumer ring of
// interleaved float frames that is the stream's PlaybackSource. The output gain (--volume, and
// rule 4's duck) is applied here, on the device's side, so that a duck is heard at once rather
// than after what the ring holds.
//
// It also keeps what the device said (underruns, cork requests, the device's end) in atomics
// for the player's thread to read: on_event runs on a real-time thread and may not queue.
//
// Written by hand for the same reason as CaptureRing: wait-free for the consumer, and no
// Debian-packaged library offers it (boost::lockfree::spsc_queue has no bulk peek for frames).
#pragma once

#include <semaphore.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "core/audio/device.h"

namespace sc::play {

class PlayRing final : public audio::PlaybackSource {
 public:
  // Room for `frames` frames of `channels` samples (rounded up to a power of two); allocates
  // here, never afterwards. `rate` sets how fast the gain glides (5 ms).
  PlayRing(size_t frames, unsigned channels, unsigned rate);

  // --- the player's thread (one producer).
  size_t space() const;  // frames that fit now
  // Copies up to `frames` frames in; returns how many fit.
  size_t push(const float* data, size_t frames);
  // No frames follow: end() turns true once the ring is empty.
  void finish();
  // The gain the output moves to, as a factor (1 = as decoded). Any thread.
  void set_gain(float gain) { target_gain_.store(gain, std::memory_order_relaxed); }
  // Makes wait_for_data return false from now on (the player is stopping).
  void close();
  // The producer's wait: until `frames` fit, wake() is called, a consumer that may block
  // (wait_for_data) wants frames, a signal handler runs on this thread, or `timeout` passes.
  // A real-time consumer never wakes it (it may not make a system call): the timeout paces
  // the producer then. A wake() before the wait ends it at once.
  void wait_for_space(size_t frames, std::chrono::milliseconds timeout);
  // Ends a wait_for_space now (a notification came). Any thread but a real-time one, and
  // async-signal-safe (sem_post).
  void wake();

  // --- the device's thread (PlaybackSource): on_need and on_event are real-time safe.
  size_t on_need(float* out, size_t frames, Duration at) noexcept override;
  void on_event(const audio::DeviceEvent& event) noexcept override;
  bool end() const noexcept override;
  bool wait_for_data(size_t frames) noexcept override;

  // --- what the device said, for the player's thread.
  uint64_t underruns() const { return underruns_.load(std::memory_order_relaxed); }
  // The server's latest cork request (module-role-cork): true after cork_requested until
  // uncork_requested.
  bool cork_requested() const { return cork_requested_.load(std::memory_order_acquire); }
  bool device_ended() const { return ended_.load(std::memory_order_acquire); }
  bool server_lost() const { return server_lost_.load(std::memory_order_acquire); }
  bool disconnected() const { return disconnected_.load(std::memory_order_acquire); }

 private:
  size_t available() const;  // frames ready for the consumer

  const unsigned channels_;
  const size_t capacity_;  // frames, a power of two
  const size_t mask_;
  std::vector<float> data_;
  std::atomic<uint64_t> write_{0};  // frames ever pushed
  std::atomic<uint64_t> read_{0};   // frames ever taken
  std::atomic<bool> finished_{false};
  std::atomic<bool> closed_{false};

  std::atomic<float> target_gain_{1.0f};
  float gain_ = -1;  // the consumer's current gain; < 0 until the first pull
  float glide_ = 0;  // per-frame step towards the target (1 / frames in 5 ms)

  std::atomic<uint64_t> underruns_{0};
  std::atomic<bool> cork_requested_{false};
  std::atomic<bool> ended_{false};
  std::atomic<bool> server_lost_{false};
  std::atomic<bool> disconnected_{false};

  // wait_for_data's wait (the virtual device at speed=max, not a real-time thread), which
  // push() notifies.
  std::mutex mu_;
  std::condition_variable cv_;
  // wait_for_space's, which wait_for_data and wake() post. A POSIX semaphore rather than a
  // condition variable: a signal handler interrupts sem_clockwait (EINTR; it is never
  // restarted), so SIGINT ends the player's long idle wait at once, which a condition
  // variable's wait would sleep through; and sem_post may be called from a handler.
  class Semaphore {
   public:
    Semaphore();
    ~Semaphore();
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;
    void post() noexcept;
    // Until a post, a signal or `deadline` (CLOCK_MONOTONIC); true for a post.
    bool wait_until(const timespec& deadline) noexcept;
    void drain() noexcept;  // takes the posts made before now

   private:
    sem_t sem_;
  };
  Semaphore producer_;
};

}  // namespace sc::play
