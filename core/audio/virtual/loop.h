// signal=loop on the virtual device (virtual/stream.h "Loop"): what a playback stream plays is
// captured by a capture stream of the same VirtualDevice object, `latency` later, frame for
// frame.
//
// Design: each stream keeps its own producer thread and its own pace; between them is a
// lock-free single-producer single-consumer delay line (LoopLine) indexed by device position:
// frames since the pair started, at the one rate both run at. The playback thread writes every
// position in order (what it took from its source, or silence: paused, underrun, ended); the
// capture thread reads position g - D for its frame at position g, D = round(latency * rate).
// The reader never reads a position before the writer has published it: it waits for the
// writer (which, in real time, is a whole period ahead anyway), and the writer never
// overwrites a position the reader may still read: it waits for the reader. So the result does
// not depend on how the two threads are scheduled. A side that is not running does not hold
// the other up: positions the writer never wrote read as silence, and with no reader the
// writer writes freely.
//
// The pair (VirtualLoop) starts together: a linked stream's thread waits at a gate until its
// partner has started too, then both take the same wall-clock start, so device position 0 is
// the first frame of each. This is what makes captured frame k == played position k - D.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/duration.h"

namespace sc::audio {

// The largest loop latency a pair accepts (the delay line holds it in memory).
inline constexpr std::chrono::seconds kMaxLoopLatency{10};

// D: round(latency * rate) frames, halves up (7.3 ms at 48 kHz is 350.4 frames: 350).
uint64_t loop_delay_frames(Duration latency, unsigned rate);

// The delay line of one pair. Positions are uint64 device positions; the ring holds
// `capacity` frames of the playback's channel count. One writer thread, one reader thread;
// neither allocates, locks or makes system calls, except the short sleeps of the waits
// (pacing: a thread waiting for its partner).
class LoopLine {
 public:
  // Allocates the ring: a power of two >= capacity_frames frames.
  LoopLine(unsigned played_channels, uint64_t delay_frames, size_t capacity_frames);

  uint64_t delay() const { return delay_; }

  // Before the pair starts (under VirtualLoop's mutex): both sides active, nothing written.
  void reset();

  // --- Writer (the playback thread).
  // Waits until positions below `end` may be written (the reader no longer needs what they
  // overwrite, or it is not running). False when `stop` turned true.
  bool wait_for_room(uint64_t end, const std::atomic<bool>& stop) const;
  // Writes frames [pos, pos + frames) and publishes them; `data` holds frames * channels
  // floats, or is null for silence. Positions come in order without gaps.
  void write(uint64_t pos, const float* data, size_t frames);
  // No more writes: the reader reads silence past what was written. Idempotent.
  void writer_done();

  // --- Reader (the capture thread).
  // The reader will not read below position g - D from now on (g: the device position of its
  // next frame). Publish before waiting, so that a writer waiting for room can go on.
  void set_read_from(uint64_t g);
  // Waits until frames up to (not including) device position g_end can be read: the writer
  // has written position g_end - D - 1, or stopped writing. False when `stop` turned true.
  bool wait_for_written(uint64_t g_end, const std::atomic<bool>& stop) const;
  // The captured frames of device positions [g0, g0 + frames): played position g - D (silence
  // below 0 or past the end of what was written), `channels` samples per frame: captured
  // channel c is played channel c, channel 0 beyond the played ones.
  void read(float* out, uint64_t g0, size_t frames, unsigned channels) const;
  // No more reads: the writer stops waiting for room. Idempotent.
  void reader_done();
  // Whether a reader may still read (the writer's business: silence for nobody can wait).
  bool reader_active() const { return reader_active_.load(std::memory_order_acquire); }

 private:
  const unsigned channels_;
  const uint64_t delay_;
  size_t capacity_;  // frames, a power of two
  size_t mask_;
  std::unique_ptr<float[]> ring_;
  alignas(64) std::atomic<uint64_t> written_{0};  // positions below it are written
  alignas(64) std::atomic<uint64_t> read_from_{0};
  std::atomic<bool> writer_active_{false};
  std::atomic<bool> reader_active_{false};
};

// The pairing of one VirtualDevice's capture and playback streams (created by the device for
// signal=loop, shared with the streams it opens). Every member but the LoopLine is for
// open/start/stop/destroy and takes a mutex: never from a producer thread's loop.
class VirtualLoop {
 public:
  enum Side { capture = 0, playback = 1 };

  explicit VirtualLoop(Duration latency) : latency_(latency) {}

  // At open: registers a stream of `side`. Returns the cause of a refusal ("" when it is
  // accepted): the other side already started (a pair must be opened before either starts),
  // or runs at another rate. `*linked` is false when this side is taken already: the new
  // stream then stands alone (silence captured; what is played goes nowhere).
  std::string attach(Side side, unsigned rate, unsigned channels, unsigned buffer_frames,
                     bool* linked);
  // The stream's start(): marks it started; wakes a partner waiting at the gate.
  void started(Side side);
  // In the stream's thread, before its loop: waits until the partner has started (or is not
  // there, or went away), or `stop` turns true (then returns false). `*wall` is the pair's
  // wall-clock start, `*line` the delay line (null when this side runs alone).
  bool wait_at_gate(Side side, const std::atomic<bool>& stop,
                    std::chrono::steady_clock::time_point* wall, LoopLine** line);
  // The stream's stop(): its thread, if it waits at the gate, returns false; a partner still
  // waiting there no longer waits for this side.
  void stopped(Side side);
  // The stream's destructor, after its thread is joined.
  void detach(Side side);

 private:
  bool gate_open(Side side) const;

  const Duration latency_;
  std::mutex mutex_;
  std::condition_variable cv_;
  // Under mutex_.
  std::array<bool, 2> attached_{};
  std::array<bool, 2> started_{};
  std::array<bool, 2> stopped_{};
  std::array<unsigned, 2> rate_{};
  std::array<unsigned, 2> channels_{};
  std::array<unsigned, 2> buffer_{};
  bool pair_running_ = false;  // both started together; line_ is in use
  std::chrono::steady_clock::time_point wall_{};
  std::unique_ptr<LoopLine> line_;
};

}  // namespace sc::audio
