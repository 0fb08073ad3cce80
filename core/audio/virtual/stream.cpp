#include "core/audio/virtual/stream.h"

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

// f1 of the chirp: below 0.45 of every rate the stream can run at.
double chirp_top(const VirtualSpec& spec, unsigned rate) {
  unsigned lowest = rate;
  for (const auto& f : spec.faults)
    if (f.kind == VirtualFault::Kind::rate_change) lowest = std::min(lowest, f.rate);
  return std::min(20000.0, 0.45 * lowest);
}

class VirtualCaptureStream final : public CaptureStream {
 public:
  VirtualCaptureStream(const VirtualSpec& spec, const VirtualStreamParams& params,
                       CaptureSink& sink, std::shared_ptr<VirtualLoop> loop)
      : sink_(sink),
        loop_(std::move(loop)),
        label_(spec.label()),
        faults_(spec.faults),
        realtime_(spec.speed == VirtualSpeed::realtime),
        channels_(params.channels),
        buffer_(params.buffer_frames),
        initial_rate_(params.rate),
        generator_(spec, chirp_top(spec, params.rate)),
        period_(static_cast<size_t>(params.buffer_frames) * params.channels),
        rate_(params.rate) {
    generator_.begin_segment(Duration(0), params.rate);
  }

  ~VirtualCaptureStream() override {
    stop();
    if (loop_) loop_->detach(VirtualLoop::capture);
  }

  Status start() override {
    std::lock_guard join_lock(join_mutex_);
    if (started_ || stop_.load())
      return make_error(Exit::internal,
                        fmt::format("virtual device '{}': a stream starts only once", label_));
    wall_start_ = Clock::now();  // a loop pair's thread takes the pair's instead
    if (loop_) loop_->started(VirtualLoop::capture);
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& e) {
      if (loop_) loop_->stopped(VirtualLoop::capture);
      return session_error(SessionCode::cannotStartRecording,
                           fmt::format("virtual device '{}' cannot start: {}", label_, e.what()));
    }
    started_ = true;
    return ok_status();
  }

  // Idempotent. From the producer thread itself (a sink callback) it only asks the thread to
  // stop after the callback returns; the destructor joins it.
  void stop() noexcept override {
    {
      std::lock_guard lock(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    if (loop_) loop_->stopped(VirtualLoop::capture);
    if (std::this_thread::get_id() == producer_id_.load()) return;
    std::lock_guard join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

  unsigned rate() const override { return rate_.load(); }
  unsigned channels() const override { return channels_; }
  Duration clock() const override { return Duration(clock_ns_.load()); }
  bool finished() const override { return finished_.load(); }
  StreamDescription describe() const override {
    const std::string pace = realtime_ ? "real time" : "speed=max";
    return {"virtual", fmt::format("built-in ({})", pace), initial_rate_, buffer_, Duration(0)};
  }

 private:
  // Where the producer is: frame `pos` of the segment that starts at `start` at `rate`.
  struct Cursor {
    Duration start{0};
    unsigned rate = 0;
    uint64_t pos = 0;
    Duration time() const { return frame_time(start, rate, pos); }
  };

  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  // Real time: waits until the wall clock reaches `device_time` after start. False when
  // stop() was called.
  bool sleep_until(Duration device_time) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_until(lock, wall_start_ + device_time, [this] { return stop_.load(); });
  }

  // Before an event at `at`: in real time, its moment; at max, nothing.
  bool pace_event(Duration at) { return realtime_ ? sleep_until(at) : !stopping(); }

  // Before delivering `frames` frames that end at device time `end`.
  bool pace_frames(Duration end, size_t frames) {
    if (realtime_) return sleep_until(end);
    return sink_.wait_for_space(frames) && !stopping();
  }

  void set_clock(Duration t) { clock_ns_.store(t.count()); }

  void emit(DeviceEvent::Kind kind, Duration at, const Cursor& c, uint64_t lost = 0) {
    DeviceEvent e;
    e.kind = kind;
    e.at = at;
    e.lost_frames = lost;
    if (kind == DeviceEvent::Kind::format_changed || kind == DeviceEvent::Kind::reconnected) {
      e.rate = c.rate;
      e.channels = channels_;
    }
    sink_.on_event(e);
  }

  void begin_segment(Cursor& c, Duration start, unsigned rate) {
    c = Cursor{start, rate, 0};
    generator_.begin_segment(start, rate);
    rate_.store(rate);
    set_clock(start);
  }

  // Applies fault `f` at `at` (frame c.pos). False when the thread must end.
  bool apply(const VirtualFault& f, Duration at, Cursor& c) {
    if (!pace_event(at)) return false;
    switch (f.kind) {
      case VirtualFault::Kind::xrun:
        emit(DeviceEvent::Kind::xrun, at, c, buffer_);
        c.pos += buffer_;
        set_clock(c.time());
        break;
      case VirtualFault::Kind::rate_change:
        begin_segment(c, at, f.rate);
        emit(DeviceEvent::Kind::format_changed, at, c);
        break;
      case VirtualFault::Kind::drop: {
        set_clock(at);
        if (!f.back) {
          emit(DeviceEvent::Kind::ended, at, c);
          finished_.store(true);
          return false;
        }
        emit(DeviceEvent::Kind::disconnected, at, c);
        const Duration back = std::max(*f.back, at);
        if (realtime_) {
          const Duration period = frame_time(Duration(0), c.rate, buffer_);
          for (Duration t = at; t < back;) {
            t = std::min(t + period, back);
            if (!sleep_until(t)) return false;
            set_clock(t);
            // The played signal goes on in the gap: let the writer past it.
            if (line_) line_->set_read_from(frames_at_or_after(t, c.rate));
          }
        }
        if (stopping()) return false;
        begin_segment(c, back, c.rate);
        emit(DeviceEvent::Kind::reconnected, back, c);
        break;
      }
    }
    return !stopping();
  }

  void run() noexcept {
    producer_id_.store(std::this_thread::get_id());
    if (loop_ && !loop_->wait_at_gate(VirtualLoop::capture, stop_, &wall_start_, &line_)) return;
    struct ReaderDone {
      LoopLine* line;
      ~ReaderDone() {
        if (line) line->reader_done();
      }
    } reader_done{line_};
    Cursor c{Duration(0), initial_rate_, 0};
    size_t next = 0;
    while (!stopping()) {
      uint64_t end = (c.pos / buffer_ + 1) * buffer_;
      if (next < faults_.size()) {
        const VirtualFault& f = faults_[next];
        const uint64_t due = f.at < c.start ? 0 : frames_at_or_after(f.at - c.start, c.rate);
        const bool late = f.at < c.start || due < c.pos;
        if (late || due == c.pos) {
          ++next;
          if (!apply(f, late ? std::max(f.at, c.time()) : f.at, c)) return;
          continue;
        }
        end = std::min(end, due);
      }
      const auto frames = static_cast<size_t>(end - c.pos);
      if (!pace_frames(frame_time(c.start, c.rate, end), frames)) return;
      if (line_) {
        // Loop: no rate change here (refused at open), so the device position of frame k of
        // a segment is ceil(start * rate) + k.
        const uint64_t g0 = frames_at_or_after(c.start, c.rate) + c.pos;
        line_->set_read_from(g0);
        if (!line_->wait_for_written(g0 + frames, stop_)) return;
        line_->read(period_.data(), g0, frames, channels_);
      } else {
        generator_.fill(period_.data(), c.pos, frames, channels_);
      }
      sink_.on_frames(period_.data(), frames, c.time());
      c.pos = end;
      set_clock(c.time());
    }
  }

  CaptureSink& sink_;
  const std::shared_ptr<VirtualLoop> loop_;  // signal=loop, linked to a playback stream
  LoopLine* line_ = nullptr;                 // producer thread only; null unless paired
  const std::string label_;
  const std::vector<VirtualFault> faults_;
  const bool realtime_;
  const unsigned channels_;
  const unsigned buffer_;
  const unsigned initial_rate_;
  SignalGenerator generator_;  // producer thread only
  std::vector<float> period_;  // one period, allocated here; producer thread only

  std::atomic<unsigned> rate_;
  std::atomic<int64_t> clock_ns_{0};
  std::atomic<bool> finished_{false};
  std::atomic<bool> stop_{false};  // written under mutex_ so that sleeps wake up
  std::atomic<std::thread::id> producer_id_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::mutex join_mutex_;  // start() and the join in stop()
  bool started_ = false;
  Clock::time_point wall_start_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<CaptureStream> make_virtual_stream(const VirtualSpec& spec,
                                                   const VirtualStreamParams& params,
                                                   CaptureSink& sink,
                                                   std::shared_ptr<VirtualLoop> loop) {
  return std::make_unique<VirtualCaptureStream>(spec, params, sink, std::move(loop));
}

}  // namespace sc::audio
