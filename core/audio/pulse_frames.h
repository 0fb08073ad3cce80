// How a PulseAudio stream's bytes reach its CaptureSink, shared by the stream over libpulse
// (pulse_device.cpp) and the one over the native protocol (pulse_native_stream.cpp): whole
// frames only, 16-bit frames as they are to a sink that takes them, float frames straight
// from the stream's memory when they are aligned, everything else widened or copied through a
// scratch buffer allocated once. A frame split between two blocks waits for its second part.
//
// Threads: deliver() on the thread that pumps the stream; frames() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/audio/device.h"

namespace sc::audio {

class PulseFrames {
 public:
  // At most this many floats go to the sink per call (a block is handed over in pieces, each
  // processed by the sink before the next: the buffers behind the sink stay small and warm in
  // the cache).
  static constexpr size_t kScratchFloats = 16 * 1024;

  explicit PulseFrames(CaptureSink& sink) : sink_(sink) {}

  // The stream's samples: 16-bit (`s16`) or float, native-endian, `channels` per frame
  // (1 to 32), at `rate` (for the stream clock handed to the sink with the frames).
  // Allocates the scratch buffer the first time.
  void configure(bool s16, unsigned channels, unsigned rate);
  // A start: asks the sink whether it takes 16-bit frames as they are, forgets a split frame
  // and counts from zero.
  void start() noexcept;

  // `bytes` bytes of samples as the server sent them.
  void deliver(const uint8_t* data, size_t bytes) noexcept;

  // The most frames one deliver() call hands a float sink in one piece.
  size_t float_budget() const noexcept { return kScratchFloats / channels_; }
  bool s16_to_sink() const noexcept { return s16_sink_; }
  size_t frame_bytes() const noexcept { return frame_bytes_; }
  // Frames delivered since start().
  uint64_t frames() const noexcept { return delivered_.load(std::memory_order_relaxed); }

 private:
  Duration clock() const noexcept { return frames_duration(frames(), rate_); }
  void to_float(const uint8_t* in, size_t samples, float* out) const noexcept;
  void count(size_t frames) noexcept { delivered_.fetch_add(frames, std::memory_order_relaxed); }

  CaptureSink& sink_;
  bool s16_ = false;
  bool s16_sink_ = false;
  unsigned channels_ = 1;
  unsigned rate_ = 0;
  size_t frame_bytes_ = 4;
  std::unique_ptr<float[]> scratch_;
  size_t carry_ = 0;  // bytes of a frame split between blocks, in carry_bytes_
  uint8_t carry_bytes_[32 * sizeof(float)] = {};
  std::atomic<uint64_t> delivered_{0};
};

}  // namespace sc::audio
