#include "core/audio/capture_ring.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace sc::audio {

static_assert(std::is_trivially_copyable_v<CaptureRing::Chunk>);

CaptureRing::CaptureRing(size_t sample_capacity, size_t chunk_capacity)
    : sample_capacity_(std::bit_ceil(std::max<size_t>(sample_capacity, 1024))),
      samples_(std::make_unique_for_overwrite<float[]>(sample_capacity_)),
      sample_mask_(sample_capacity_ - 1),
      chunk_capacity_(std::bit_ceil(std::max<size_t>(chunk_capacity, 16))),
      chunks_(static_cast<Descriptor*>(::operator new(chunk_capacity_ * sizeof(Descriptor)))),
      chunk_mask_(chunk_capacity_ - 1) {
  static_assert(std::is_trivially_destructible_v<Descriptor>);  // never destroyed one by one
}

size_t CaptureRing::used_samples() const {
  return sample_head_.load(std::memory_order_acquire) -
         sample_tail_.load(std::memory_order_acquire);
}

bool CaptureRing::push(const Chunk& chunk, const float* data, size_t count) noexcept {
  const size_t sh = sample_head_.load(std::memory_order_relaxed);
  const size_t ch = chunk_head_.load(std::memory_order_relaxed);
  const size_t st = sample_tail_.load(std::memory_order_acquire);
  if (count > sample_capacity_ - (sh - st) ||
      ch - chunk_tail_.load(std::memory_order_acquire) >= chunk_capacity_) {
    return false;
  }
  if (count > 0 && data != nullptr) {  // events come with no samples (and no data)
    const size_t start = sh & sample_mask_;
    const size_t first = std::min(count, sample_capacity_ - start);
    std::memcpy(&samples_.get()[start], data, first * sizeof(float));
    if (first < count)
      std::memcpy(&samples_.get()[0], data + first, (count - first) * sizeof(float));
  }
  // Storage made by operator new: constructing the descriptor starts its lifetime.
  std::construct_at(chunks_.get() + (ch & chunk_mask_), Descriptor{chunk, sh});
  sample_head_.store(sh + count, std::memory_order_release);
  chunk_head_.store(ch + 1, std::memory_order_release);
  return true;
}

void CaptureRing::on_frames(const float* data, size_t frames, Duration at) noexcept {
  Chunk c;
  c.frames = frames;
  c.channels = channels_.load(std::memory_order_relaxed);
  c.at = at;
  if (!push(c, data, frames * c.channels)) {
    lost_frames_.fetch_add(frames, std::memory_order_relaxed);
    overflows_.fetch_add(1, std::memory_order_relaxed);
  }
}

void CaptureRing::on_event(const DeviceEvent& event) noexcept {
  if (event.kind == DeviceEvent::Kind::format_changed ||
      event.kind == DeviceEvent::Kind::reconnected) {
    if (event.channels > 0) channels_.store(event.channels, std::memory_order_relaxed);
  }
  Chunk c;
  c.is_event = true;
  c.event = event;
  c.at = event.at;
  // An event that does not fit is lost with its information; count it as an overflow.
  if (!push(c, nullptr, 0)) overflows_.fetch_add(1, std::memory_order_relaxed);
}

bool CaptureRing::wait_for_space(size_t frames) noexcept {
  const size_t need = frames * std::max(1u, channels_.load(std::memory_order_relaxed));
  // Wake a sleeping consumer once a quarter of the ring is filled, so it works in batches.
  if (consumer_waiting_.load() && used_samples() >= sample_capacity_ / 4) {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  auto fits = [&] {
    return closed_.load() || (sample_capacity_ - used_samples() >= need &&
                              chunk_head_.load() - chunk_tail_.load() + 2 < chunk_capacity_);
  };
  if (!fits()) {
    std::unique_lock<std::mutex> lock(mu_);
    producer_waiting_.store(true);
    cv_.notify_all();  // the consumer has work: the ring is full
    cv_.wait(lock, fits);
    producer_waiting_.store(false);
  }
  return !closed_.load();
}

bool CaptureRing::pop(Chunk& chunk, std::vector<float>& out) {
  const size_t ct = chunk_tail_.load(std::memory_order_relaxed);
  if (ct == chunk_head_.load(std::memory_order_acquire)) return false;
  const Descriptor& d = chunks_.get()[ct & chunk_mask_];
  chunk = d.chunk;
  const size_t count = chunk.is_event ? 0 : chunk.frames * chunk.channels;
  out.resize(count);
  if (count > 0) {
    const size_t start = d.sample_offset & sample_mask_;
    const size_t first = std::min(count, sample_capacity_ - start);
    std::memcpy(out.data(), &samples_.get()[start], first * sizeof(float));
    if (first < count)
      std::memcpy(out.data() + first, &samples_.get()[0], (count - first) * sizeof(float));
  }
  sample_tail_.store(d.sample_offset + count, std::memory_order_release);
  chunk_tail_.store(ct + 1, std::memory_order_release);
  // A blocked producer waits for half the ring to be free before it is woken.
  if (producer_waiting_.load() && sample_capacity_ - used_samples() >= sample_capacity_ / 2) {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  return true;
}

void CaptureRing::wait_for_data(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  consumer_waiting_.store(true);
  cv_.wait_for(lock, timeout, [&] {
    return woken_ || closed_.load() || chunk_tail_.load() != chunk_head_.load() ||
           producer_waiting_.load();
  });
  woken_ = false;
  consumer_waiting_.store(false);
}

void CaptureRing::wake() {
  std::lock_guard<std::mutex> lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void CaptureRing::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_.store(true);
  cv_.notify_all();
}

}  // namespace sc::audio
