#include "core/route/loop_test.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "core/audio/capture_ring.h"

namespace sc::route {
namespace {

using Clock = std::chrono::steady_clock;

// How long the playback waits for the capture's first frames (see run_loop_test).
constexpr std::chrono::milliseconds kFirstFrames{100};

// When a device thread handed over or took each block of frames: (wall time, stream clock,
// first frame, frames), kept in memory allocated beforehand, so that the device thread only
// stores. Read up to size() at any time.
class WallLog {
 public:
  struct Mark {
    Clock::time_point wall;
    Duration at{0};      // the stream's clock at the block's first frame
    uint64_t first = 0;  // frames before this block
    uint64_t frames = 0;
  };
  explicit WallLog(size_t capacity) : marks_(capacity) {}
  void add(Duration at, uint64_t first, uint64_t frames) noexcept {
    const size_t n = size_.load(std::memory_order_relaxed);
    if (n >= marks_.size()) return;  // 2^16 blocks: minutes of audio at the smallest period
    marks_[n] = Mark{Clock::now(), at, first, frames};
    size_.store(n + 1, std::memory_order_release);
  }
  size_t size() const { return size_.load(std::memory_order_acquire); }
  const Mark& operator[](size_t i) const { return marks_[i]; }

 private:
  std::vector<Mark> marks_;
  std::atomic<size_t> size_{0};
};
constexpr size_t kWallLogBlocks = size_t{1} << 16;

// Plays `signal` (mono) on every channel, once, logging each pull in `pulls` (whose first mark
// holds the stream clock of the signal's first frame). on_need and on_event run on the
// output's thread: they only copy, store and count.
class SignalSource final : public audio::PlaybackSource {
 public:
  SignalSource(const std::vector<float>& signal, WallLog& pulls) : signal_(signal), pulls_(pulls) {}
  // The stream's channel count; before the stream starts.
  void set_channels(unsigned channels) { channels_ = std::max(1u, channels); }

  size_t on_need(float* out, size_t frames, Duration at) noexcept override {
    const size_t pos = pos_.load(std::memory_order_relaxed);
    const size_t n = std::min(frames, signal_.size() - pos);
    if (n > 0) pulls_.add(at, pos, n);
    for (size_t i = 0; i < n; ++i) std::fill_n(out + i * channels_, channels_, signal_[pos + i]);
    pos_.store(pos + n, std::memory_order_release);
    return n;
  }
  void on_event(const audio::DeviceEvent& event) noexcept override {
    if (event.kind == audio::DeviceEvent::Kind::xrun)
      underruns_.fetch_add(1, std::memory_order_relaxed);
  }
  bool end() const noexcept override {
    return pos_.load(std::memory_order_acquire) >= signal_.size();
  }
  bool wait_for_data(size_t) noexcept override { return !stopping_.load(); }

  void stop() { stopping_.store(true); }
  // The stream clock of the first frame pulled; none before it.
  std::optional<Duration> first_at() const {
    if (pulls_.size() == 0) return std::nullopt;
    return pulls_[0].at;
  }
  uint64_t underruns() const { return underruns_.load(std::memory_order_relaxed); }

 private:
  const std::vector<float>& signal_;
  WallLog& pulls_;
  unsigned channels_ = 1;
  std::atomic<size_t> pos_{0};
  std::atomic<uint64_t> underruns_{0};
  std::atomic<bool> stopping_{false};
};

// The capture's sink: logs when each block came, then hands it to the ring. Same thread rules
// as the ring's producer side.
class LoggingSink final : public audio::CaptureSink {
 public:
  LoggingSink(audio::CaptureSink& next, WallLog& log) : next_(next), log_(log) {}
  void on_frames(const float* data, size_t frames, Duration at) noexcept override {
    log_.add(at, delivered_, frames);
    delivered_ += frames;
    next_.on_frames(data, frames, at);
  }
  void on_event(const audio::DeviceEvent& event) noexcept override { next_.on_event(event); }
  bool wait_for_space(size_t frames) noexcept override { return next_.wait_for_space(frames); }

 private:
  audio::CaptureSink& next_;
  WallLog& log_;
  uint64_t delivered_ = 0;
};

// Wall-clock alignment (loop_test.h): where the signal's first frame is in the capture, in
// frames (fractional; below zero when the capture started after it), or none before both
// streams have moved frames.
std::optional<double> wall_alignment(const WallLog& pulls, const WallLog& arrivals, unsigned rate) {
  const size_t np = pulls.size(), na = arrivals.size();
  if (np == 0 || na == 0) return std::nullopt;
  using Seconds = std::chrono::duration<double>;
  const Clock::time_point origin = pulls[0].wall;
  auto secs = [&](Clock::time_point t) { return Seconds(t - origin).count(); };
  // Capture: a block is never delivered before its last frame was captured, and delays only
  // add, so the earliest (wall - frames so far / rate) is when frame 0 came.
  double capture0 = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < na; ++i)
    capture0 =
        std::min(capture0, secs(arrivals[i].wall) -
                               static_cast<double>(arrivals[i].first + arrivals[i].frames) / rate);
  // Playback: the first pull fills the output's buffer at once, and every later one is the
  // output asking for the frames it needs next, a scheduling delay late. The median of
  // (wall - frame / rate) over the later pulls is when frame 0 would have been handed over.
  std::vector<double> hand;
  hand.reserve(np);
  for (size_t i = np > 1 ? 1 : 0; i < np; ++i)
    hand.push_back(secs(pulls[i].wall) - static_cast<double>(pulls[i].first) / rate);
  std::nth_element(hand.begin(), hand.begin() + static_cast<long>(hand.size() / 2), hand.end());
  const double hand0 = hand[hand.size() / 2];
  return (hand0 - capture0) * rate;
}

// Channel 0 of everything captured, with the clock time of each chunk's first frame.
struct Capture {
  struct Mark {
    Duration at;
    size_t index;
    size_t frames;
  };
  std::vector<float> mono;
  std::vector<Mark> marks;
  uint64_t xruns = 0;
  bool ended = false;

  void add(const audio::CaptureRing::Chunk& c, const std::vector<float>& samples) {
    if (c.is_event) {
      if (c.event.kind == audio::DeviceEvent::Kind::xrun) ++xruns;
      if (c.event.kind == audio::DeviceEvent::Kind::ended) ended = true;
      return;
    }
    const unsigned ch = std::max(1u, c.channels);
    marks.push_back(Mark{c.at, mono.size(), c.frames});
    for (size_t i = 0; i < c.frames; ++i) mono.push_back(samples[i * ch]);
  }

  // The index of the first frame captured at `t` or later (frames at `rate`); none while
  // nothing that late has come.
  std::optional<size_t> index_at(Duration t, unsigned rate) const {
    for (const auto& m : marks) {
      const Duration end = m.at + frames_duration(m.frames, rate);
      if (end <= t) continue;
      if (t <= m.at) return m.index;  // t fell in a gap (frames the device lost): the next
      const auto into = static_cast<size_t>(std::ceil(to_seconds(t - m.at) * rate - 1e-6));
      return m.index + std::min(into, m.frames);
    }
    return std::nullopt;
  }
};

}  // namespace

Result<LoopTestReport> run_loop_test(audio::Device& output, audio::Device& input, TestPlan plan,
                                     const std::atomic<bool>* stop, unsigned buffer_frames) {
  LoopTestReport report;

  // The capture first: its rate is the test's.
  audio::StreamParams cparams;
  cparams.rate = plan.rate;
  cparams.buffer_frames = buffer_frames;
  const unsigned nominal = plan.rate ? plan.rate : std::max(input.info().preferred_rate, 8000u);
  const size_t max_channels = std::max(1u, input.info().input_channels);
  // Two seconds of audio; the drain below keeps up with anything but a stalled machine.
  audio::CaptureRing ring(size_t{2} * nominal * max_channels, 8192);
  WallLog arrivals(kWallLogBlocks), pulls(kWallLogBlocks);
  LoggingSink logging(ring, arrivals);
  auto capture = input.open_capture(cparams, logging);
  if (!capture) return capture.error();
  plan.rate = (*capture)->rate();
  ring.set_channels((*capture)->channels());
  report.input_channels = (*capture)->channels();

  const std::vector<float> signal = test_signal(plan);
  const size_t total = frames_of(plan).total();
  audio::PlaybackParams pparams;
  pparams.rate = plan.rate;
  pparams.buffer_frames = buffer_frames;
  pparams.properties = {{"media.role", "test"}};
  SignalSource source(signal, pulls);
  auto playback = output.open_playback(pparams, source);
  if (!playback) {
    ring.close();
    return playback.error();
  }
  report.output_channels = (*playback)->channels();
  source.set_channels((*playback)->channels());
  if ((*playback)->rate() != plan.rate) {
    ring.close();
    return make_error(Exit::unavailable,
                      fmt::format("the output runs at {} Hz and the input at {} Hz",
                                  (*playback)->rate(), plan.rate),
                      "route test compares the samples at one rate: choose devices that run at "
                      "one rate, or set one with --preferred-rate");
  }
  report.input = (*capture)->describe();
  report.output = (*playback)->describe();

  auto stop_all = [&] {
    ring.close();  // releases a producer waiting for space (speed=max)
    source.stop();
    (*playback)->stop();
    (*capture)->stop();
  };
  if (auto s = (*capture)->start(); !s) {
    stop_all();
    return s.error();
  }
  // A capture clock means "now" only once frames flow: a server's record stream delivers its
  // first fragment some time after start(), and its clock stands at 0 until then. So the
  // playback starts once the first frames are in, or after kFirstFrames for a capture that
  // waits for its partner to start (the virtual loop pair, whose clocks start together).
  Capture cap;
  audio::CaptureRing::Chunk chunk;
  std::vector<float> samples;
  for (const auto until = Clock::now() + kFirstFrames; cap.mono.empty() && Clock::now() < until;) {
    ring.wait_for_data(std::chrono::milliseconds(10));
    while (ring.pop(chunk, samples)) cap.add(chunk, samples);
  }
  const Duration c0 = (*capture)->clock();
  if (auto s = (*playback)->start(); !s) {
    stop_all();
    return s.error();
  }

  // Where the signal's first frame is in the capture (loop_test.h): by the shared clock, or
  // by the wall clock once the output has taken the whole signal (its pulls settle the
  // estimate) or the test is over (`settled`: the pulls so far).
  const bool shared = &output == &input && input.streams_share_clock();
  auto alignment = [&](bool settled) -> std::optional<double> {
    if (shared) {
      auto a = source.first_at();
      if (!a) return std::nullopt;
      auto i = cap.index_at(c0 + *a, plan.rate);
      return i ? std::optional<double>(static_cast<double>(*i)) : std::nullopt;
    }
    if (!settled && !source.end()) return std::nullopt;
    return wall_alignment(pulls, arrivals, plan.rate);
  };
  // The wall clock's estimate only grows as blocks come; a margin keeps the capture's last
  // frames from falling short of it.
  const size_t margin = shared ? 0 : plan.rate / 20;

  // Drain until the capture holds the whole signal, or the capture ends, or it stalls (a
  // real device: the signal's length plus 5 s of wall time).
  const auto deadline =
      Clock::now() + std::chrono::seconds(5) +
      std::chrono::duration_cast<Clock::duration>(frames_duration(total, plan.rate));
  auto first_index = [](double from) {
    return static_cast<size_t>(std::max(0.0, std::ceil(from - 1e-6)));
  };
  while (true) {
    while (ring.pop(chunk, samples)) cap.add(chunk, samples);
    if (auto from = alignment(false);
        from && cap.mono.size() >= first_index(*from) + total + margin)
      break;
    if (cap.ended || (*capture)->finished() || Clock::now() > deadline || (stop && stop->load()))
      break;
    ring.wait_for_data(std::chrono::milliseconds(20));
  }
  stop_all();
  while (ring.pop(chunk, samples)) cap.add(chunk, samples);
  const std::optional<double> from = alignment(true);

  // The analysis starts at a whole captured frame; what lies between it and the signal's
  // first frame (a fraction of a frame, or the frames the capture did not hold yet) is added
  // to the latency it finds.
  const size_t start = std::min(from ? first_index(*from) : cap.mono.size(), cap.mono.size());
  const double shift_ms = from ? 1000 * (static_cast<double>(start) - *from) / plan.rate : 0;
  const size_t n = std::min(total, cap.mono.size() - start);
  report.plan = plan;
  report.captured_frames = n;
  report.capture_xruns = cap.xruns;
  report.playback_underruns = source.underruns();
  report.ring_lost_frames = ring.lost_frames();
  report.measurement = analyze(plan, std::span<const float>(cap.mono).subspan(start, n));
  if (!report.measurement.no_signal) report.measurement.latency_ms += shift_ms;
  return report;
}

}  // namespace sc::route
