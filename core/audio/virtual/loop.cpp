#include "core/audio/virtual/loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <thread>

namespace sc::audio {
namespace {

// How long a thread that waits for its partner sleeps between looks.
constexpr std::chrono::microseconds kPoll{100};

}  // namespace

uint64_t loop_delay_frames(Duration latency, unsigned rate) {
  const int64_t ns = std::max<int64_t>(latency.count(), 0);
  const auto q = static_cast<uint64_t>(ns / 1'000'000'000);
  const auto r = static_cast<uint64_t>(ns % 1'000'000'000);
  return q * rate + (r * rate + 500'000'000) / 1'000'000'000;
}

LoopLine::LoopLine(unsigned played_channels, uint64_t delay_frames, size_t capacity_frames)
    : channels_(played_channels),
      delay_(delay_frames),
      capacity_(std::bit_ceil(capacity_frames)),
      mask_(capacity_ - 1),
      ring_(std::make_unique<float[]>(capacity_ * played_channels)) {}

void LoopLine::reset() {
  written_.store(0);
  read_from_.store(0);
  writer_active_.store(true);
  reader_active_.store(true);
}

bool LoopLine::wait_for_room(uint64_t end, const std::atomic<bool>& stop) const {
  for (;;) {
    if (!reader_active_.load(std::memory_order_acquire)) return true;
    if (end <= read_from_.load(std::memory_order_acquire) + capacity_) return true;
    if (stop.load(std::memory_order_relaxed)) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

void LoopLine::write(uint64_t pos, const float* data, size_t frames) {
  size_t done = 0;
  while (done < frames) {
    const size_t slot = (pos + done) & mask_;
    const size_t n = std::min(frames - done, capacity_ - slot);
    float* dst = ring_.get() + slot * channels_;
    if (data)
      std::copy_n(data + done * channels_, n * channels_, dst);
    else
      std::fill_n(dst, n * channels_, 0.0f);
    done += n;
  }
  written_.store(pos + frames, std::memory_order_release);
}

void LoopLine::writer_done() { writer_active_.store(false, std::memory_order_release); }

void LoopLine::set_read_from(uint64_t g) {
  read_from_.store(g > delay_ ? g - delay_ : 0, std::memory_order_release);
}

bool LoopLine::wait_for_written(uint64_t g_end, const std::atomic<bool>& stop) const {
  const uint64_t need = g_end > delay_ ? g_end - delay_ : 0;
  for (;;) {
    if (written_.load(std::memory_order_acquire) >= need) return true;
    if (!writer_active_.load(std::memory_order_acquire)) return true;
    if (stop.load(std::memory_order_relaxed)) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

void LoopLine::read(float* out, uint64_t g0, size_t frames, unsigned channels) const {
  // Every position below `written` is complete (release/acquire); wait_for_written made sure
  // the ones asked for are below it unless the writer stopped writing (then: silence).
  const uint64_t written = written_.load(std::memory_order_acquire);
  for (size_t j = 0; j < frames; ++j, out += channels) {
    const uint64_t g = g0 + j;
    if (g < delay_ || g - delay_ >= written) {
      std::fill_n(out, channels, 0.0f);
      continue;
    }
    const float* src = ring_.get() + ((g - delay_) & mask_) * channels_;
    for (unsigned c = 0; c < channels; ++c) out[c] = src[c < channels_ ? c : 0];
  }
}

void LoopLine::reader_done() { reader_active_.store(false, std::memory_order_release); }

std::string VirtualLoop::attach(Side side, unsigned rate, unsigned channels, unsigned buffer_frames,
                                bool* linked) {
  std::lock_guard lock(mutex_);
  const int other = 1 - side;
  *linked = false;
  if (attached_[side]) return "";  // a second stream of this side stands alone
  if (attached_[other]) {
    const char* them = other == capture ? "capture" : "playback";
    if (started_[other])
      return fmt::format(
          "cannot join a loop whose {} stream has started: open both streams "
          "before starting either",
          them);
    if (rate_[other] != rate)
      return fmt::format("cannot join a loop whose {} stream runs at {} Hz at {} Hz", them,
                         rate_[other], rate);
  }
  attached_[side] = true;
  started_[side] = false;
  stopped_[side] = false;
  rate_[side] = rate;
  channels_[side] = channels;
  buffer_[side] = buffer_frames;
  *linked = true;
  if (attached_[other]) {
    const uint64_t delay = loop_delay_frames(latency_, rate);
    const size_t room = 8 * (static_cast<size_t>(buffer_[0]) + buffer_[1]) + 4096;
    line_ = std::make_unique<LoopLine>(channels_[playback], delay, delay + room);
    pair_running_ = false;
  }
  return "";
}

void VirtualLoop::started(Side side) {
  {
    std::lock_guard lock(mutex_);
    started_[side] = true;
  }
  cv_.notify_all();
}

void VirtualLoop::stopped(Side side) {
  {
    std::lock_guard lock(mutex_);
    stopped_[side] = true;
  }
  cv_.notify_all();
}

bool VirtualLoop::gate_open(Side side) const {
  const int other = 1 - side;
  return pair_running_ || !attached_[other] || started_[other] || stopped_[other];
}

bool VirtualLoop::wait_at_gate(Side side, const std::atomic<bool>& stop,
                               std::chrono::steady_clock::time_point* wall, LoopLine** line) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stop.load() || gate_open(side); });
  const int other = 1 - side;
  const bool pair = pair_running_ || (attached_[other] && started_[other] && !stopped_[other]);
  if (pair && !pair_running_ && !stop.load()) {
    pair_running_ = true;
    wall_ = std::chrono::steady_clock::now();
    line_->reset();
  }
  if (stop.load()) {
    // Never ran: a partner that runs must not wait for this side.
    if (pair_running_) {
      if (side == capture)
        line_->reader_done();
      else
        line_->writer_done();
    }
    return false;
  }
  if (pair) {
    *wall = wall_;
    *line = line_.get();
  } else {
    *wall = std::chrono::steady_clock::now();
    *line = nullptr;
  }
  return true;
}

void VirtualLoop::detach(Side side) {
  {
    std::lock_guard lock(mutex_);
    attached_[side] = false;
    started_[side] = false;
    stopped_[side] = false;
    if (!attached_[0] && !attached_[1]) {
      pair_running_ = false;
      line_.reset();
    }
  }
  cv_.notify_all();
}

}  // namespace sc::audio
