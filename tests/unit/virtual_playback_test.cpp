// The virtual device's playback stream (virtual/playback.h) and signal=loop (virtual/stream.h
// "Loop") through the Device interface: pace, taken/heard, pause/resume, underrun, end,
// refusals, and the loop's delay checked sample for sample.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/audio/virtual/device.h"
#include "core/audio/virtual/loop.h"
#include "core/session/codes.h"

namespace sc::audio {
namespace {

using namespace std::chrono_literals;
using Kind = DeviceEvent::Kind;

// Played frame j, channel c: distinct exact floats (a ramp; channel 1 negated, others scaled).
float played_sample(uint64_t j, unsigned c) {
  const float x = static_cast<float>(j + 1) / static_cast<float>(1 << 20);
  return c == 0 ? x : c == 1 ? -x : x / 2;
}

// A source of `total` frames of played_sample. Only the first `available` are ready (the
// test raises it); wait_for_data blocks until enough are. short_pull: the n-th on_need call
// (from 0) gives at most `short_frames`. Records every pull and event (storage reserved).
class RampSource final : public PlaybackSource {
 public:
  RampSource(unsigned channels, uint64_t total, uint64_t available = UINT64_MAX)
      : channels_(channels), total_(total), available_(std::min(available, total)) {
    pulls_.reserve(1 << 16);
    events_.reserve(1024);
  }

  size_t on_need(float* out, size_t frames, Duration at) noexcept override {
    const uint64_t given = given_.load();
    size_t n = static_cast<size_t>(std::min<uint64_t>(frames, available_.load() - given));
    const size_t call = calls_.fetch_add(1);
    if (call == short_call_) n = std::min(n, short_frames_);
    for (size_t j = 0; j < n; ++j)
      for (unsigned c = 0; c < channels_; ++c) out[j * channels_ + c] = played_sample(given + j, c);
    if (pulls_.size() < pulls_.capacity()) pulls_.push_back({at, frames, n});
    given_.store(given + n);
    return n;
  }
  void on_event(const DeviceEvent& event) noexcept override {
    if (events_.size() < events_.capacity()) events_.push_back(event);
  }
  bool end() const noexcept override { return given_.load() >= total_; }
  bool wait_for_data(size_t frames) noexcept override {
    while (!stopping_.load()) {
      const uint64_t avail = available_.load();
      if (given_.load() + frames <= avail || avail == total_) return true;
      std::this_thread::sleep_for(100us);
    }
    return false;
  }

  void make_available(uint64_t n) { available_.store(std::min(n, total_)); }
  void short_pull(size_t call, size_t frames) {
    short_call_ = call;
    short_frames_ = frames;
  }
  void stop() { stopping_.store(true); }
  uint64_t given() const { return given_.load(); }
  size_t calls() const { return calls_.load(); }
  struct Pull {
    Duration at;
    size_t asked;
    size_t got;
  };
  const std::vector<Pull>& pulls() const { return pulls_; }
  const std::vector<DeviceEvent>& events() const { return events_; }

 private:
  const unsigned channels_;
  const uint64_t total_;
  std::atomic<uint64_t> available_;
  std::atomic<uint64_t> given_{0};
  std::atomic<size_t> calls_{0};
  size_t short_call_ = SIZE_MAX;
  size_t short_frames_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<Pull> pulls_;
  std::vector<DeviceEvent> events_;
};

// Keeps every captured sample; wait_for_space says no beyond `limit` frames.
class KeepSink final : public CaptureSink {
 public:
  KeepSink(unsigned channels, size_t limit) : channels_(channels), limit_(limit) {
    samples_.reserve((limit + 65536) * channels);
    events_.reserve(64);
  }
  void on_frames(const float* data, size_t frames, Duration) noexcept override {
    if (samples_.size() + frames * channels_ <= samples_.capacity())
      samples_.insert(samples_.end(), data, data + frames * channels_);
    received_.fetch_add(frames);
  }
  void on_event(const DeviceEvent& event) noexcept override {
    if (events_.size() < events_.capacity()) events_.push_back(event);
  }
  bool wait_for_space(size_t frames) noexcept override {
    if (closed_.load() || received_.load() + frames > limit_) {
      done_.store(true);
      return false;
    }
    return true;
  }
  void close() { closed_.store(true); }
  // At speed=max: wait_for_space refused more; in real time: `limit` frames arrived.
  bool done() const { return done_.load() || received_.load() >= limit_; }
  size_t received() const { return received_.load(); }
  float at(size_t frame, unsigned c) const { return samples_[frame * channels_ + c]; }
  const std::vector<DeviceEvent>& events() const { return events_; }

 private:
  const unsigned channels_;
  const size_t limit_;
  std::vector<float> samples_;
  std::vector<DeviceEvent> events_;
  std::atomic<size_t> received_{0};
  std::atomic<bool> done_{false};
  std::atomic<bool> closed_{false};
};

std::unique_ptr<Device> device(const std::string& options) {
  auto d = make_virtual_device(options);
  EXPECT_TRUE(d.ok()) << options << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? std::move(*d) : nullptr;
}

template <typename F>
bool wait_until(F done, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(VirtualPlayback, MaxPullsEverythingPeriodByPeriod) {
  auto d = device("speed=max");
  ASSERT_TRUE(d);
  RampSource source(2, 10000);
  auto stream = d->open_playback({}, source);
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  auto& s = **stream;
  EXPECT_EQ(s.rate(), 48000u);
  EXPECT_EQ(s.channels(), 2u);
  const StreamDescription desc = s.describe();
  EXPECT_EQ(desc.backend, "virtual");
  EXPECT_EQ(desc.fragment_frames, 480u);
  EXPECT_EQ(desc.latency, Duration(0));
  EXPECT_EQ(s.taken(), 0u);
  ASSERT_TRUE(s.start().ok());
  ASSERT_TRUE(wait_until([&] { return s.finished(); }));
  EXPECT_EQ(s.taken(), 10000u);
  EXPECT_EQ(s.heard(), 10000u);
  s.stop();
  // 20 full periods, the 21st gives the last 400 frames and the end.
  ASSERT_EQ(source.pulls().size(), 21u);
  for (size_t i = 0; i < source.pulls().size(); ++i) {
    EXPECT_EQ(source.pulls()[i].asked, 480u) << i;
    EXPECT_EQ(source.pulls()[i].at, frames_duration(i * 480, 48000)) << i;
  }
  EXPECT_EQ(source.pulls().back().got, 400u);
  EXPECT_TRUE(source.events().empty());  // the end is not an underrun
}

TEST(VirtualPlayback, ParamsOverrideTheSpec) {
  auto d = device("speed=max,rate=44100,buffer=441");
  ASSERT_TRUE(d);
  RampSource source(1, 44100);
  PlaybackParams params;
  params.channels = 1;
  params.rate = 96000;
  params.buffer_frames = 64;
  auto stream = d->open_playback(params, source);
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  EXPECT_EQ((*stream)->rate(), 96000u);
  EXPECT_EQ((*stream)->channels(), 1u);
  EXPECT_EQ((*stream)->describe().fragment_frames, 64u);
  ASSERT_TRUE((*stream)->start().ok());
  ASSERT_TRUE(wait_until([&] { return (*stream)->finished(); }));
  EXPECT_EQ((*stream)->taken(), 44100u);
  for (const auto& p : source.pulls()) EXPECT_EQ(p.asked, 64u);
  // Spec defaults: its rate and buffer.
  RampSource other(2, 10);
  auto defaults = d->open_playback({}, other);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ((*defaults)->rate(), 44100u);
  EXPECT_EQ((*defaults)->describe().fragment_frames, 441u);
}

TEST(VirtualPlayback, RefusalsAreCannotStartPlaying) {
  struct Case {
    std::string spec;
    PlaybackParams params;
    const char* want;
  };
  std::vector<Case> cases;
  cases.push_back({"speed=max", {0, 3, 0, {}}, "has 2 output channels; 3 were asked for"});
  cases.push_back({"speed=max", {999, 0, 0, {}}, "cannot run at 999 Hz"});
  cases.push_back({"speed=max", {0, 0, 8, {}}, "buffer of 8 frames"});
  cases.push_back(
      {"signal=loop,rate-change=1s:44100", {}, "cannot loop across a rate change (at 1s)"});
  cases.push_back({"signal=loop,latency=11s", {}, "cannot loop with a latency of 11s"});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    auto d = device(c.spec);
    ASSERT_TRUE(d);
    RampSource source(2, 10);
    auto stream = d->open_playback(c.params, source);
    ASSERT_FALSE(stream.ok());
    EXPECT_EQ(stream.error().session, &info(SessionCode::cannotStartPlaying));
    EXPECT_NE(stream.error().message.find("virtual device 'virtual:" + c.spec + "'"),
              std::string::npos)
        << stream.error().message;
    EXPECT_NE(stream.error().message.find(c.want), std::string::npos) << stream.error().message;
    EXPECT_FALSE(stream.error().hint.empty());
  }
}

TEST(VirtualPlayback, LoopRefusesPairsItCannotLoop) {
  // Another rate than the capture's.
  {
    auto d = device("signal=loop,speed=max");
    KeepSink sink(2, 100);
    auto capture = d->open_capture({}, sink);
    ASSERT_TRUE(capture.ok());
    RampSource source(2, 10);
    auto playback = d->open_playback({44100, 0, 0, {}}, source);
    ASSERT_FALSE(playback.ok());
    EXPECT_EQ(playback.error().session, &info(SessionCode::cannotStartPlaying));
    EXPECT_NE(playback.error().message.find("capture stream runs at 48000 Hz"), std::string::npos)
        << playback.error().message;
  }
  // A playback opened after the capture started (and the other way round).
  {
    auto d = device("signal=loop,speed=max");
    KeepSink sink(2, 4800);
    auto capture = d->open_capture({}, sink);
    ASSERT_TRUE(capture.ok());
    ASSERT_TRUE((*capture)->start().ok());
    RampSource source(2, 10);
    auto playback = d->open_playback({}, source);
    ASSERT_FALSE(playback.ok());
    EXPECT_NE(playback.error().message.find("open both streams before starting either"),
              std::string::npos)
        << playback.error().message;
    ASSERT_TRUE(wait_until([&] { return sink.done(); }));
    (*capture)->stop();
    // Alone, the capture captured silence.
    EXPECT_EQ(sink.received(), 4800u);
    for (size_t k = 0; k < 4800; ++k) ASSERT_EQ(sink.at(k, 0), 0.0f) << k;
  }
  {
    auto d = device("signal=loop,speed=max");
    RampSource source(2, 100000);
    auto playback = d->open_playback({}, source);
    ASSERT_TRUE(playback.ok());
    ASSERT_TRUE((*playback)->start().ok());
    ASSERT_TRUE(wait_until([&] { return (*playback)->finished(); }));
    KeepSink sink(2, 100);
    auto capture = d->open_capture({}, sink);
    ASSERT_FALSE(capture.ok());
    EXPECT_EQ(capture.error().session, &info(SessionCode::cannotStartRecording));
    EXPECT_NE(capture.error().message.find("playback stream has started"), std::string::npos)
        << capture.error().message;
  }
}

TEST(VirtualPlayback, RealtimeHeardLagsByAtMostOnePeriodAndFinishes) {
  auto d = device("buffer=480");
  ASSERT_TRUE(d);
  RampSource source(2, 4800);  // 100 ms
  auto stream = d->open_playback({}, source);
  ASSERT_TRUE(stream.ok());
  auto& s = **stream;
  EXPECT_EQ(s.describe().latency, 10ms);
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.start().ok());
  uint64_t worst_lag = 0;
  bool heard_behind = false;
  while (!s.finished() && std::chrono::steady_clock::now() - begin < 1s) {
    const uint64_t heard = s.heard();
    const uint64_t taken = s.taken();
    ASSERT_LE(heard, taken);
    worst_lag = std::max(worst_lag, taken - heard);
    heard_behind = heard_behind || heard < taken;
    std::this_thread::sleep_for(1ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  ASSERT_TRUE(s.finished());
  EXPECT_EQ(s.taken(), 4800u);
  EXPECT_EQ(s.heard(), 4800u);
  EXPECT_LE(worst_lag, 480u);
  EXPECT_TRUE(heard_behind);
  // 10 periods pulled from 0 to 90 ms, the last one heard at 100 ms.
  EXPECT_GE(elapsed, 95ms);
  s.stop();
  for (size_t i = 0; i < source.pulls().size(); ++i) EXPECT_EQ(source.pulls()[i].at, i * 10ms) << i;
}

TEST(VirtualPlayback, PauseAndResumeAtMaxAskNothingInBetween) {
  auto d = device("speed=max");
  ASSERT_TRUE(d);
  RampSource source(2, 9600, 4800);
  auto stream = d->open_playback({}, source);
  ASSERT_TRUE(stream.ok());
  auto& s = **stream;
  ASSERT_TRUE(s.start().ok());
  ASSERT_TRUE(wait_until([&] { return s.taken() == 4800; }));
  ASSERT_TRUE(s.pause().ok());
  ASSERT_TRUE(s.pause().ok());  // idempotent
  const size_t calls = source.calls();
  source.make_available(9600);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(source.calls(), calls);
  EXPECT_EQ(s.taken(), 4800u);
  EXPECT_EQ(s.heard(), 4800u);
  EXPECT_FALSE(s.finished());
  ASSERT_TRUE(s.resume().ok());
  ASSERT_TRUE(s.resume().ok());
  ASSERT_TRUE(wait_until([&] { return s.finished(); }));
  EXPECT_EQ(s.taken(), 9600u);
  source.stop();
  s.stop();
  // The pulls follow each other: nothing asked twice, nothing skipped.
  uint64_t next = 0;
  for (const auto& p : source.pulls()) {
    EXPECT_EQ(p.at, frames_duration(next, 48000));
    next += p.got;
  }
  EXPECT_EQ(next, 9600u);
}

TEST(VirtualPlayback, UnderrunPlaysSilenceAndSendsAnXrun) {
  // In a loop, so that the silence shows in the capture.
  auto d = device("signal=loop,speed=max");
  ASSERT_TRUE(d);
  RampSource source(2, 4800);
  source.short_pull(2, 100);  // the third pull gives 100 of 480 frames
  KeepSink sink(2, 9600);
  auto capture = d->open_capture({}, sink);
  auto playback = d->open_playback({}, source);
  ASSERT_TRUE(capture.ok() && playback.ok());
  ASSERT_TRUE((*playback)->start().ok());
  ASSERT_TRUE((*capture)->start().ok());
  ASSERT_TRUE(wait_until([&] { return sink.done() && (*playback)->finished(); }));
  (*capture)->stop();
  (*playback)->stop();
  ASSERT_EQ(source.events().size(), 1u);
  EXPECT_EQ(source.events()[0].kind, Kind::xrun);
  EXPECT_EQ(source.events()[0].lost_frames, 380u);
  EXPECT_EQ(source.events()[0].at, frames_duration(1060, 48000));
  EXPECT_EQ((*playback)->taken(), 4800u);
  // Positions 1060..1439 are silence; the ramp goes on after them.
  for (size_t k = 0; k < 9600; ++k) {
    const uint64_t j = k < 1060 ? k : k < 1440 ? UINT64_MAX : k - 380;
    const float want = j == UINT64_MAX || j >= 4800 ? 0.0f : played_sample(j, 0);
    ASSERT_EQ(sink.at(k, 0), want) << k;
  }
}

struct LoopRun {
  std::unique_ptr<KeepSink> sink;
  std::unique_ptr<RampSource> source;
  bool ok = false;
};

// Plays `frames` ramp frames into `spec` (a loop) and captures `limit` frames.
LoopRun loop_run(const std::string& spec, unsigned played_channels, unsigned captured_channels,
                 uint64_t frames, size_t limit, bool capture_first, unsigned playback_buffer = 0) {
  LoopRun r;
  auto d = device(spec);
  if (!d) return r;
  r.sink = std::make_unique<KeepSink>(captured_channels, limit);
  r.source = std::make_unique<RampSource>(played_channels, frames);
  auto capture = d->open_capture({0, captured_channels, 0}, *r.sink);
  auto playback = d->open_playback({0, played_channels, playback_buffer, {}}, *r.source);
  if (!capture.ok() || !playback.ok()) {
    ADD_FAILURE() << spec << ": cannot open";
    return r;
  }
  if (capture_first) {
    EXPECT_TRUE((*capture)->start().ok());
  }
  EXPECT_TRUE((*playback)->start().ok());
  if (!capture_first) {
    EXPECT_TRUE((*capture)->start().ok());
  }
  const bool done = wait_until([&] { return r.sink->done() && (*playback)->finished(); });
  EXPECT_TRUE(done) << spec;
  r.sink->close();
  r.source->stop();
  (*capture)->stop();
  (*playback)->stop();
  EXPECT_EQ((*playback)->taken(), frames);
  r.ok = done;
  return r;
}

TEST(VirtualPlayback, LoopDelaysByExactlyLatencyFrames) {
  struct Case {
    const char* latency;
    uint64_t delay;  // round(latency * 48000)
  };
  bool capture_first = false;
  for (const auto& c :
       std::vector<Case>{{"0", 0}, {"5ms", 240}, {"7.3ms", 350}, {"20ms", 960}, {"100ms", 4800}}) {
    const std::string spec = std::string("signal=loop,speed=max,latency=") + c.latency;
    SCOPED_TRACE(spec);
    const uint64_t played = 24000;
    const size_t limit = 28800;  // whole periods, past the end of what is played
    capture_first = !capture_first;
    auto r = loop_run(spec, 2, 2, played, limit, capture_first);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.sink->received(), limit);
    for (size_t k = 0; k < limit; ++k) {
      for (unsigned ch = 0; ch < 2; ++ch) {
        const bool sounding = k >= c.delay && k - c.delay < played;
        const float want = sounding ? played_sample(k - c.delay, ch) : 0.0f;
        ASSERT_EQ(r.sink->at(k, ch), want) << "frame " << k << " channel " << ch;
      }
    }
  }
  EXPECT_EQ(loop_delay_frames(7300us, 48000), 350u);
  EXPECT_EQ(loop_delay_frames(Duration(7'312'500), 48000), 351u);  // 350.999...: up
  EXPECT_EQ(loop_delay_frames(Duration(7'302'084), 48000), 351u);  // 350.5000...: halves up
}

TEST(VirtualPlayback, LoopMapsChannels) {
  // Mono played into four captured channels: all carry it. Stereo: 0, 1, then channel 0.
  for (unsigned played : {1u, 2u}) {
    SCOPED_TRACE(played);
    auto r = loop_run("signal=loop,speed=max,channels=4,latency=1ms", played, 4, 4800, 9600, false);
    ASSERT_TRUE(r.ok);
    for (size_t k = 48; k < 4848; ++k) {
      for (unsigned ch = 0; ch < 4; ++ch) {
        const unsigned from = ch < played ? ch : 0;
        ASSERT_EQ(r.sink->at(k, ch), played_sample(k - 48, from)) << k << " " << ch;
      }
    }
  }
}

TEST(VirtualPlayback, LoopPeriodsMayDiffer) {
  // The capture's periods of 480 frames, the playback's of 64 or 1000: the same positions.
  for (unsigned buffer : {64u, 1000u}) {
    for (const char* pace : {"speed=max", "speed=realtime"}) {
      SCOPED_TRACE(std::string(pace) + " " + std::to_string(buffer));
      auto r = loop_run(std::string("signal=loop,latency=2ms,") + pace, 2, 2, 4800, 5760,
                        buffer == 64, buffer);
      ASSERT_TRUE(r.ok);
      for (size_t k = 0; k < 5760; ++k) {
        const bool sounding = k >= 96 && k - 96 < 4800;
        ASSERT_EQ(r.sink->at(k, 0), sounding ? played_sample(k - 96, 0) : 0.0f) << k;
      }
    }
  }
}

TEST(VirtualPlayback, LoopXrunShowsAsAJump) {
  // The capture loses 480 frames at 100 ms (frame 4800): from there it is 480 frames ahead.
  auto r = loop_run("signal=loop,speed=max,latency=5ms,xrun=100ms", 2, 2, 24000, 9600, false);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.sink->events().size(), 1u);
  EXPECT_EQ(r.sink->events()[0].kind, Kind::xrun);
  // Found from the samples alone: the ramp steps by one frame everywhere but at the jump.
  const float step = played_sample(1, 0) - played_sample(0, 0);
  std::vector<size_t> jumps;
  for (size_t k = 241; k < 9600; ++k)
    if (r.sink->at(k, 0) - r.sink->at(k - 1, 0) != step) jumps.push_back(k);
  ASSERT_EQ(jumps.size(), 1u);
  EXPECT_EQ(jumps[0], 4800u);
  EXPECT_EQ(r.sink->at(4800, 0), played_sample(4800 + 480 - 240, 0));
  EXPECT_EQ(r.sink->at(4799, 0), played_sample(4799 - 240, 0));
}

TEST(VirtualPlayback, LoopDropGapIsPlayedOnAndNeverCaptured) {
  // The capture is gone from 50 to 80 ms (frames 2400..3839): after it comes back its frame
  // 2400 is device position 3840.
  auto r = loop_run("signal=loop,speed=max,drop=50ms:80ms", 2, 2, 24000, 9600, false);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.sink->events().size(), 2u);
  for (size_t k = 0; k < 9600; ++k) {
    const uint64_t g = k < 2400 ? k : k + 1440;
    ASSERT_EQ(r.sink->at(k, 0), played_sample(g, 0)) << k;
  }
}

TEST(VirtualPlayback, LoopDropGapDoesNotHoldThePlaybackUp) {
  // Real time, a 500 ms gap, longer than the delay line (16384 frames, 171 ms at 96 kHz):
  // the playback (300 ms) still finishes before the capture comes back.
  auto d = device("signal=loop,rate=96000,drop=20ms:520ms");
  ASSERT_TRUE(d);
  KeepSink sink(2, 1'000'000);
  RampSource source(2, 28800);
  auto capture = d->open_capture({}, sink);
  auto playback = d->open_playback({}, source);
  ASSERT_TRUE(capture.ok() && playback.ok());
  ASSERT_TRUE((*capture)->start().ok());
  ASSERT_TRUE((*playback)->start().ok());
  ASSERT_TRUE(wait_until([&] { return (*playback)->finished(); }, 2s));
  EXPECT_EQ(sink.received(), 1920u) << "the capture came back before the playback finished";
  EXPECT_LT((*capture)->clock(), 520ms);
  (*capture)->stop();
  (*playback)->stop();
  for (size_t k = 0; k < 1920; ++k) ASSERT_EQ(sink.at(k, 0), played_sample(k, 0)) << k;
}

TEST(VirtualPlayback, LoopInRealTimeIsExactToo) {
  // 7.3 ms at 48 kHz, 200 ms played, real time: the same frame-exact delay of 350 frames.
  const auto begin = std::chrono::steady_clock::now();
  auto r = loop_run("signal=loop,latency=7.3ms", 2, 2, 9600, 12000, true);
  ASSERT_TRUE(r.ok);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 200ms);
  for (size_t k = 0; k < 12000; ++k) {
    const bool sounding = k >= 350 && k - 350 < 9600;
    ASSERT_EQ(r.sink->at(k, 1), sounding ? played_sample(k - 350, 1) : 0.0f) << k;
  }
}

TEST(VirtualPlayback, LoopPauseInsertsSilenceAndLosesNothing) {
  // Real time: play, pause for ~50 ms, resume. The capture holds the ramp, a silent gap of
  // whole periods, then the ramp from exactly where it stopped.
  auto d = device("signal=loop,latency=0");
  ASSERT_TRUE(d);
  KeepSink sink(1, 16000);
  RampSource source(1, 9600);
  auto capture = d->open_capture({0, 1, 0}, sink);
  auto playback = d->open_playback({0, 1, 0, {}}, source);
  ASSERT_TRUE(capture.ok() && playback.ok());
  ASSERT_TRUE((*capture)->start().ok());
  ASSERT_TRUE((*playback)->start().ok());
  ASSERT_TRUE(wait_until([&] { return (*playback)->taken() >= 2400; }));
  ASSERT_TRUE((*playback)->pause().ok());
  std::this_thread::sleep_for(15ms);
  const size_t calls = source.calls();
  const uint64_t taken = (*playback)->taken();
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(source.calls(), calls);  // not asked while paused
  EXPECT_EQ((*playback)->taken(), taken);
  EXPECT_EQ((*playback)->heard(), taken);  // what the device held has played out
  ASSERT_TRUE((*playback)->resume().ok());
  ASSERT_TRUE(wait_until([&] { return sink.done() && (*playback)->finished(); }));
  // The capture reads a period behind: let it pass the end of what was played.
  const size_t seen = sink.received();
  ASSERT_TRUE(wait_until([&] { return sink.received() >= seen + 1440; }));
  (*capture)->stop();
  (*playback)->stop();
  // Nonzero samples: the ramp 0..9599, each once, in order; one gap of whole periods.
  uint64_t next = 0;
  size_t gaps = 0;
  size_t silent = 0;
  for (size_t k = 0; k < sink.received(); ++k) {
    const float x = sink.at(k, 0);
    if (x == 0.0f) {
      ++silent;
      continue;
    }
    if (silent && next) {
      ++gaps;
      EXPECT_EQ(silent % 480, 0u) << k;
      EXPECT_GE(silent, 480u * 4);
    }
    silent = 0;
    ASSERT_EQ(x, played_sample(next, 0)) << k;
    ++next;
  }
  EXPECT_EQ(next, 9600u);
  EXPECT_EQ(gaps, 1u);
}

TEST(VirtualPlayback, StopAtTheGateAndDestroyInAnyOrder) {
  // A started stream waits for its partner; stop() releases it, and the partner then runs
  // alone.
  auto d = device("signal=loop,speed=max");
  ASSERT_TRUE(d);
  KeepSink sink(2, 4800);
  RampSource source(2, 4800);
  auto capture = d->open_capture({}, sink);
  auto playback = d->open_playback({}, source);
  ASSERT_TRUE(capture.ok() && playback.ok());
  ASSERT_TRUE((*playback)->start().ok());
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ((*playback)->taken(), 0u);  // waiting for the capture
  (*playback)->stop();
  ASSERT_TRUE((*capture)->start().ok());
  ASSERT_TRUE(wait_until([&] { return sink.done(); }));
  for (size_t k = 0; k < 4800; ++k) ASSERT_EQ(sink.at(k, 0), 0.0f);
  playback->reset();
  capture->reset();
  // The device pairs again once both are gone.
  KeepSink sink2(2, 4800);
  RampSource source2(2, 4800);
  auto capture2 = d->open_capture({}, sink2);
  auto playback2 = d->open_playback({}, source2);
  ASSERT_TRUE(capture2.ok() && playback2.ok());
  ASSERT_TRUE((*capture2)->start().ok());
  ASSERT_TRUE((*playback2)->start().ok());
  ASSERT_TRUE(wait_until([&] { return sink2.done() && (*playback2)->finished(); }));
  EXPECT_EQ(sink2.at(4799, 0), played_sample(4799, 0));
  capture2->reset();  // the capture goes first; the playback is not held up by it
  (*playback2)->stop();
}

}  // namespace
}  // namespace sc::audio
