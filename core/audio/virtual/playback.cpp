#include "core/audio/virtual/playback.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/audio/virtual/loop.h"
#include "core/audio/virtual/signal.h"
#include "core/session/codes.h"

namespace sc::audio {
namespace {

using Clock = std::chrono::steady_clock;

class VirtualPlaybackStream final : public PlaybackStream {
 public:
  VirtualPlaybackStream(const VirtualSpec& spec, const VirtualPlaybackParams& params,
                        PlaybackSource& source, std::shared_ptr<VirtualLoop> loop)
      : source_(source),
        loop_(std::move(loop)),
        label_(spec.label()),
        realtime_(spec.speed == VirtualSpeed::realtime),
        rate_(params.rate),
        channels_(params.channels),
        buffer_(params.buffer_frames),
        period_(static_cast<size_t>(params.buffer_frames) * params.channels) {}

  ~VirtualPlaybackStream() override {
    stop();
    if (loop_) loop_->detach(VirtualLoop::playback);
  }

  Status start() override {
    std::lock_guard join_lock(join_mutex_);
    if (started_ || stop_.load())
      return make_error(Exit::internal,
                        fmt::format("virtual device '{}': a stream starts only once", label_));
    wall_start_ = Clock::now();  // a loop pair's thread takes the pair's instead
    if (loop_) loop_->started(VirtualLoop::playback);
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& e) {
      if (loop_) loop_->stopped(VirtualLoop::playback);
      return session_error(SessionCode::cannotStartPlaying,
                           fmt::format("virtual device '{}' cannot start: {}", label_, e.what()));
    }
    started_ = true;
    return ok_status();
  }

  Status pause() override {
    set_paused(true);
    return ok_status();
  }
  Status resume() override {
    set_paused(false);
    return ok_status();
  }

  // Idempotent. From the stream's own thread (a source callback) it only asks the thread to
  // stop after the callback returns; the destructor joins it.
  void stop() noexcept override {
    {
      std::lock_guard lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    if (loop_) loop_->stopped(VirtualLoop::playback);
    if (std::this_thread::get_id() == thread_id_.load()) return;
    std::lock_guard join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  uint64_t taken() const override { return taken_.load(); }
  uint64_t heard() const override { return heard_.load(); }
  bool finished() const override { return finished_.load(); }
  StreamDescription describe() const override {
    const std::string pace = realtime_ ? "real time" : "speed=max";
    return {"virtual", fmt::format("built-in ({})", pace), rate_, buffer_,
            realtime_ ? frames_duration(buffer_, rate_) : Duration(0)};
  }

 private:
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  void set_paused(bool paused) {
    {
      std::lock_guard lock(mutex_);
      paused_.store(paused);
    }
    wake_.notify_all();
  }

  // Real time: waits until the wall clock reaches `device_time` after start. False when
  // stop() was called.
  bool sleep_until(Duration device_time) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_until(lock, wall_start_ + device_time, [this] { return stop_.load(); });
  }

  // speed=max, paused and nobody to play silence to: waits for resume(). False on stop().
  bool wait_for_resume() {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stop_.load() || !paused_.load(); });
    return !stop_.load();
  }

  void run() noexcept {
    thread_id_.store(std::this_thread::get_id());
    if (loop_ && !loop_->wait_at_gate(VirtualLoop::playback, stop_, &wall_start_, &line_)) return;
    struct WriterDone {
      LoopLine* line;
      ~WriterDone() {
        if (line) line->writer_done();
      }
    } writer_done{line_};
    uint64_t pos = 0;  // device position of the slot
    bool ended = false;
    while (!stopping()) {
      const uint64_t end = pos + buffer_;
      if (realtime_) {
        if (!sleep_until(frame_time(Duration(0), rate_, pos))) return;
        heard_.store(taken_.load());  // the slot in flight has been played
      }
      if (ended) {  // real time: the last frames have been played
        finished_.store(true);
        return;
      }
      if (paused_.load()) {
        if (!realtime_ && !(line_ && line_->reader_active())) {
          if (!wait_for_resume()) return;
          continue;
        }
        if (line_) {
          if (!line_->wait_for_room(end, stop_)) return;
          line_->write(pos, nullptr, buffer_);
        }
        pos = end;
        continue;
      }
      if (!realtime_) {
        if (!source_.wait_for_data(buffer_)) return;
        if (paused_.load()) continue;  // paused while waiting: not asked until resume()
      }
      if (stopping()) return;
      if (line_ && !line_->wait_for_room(end, stop_)) return;
      const size_t got = std::min<size_t>(
          source_.on_need(period_.data(), buffer_, frame_time(Duration(0), rate_, pos)), buffer_);
      taken_.fetch_add(got);
      if (got < buffer_) {
        std::fill(period_.begin() + static_cast<std::ptrdiff_t>(got * channels_), period_.end(),
                  0.0f);
        if (source_.end()) {
          ended = true;
        } else {
          DeviceEvent e;
          e.kind = DeviceEvent::Kind::xrun;
          e.at = frame_time(Duration(0), rate_, pos + got);
          e.lost_frames = buffer_ - got;
          source_.on_event(e);
        }
      }
      if (line_) line_->write(pos, period_.data(), buffer_);
      pos = end;
      if (!realtime_ || (ended && got == 0)) {
        heard_.store(taken_.load());
        if (ended) {  // nothing held: done now
          finished_.store(true);
          return;
        }
      }
    }
  }

  PlaybackSource& source_;
  const std::shared_ptr<VirtualLoop> loop_;  // signal=loop, linked to a capture stream
  LoopLine* line_ = nullptr;                 // the thread only; null unless paired
  const std::string label_;
  const bool realtime_;
  const unsigned rate_;
  const unsigned channels_;
  const unsigned buffer_;
  std::vector<float> period_;  // one slot, allocated here; the thread only

  std::atomic<uint64_t> taken_{0};
  std::atomic<uint64_t> heard_{0};
  std::atomic<bool> finished_{false};
  std::atomic<bool> paused_{false};  // written under mutex_ so that waits wake up
  std::atomic<bool> stop_{false};    // written under mutex_ so that sleeps wake up
  std::atomic<std::thread::id> thread_id_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::mutex join_mutex_;  // start() and the join in stop()
  bool started_ = false;
  Clock::time_point wall_start_;  // set before the thread starts, or by it (loop pair)
  std::thread thread_;
};

}  // namespace

std::unique_ptr<PlaybackStream> make_virtual_playback(const VirtualSpec& spec,
                                                      const VirtualPlaybackParams& params,
                                                      PlaybackSource& source,
                                                      std::shared_ptr<VirtualLoop> loop) {
  return std::make_unique<VirtualPlaybackStream>(spec, params, source, std::move(loop));
}

}  // namespace sc::audio
