// The bridge between a device's real-time callback and the thread that writes the file
// (DESIGN.md "Data flow"): a lock-free single-producer single-consumer queue of chunks. Each
// chunk is a descriptor (frames with their clock time and channel count, or a device event)
// plus its samples, so events stay in order with the frames around them.
//
// Written by hand because it must be wait-free for the producer and carry events in-band;
// no Debian-packaged library offers that shape (boost::lockfree::spsc_queue carries one type).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/audio/device.h"

namespace sc::audio {

class CaptureRing final : public CaptureSink {
 public:
  // Room for `sample_capacity` floats (rounded up to a power of two) and `chunk_capacity`
  // descriptors. Allocates here, never afterwards; the memory is not touched before it is
  // used, so a ring sized for the worst case costs a short recording nothing (the kernel maps
  // pages on first touch).
  CaptureRing(size_t sample_capacity, size_t chunk_capacity);

  // --- producer side (CaptureSink). on_frames/on_event: real-time safe (no allocation, no
  // locks, no system calls). A chunk that does not fit is dropped whole and counted.
  void on_frames(const float* data, size_t frames, Duration at) noexcept override;
  void on_event(const DeviceEvent& event) noexcept override;
  // For producers that may block (the virtual device at speed=max): wakes the consumer when
  // there is work, then waits until `frames` fit or close() was called.
  bool wait_for_space(size_t frames) noexcept override;

  // The channel count of the frames that follow; set before start and on format changes by
  // the producer side (the device tells the sink through format_changed/reconnected events,
  // which update it too).
  void set_channels(unsigned channels) noexcept { channels_.store(channels); }

  // --- consumer side (one thread).
  struct Chunk {
    bool is_event = false;
    DeviceEvent event;  // when is_event
    size_t frames = 0;  // when !is_event
    unsigned channels = 0;
    Duration at{0};
  };
  // Takes the next chunk; its samples (frames * channels floats) are appended to `samples`
  // (cleared first). False when empty.
  bool pop(Chunk& chunk, std::vector<float>& samples);
  // True when no chunk is waiting. Consumer side.
  bool empty() const {
    return chunk_tail_.load(std::memory_order_relaxed) ==
           chunk_head_.load(std::memory_order_acquire);
  }
  // Waits until a chunk is available, close() or wake() is called, or `timeout` passes.
  void wait_for_data(std::chrono::milliseconds timeout);
  // Ends the consumer's current (or next) wait_for_data early: something other than the
  // device has work for it (a session notification). Any thread but a real-time one.
  void wake();
  // Makes wait_for_space return false from now on, and wakes every waiter.
  void close();

  // Frames dropped because the ring was full, and how many chunks that was. Any thread.
  uint64_t lost_frames() const { return lost_frames_.load(std::memory_order_relaxed); }
  uint64_t overflows() const { return overflows_.load(std::memory_order_relaxed); }

 private:
  struct Descriptor {
    Chunk chunk;
    size_t sample_offset;  // monotonic index of its first sample
  };
  bool push(const Chunk& chunk, const float* data, size_t samples) noexcept;
  size_t used_samples() const;

  struct FreeRaw {  // for storage from ::operator new
    void operator()(void* p) const { ::operator delete(p); }
  };
  size_t sample_capacity_;
  std::unique_ptr<float[]> samples_;
  size_t sample_mask_;
  size_t chunk_capacity_;
  // Room for chunk_capacity_ descriptors, not constructed: push() constructs each whole
  // before pop() reads it (they are trivially copyable and destructible).
  std::unique_ptr<Descriptor, FreeRaw> chunks_;
  size_t chunk_mask_;
  // Monotonic indices; producer owns the heads, consumer the tails.
  alignas(64) std::atomic<size_t> sample_head_{0};
  alignas(64) std::atomic<size_t> chunk_head_{0};
  alignas(64) std::atomic<size_t> sample_tail_{0};
  alignas(64) std::atomic<size_t> chunk_tail_{0};
  std::atomic<unsigned> channels_{0};
  std::atomic<uint64_t> lost_frames_{0};
  std::atomic<uint64_t> overflows_{0};

  // Only for waiting producers/consumers that are allowed to block.
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> closed_{false};
  bool woken_ = false;  // under mu_
  std::atomic<bool> consumer_waiting_{false};
  std::atomic<bool> producer_waiting_{false};
};

}  // namespace sc::audio
