// The virtual device end to end through its Device/CaptureStream interface: samples checked
// against an independent computation of the formulas in virtual_signal.h, exact frame counts,
// every fault, the pace of speed=realtime, and stop().
#include "core/audio/virtual/device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "core/session/codes.h"

namespace sc::audio {
namespace {

using namespace std::chrono_literals;
using Kind = DeviceEvent::Kind;

// Stores every frame and event in order. Storage is reserved up front (as a real sink
// would); what does not fit is counted in overflow() rather than stored.
class RecordingSink final : public CaptureSink {
 public:
  struct Item {
    bool is_event = false;
    DeviceEvent event;
    Duration at{0};  // frames
    size_t frames = 0;
    size_t offset = 0;  // index of the first frame in samples()
  };

  // wait_for_space() says no once `limit` frames would be exceeded.
  RecordingSink(unsigned channels, size_t limit, size_t capacity = 1 << 20)
      : channels_(channels), limit_(limit) {
    samples_.reserve(capacity * channels);
    items_.reserve(capacity / 8 + 64);
  }

  void on_frames(const float* data, size_t frames, Duration at) noexcept override {
    note_call();
    if (samples_.size() + frames * channels_ > samples_.capacity() ||
        items_.size() == items_.capacity()) {
      overflow_ = true;
    } else {
      items_.push_back(Item{false, {}, at, frames, samples_.size() / channels_});
      samples_.insert(samples_.end(), data, data + frames * channels_);
    }
    received_.fetch_add(frames);
  }

  void on_event(const DeviceEvent& event) noexcept override {
    note_call();
    if (items_.size() == items_.capacity()) {
      overflow_ = true;
    } else {
      items_.push_back(Item{true, event, event.at, 0, 0});
    }
    if (event.kind == Kind::ended) done_ = true;
  }

  bool wait_for_space(size_t frames) noexcept override {
    note_call();
    if (received_.load() + frames > limit_) {
      done_ = true;
      return false;
    }
    return true;
  }

  // After this, any call is counted in late_calls().
  void close() { closed_ = true; }

  bool done() const { return done_; }
  size_t received() const { return received_.load(); }
  int late_calls() const { return late_calls_; }
  bool overflow() const { return overflow_; }
  unsigned channels() const { return channels_; }
  const std::vector<Item>& items() const { return items_; }
  const std::vector<float>& samples() const { return samples_; }
  std::vector<DeviceEvent> events() const {
    std::vector<DeviceEvent> out;
    for (const auto& it : items_)
      if (it.is_event) out.push_back(it.event);
    return out;
  }
  // Frames delivered before the i-th event.
  size_t frames_before_event(size_t i) const {
    size_t frames = 0;
    for (const auto& it : items_) {
      if (it.is_event && i-- == 0) return frames;
      frames += it.frames;
    }
    return frames;
  }

 private:
  void note_call() {
    if (closed_) ++late_calls_;
  }

  const unsigned channels_;
  const size_t limit_;
  std::vector<float> samples_;
  std::vector<Item> items_;
  std::atomic<size_t> received_{0};
  std::atomic<bool> done_{false};
  std::atomic<bool> closed_{false};
  std::atomic<int> late_calls_{0};
  std::atomic<bool> overflow_{false};
};

struct Recording {
  std::unique_ptr<RecordingSink> sink;
  Duration clock{0};
  bool finished = false;
  unsigned rate = 0;
};

// Records `options` until the sink's limit or the device's end, then stops.
Recording record(const std::string& options, size_t limit, StreamParams params = {}) {
  Recording r;
  auto device = make_virtual_device(options);
  if (!device) {
    ADD_FAILURE() << options << ": " << device.error().message;
    return r;
  }
  const unsigned channels = params.channels ? params.channels : (*device)->info().input_channels;
  r.sink = std::make_unique<RecordingSink>(channels, limit);
  auto stream = (*device)->open_capture(params, *r.sink);
  if (!stream) {
    ADD_FAILURE() << options << ": " << stream.error().message;
    return r;
  }
  EXPECT_TRUE((*stream)->start().ok());
  while (!r.sink->done() && !(*stream)->finished()) std::this_thread::sleep_for(1ms);
  (*stream)->stop();
  r.clock = (*stream)->clock();
  r.finished = (*stream)->finished();
  r.rate = (*stream)->rate();
  EXPECT_FALSE(r.sink->overflow());
  return r;
}

// Where a frame is, as a consumer reconstructs it from the log.
struct Pos {
  double t;          // seconds since stream start
  unsigned rate;     // the rate of its segment
  int64_t start_ns;  // the start of its segment
  uint64_t k;        // its index in the segment
};

// Walks the log: segments start at 0 and at each format_changed or reconnected event, an xrun
// skips lost_frames. Checks each chunk's time and returns the largest difference between a
// delivered sample (every channel) and expected(pos).
template <typename F>
double max_error(const RecordingSink& sink, unsigned rate, F expected) {
  int64_t start_ns = 0;
  uint64_t k = 0;
  double worst = 0;
  for (const auto& it : sink.items()) {
    if (it.is_event) {
      if (it.event.kind == Kind::format_changed || it.event.kind == Kind::reconnected) {
        start_ns = it.event.at.count();
        rate = it.event.rate;
        k = 0;
      } else if (it.event.kind == Kind::xrun) {
        k += it.event.lost_frames;
      }
      continue;
    }
    const auto t_of = [&](uint64_t i) { return start_ns / 1e9 + static_cast<double>(i) / rate; };
    EXPECT_NEAR(it.at.count() / 1e9, t_of(k), 1.01e-9);
    for (size_t j = 0; j < it.frames; ++j, ++k) {
      const double want = expected(Pos{t_of(k), rate, start_ns, k});
      for (unsigned c = 0; c < sink.channels(); ++c) {
        const float got = sink.samples()[(it.offset + j) * sink.channels() + c];
        worst = std::max(worst, std::abs(static_cast<double>(got) - want));
      }
    }
  }
  return worst;
}

constexpr double kTwoPi = 2 * std::numbers::pi;
double amplitude(double dbfs) { return std::pow(10.0, dbfs / 20); }

auto sine(double f, double dbfs = -6) {
  return [=](const Pos& p) { return amplitude(dbfs) * std::sin(kTwoPi * f * p.t); };
}

auto chirp(double f1, double dbfs = -6) {
  return [=](const Pos& p) {
    const double tau = std::fmod(p.t, 1.0);
    return amplitude(dbfs) * std::sin(kTwoPi * (20 * tau + (f1 - 20) * tau * tau / 2));
  };
}

// splitmix64 as published (a stateful generator), for an independent noise reference.
std::vector<double> noise_values(uint64_t seed, size_t count, double dbfs = -6) {
  std::vector<double> out;
  uint64_t state = seed;
  for (size_t i = 0; i < count; ++i) {
    uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    out.push_back(amplitude(dbfs) * (2 * static_cast<double>(z >> 11) / 0x1p53 - 1));
  }
  return out;
}

auto noise(const std::vector<double>& values) {
  return [&values](const Pos& p) {
    const uint64_t base =
        (static_cast<uint64_t>(p.start_ns) * p.rate + 999'999'999) / 1'000'000'000;
    return values.at(base + p.k);
  };
}

TEST(VirtualDevice, InfoAndDefaults) {
  const DeviceInfo info = virtual_device_info();
  EXPECT_EQ(info.index, -1);
  EXPECT_EQ(info.api, "virtual");
  EXPECT_EQ(info.name, "soundcheck virtual device");
  EXPECT_EQ(info.id, "virtual");
  EXPECT_EQ(info.input_channels, 2u);
  EXPECT_EQ(info.output_channels, 2u);
  EXPECT_EQ(info.preferred_rate, 48000u);
  EXPECT_EQ(info.rates, (std::vector<unsigned>{8000, 11025, 16000, 22050, 32000, 44100, 48000,
                                               88200, 96000, 176400, 192000}));

  auto odd = make_virtual_device("rate=12345,channels=6");
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  EXPECT_EQ((*odd)->info().input_channels, 6u);
  EXPECT_EQ((*odd)->info().preferred_rate, 12345u);
  EXPECT_TRUE(std::is_sorted((*odd)->info().rates.begin(), (*odd)->info().rates.end()));
  EXPECT_EQ((*odd)->info().rates.size(), 12u);
  EXPECT_EQ((*odd)->info().rates[2], 12345u);
}

TEST(VirtualDevice, NoInputChannelsCannotStartRecording) {
  auto device = make_virtual_device("channels=0");
  ASSERT_TRUE(device.ok());
  EXPECT_EQ((*device)->info().input_channels, 0u);
  RecordingSink sink(1, 100);
  auto stream = (*device)->open_capture({}, sink);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().session, &info(SessionCode::cannotStartRecording));
  EXPECT_EQ(stream.error().exit, Exit::unavailable);
  EXPECT_NE(stream.error().message.find("'virtual:channels=0'"), std::string::npos)
      << stream.error().message;
  EXPECT_FALSE(stream.error().hint.empty());
}

TEST(VirtualDevice, RefusedParamsNameTheDevice) {
  auto device = make_virtual_device("signal=sine:5000");
  ASSERT_TRUE(device.ok());
  RecordingSink sink(4, 100);
  struct Case {
    StreamParams params;
    const char* want;
  };
  for (const auto& c : std::vector<Case>{{{0, 3, 0}, "has 2 input channels; 3 were asked for"},
                                         {{999, 0, 0}, "cannot run at 999 Hz"},
                                         {{8000, 0, 0}, "5000 Hz sine at 8000 Hz"},
                                         {{0, 0, 8}, "buffer of 8 frames"}}) {
    SCOPED_TRACE(c.want);
    auto stream = (*device)->open_capture(c.params, sink);
    ASSERT_FALSE(stream.ok());
    EXPECT_EQ(stream.error().session, &info(SessionCode::cannotStartRecording));
    EXPECT_NE(stream.error().message.find("virtual device 'virtual:signal=sine:5000'"),
              std::string::npos)
        << stream.error().message;
    EXPECT_NE(stream.error().message.find(c.want), std::string::npos) << stream.error().message;
  }
}

TEST(VirtualSignal, SineIsExact) {
  auto r = record("speed=max,signal=sine:997,level=-3", 3 * 48000);
  ASSERT_TRUE(r.sink);
  EXPECT_EQ(r.sink->received(), 3u * 48000);
  EXPECT_LT(max_error(*r.sink, 48000, sine(997, -3)), 1e-6);
  EXPECT_EQ(r.clock, 3s);
  EXPECT_FALSE(r.finished);
}

TEST(VirtualSignal, ChirpIsExactAcrossSweeps) {
  auto r = record("speed=max,signal=chirp,rate=44100,level=0", 44100 * 5 / 2);
  ASSERT_TRUE(r.sink);
  EXPECT_LT(max_error(*r.sink, 44100, chirp(0.45 * 44100, 0)), 1e-6);
  // At 48 kHz the sweep tops out at 20 kHz.
  auto r48 = record("speed=max,signal=chirp", 48000 * 3 / 2);
  EXPECT_LT(max_error(*r48.sink, 48000, chirp(20000)), 1e-6);
}

TEST(VirtualSignal, SilenceAndLoopAreZero) {
  for (const char* spec : {"speed=max,signal=silence", "speed=max,signal=loop,latency=5ms"}) {
    auto r = record(spec, 48000);
    ASSERT_TRUE(r.sink);
    EXPECT_EQ(r.sink->received(), 48000u);
    EXPECT_EQ(max_error(*r.sink, 48000, [](const Pos&) { return 0.0; }), 0.0) << spec;
  }
}

TEST(VirtualSignal, NoiseIsReproducible) {
  const auto seven = noise_values(7, 48000);
  auto a = record("speed=max,signal=noise,seed=7", 48000);
  auto b = record("speed=max,signal=noise,seed=7,buffer=64", 48000);
  auto c = record("speed=max,signal=noise,seed=8", 48000);
  ASSERT_TRUE(a.sink && b.sink && c.sink);
  EXPECT_LT(max_error(*a.sink, 48000, noise(seven)), 1e-6);
  EXPECT_EQ(a.sink->samples(), b.sink->samples());  // the period size does not matter
  EXPECT_NE(a.sink->samples(), c.sink->samples());
  // Uniform in [-A, A): the extremes are near A and the mean near 0.
  const auto [lo, hi] = std::minmax_element(a.sink->samples().begin(), a.sink->samples().end());
  EXPECT_LT(*lo, -0.49);
  EXPECT_GT(*hi, 0.49);
  EXPECT_GE(*lo, -amplitude(-6) - 1e-6);
  EXPECT_LE(*hi, amplitude(-6) + 1e-6);
}

TEST(VirtualDevice, StreamParamsOverrideTheSpec) {
  // A different rate is produced exactly; fewer channels; another period.
  auto r = record("speed=max,signal=sine:440", 9600, StreamParams{96000, 1, 64});
  ASSERT_TRUE(r.sink);
  EXPECT_EQ(r.rate, 96000u);
  EXPECT_EQ(r.sink->received(), 9600u);
  for (const auto& it : r.sink->items()) EXPECT_EQ(it.frames, 64u);
  EXPECT_LT(max_error(*r.sink, 96000, sine(440)), 1e-6);
  EXPECT_EQ(r.clock, 100ms);
}

TEST(VirtualStream, ExactFrameCounts) {
  struct Case {
    const char* spec;
    size_t limit;
    size_t want;  // whole periods that fit
    unsigned rate;
  };
  for (const auto& c :
       std::vector<Case>{{"speed=max", 48000, 48000, 48000},
                         {"speed=max", 10000, 9600, 48000},
                         {"speed=max,buffer=16", 1000, 992, 48000},
                         {"speed=max,buffer=65536", 200000, 196608, 48000},
                         {"speed=max,rate=44100", 44100, 43680, 44100},
                         {"speed=max,rate=44100,buffer=441", 44100, 44100, 44100}}) {
    SCOPED_TRACE(c.spec);
    auto r = record(c.spec, c.limit);
    ASSERT_TRUE(r.sink);
    EXPECT_EQ(r.sink->received(), c.want);
    EXPECT_EQ(r.sink->events().size(), 0u);
    EXPECT_EQ(r.clock.count(), static_cast<int64_t>(c.want * 1'000'000'000 / c.rate));
  }
}

TEST(VirtualFaults, DropAndComeBack) {
  auto r = record("speed=max,drop=0.5s:1.5s", 48000);
  ASSERT_TRUE(r.sink);
  const auto events = r.sink->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::disconnected);
  EXPECT_EQ(events[0].at, 500ms);
  EXPECT_EQ(events[1].kind, Kind::reconnected);
  EXPECT_EQ(events[1].at, 1500ms);
  EXPECT_EQ(events[1].rate, 48000u);
  EXPECT_EQ(events[1].channels, 2u);
  EXPECT_EQ(r.sink->frames_before_event(0), 24000u);
  EXPECT_EQ(r.sink->frames_before_event(1), 24000u);
  // The clock jumped over the gap: 24000 frames after 1.5 s.
  EXPECT_EQ(r.clock, 2s);
  EXPECT_FALSE(r.finished);
  EXPECT_LT(max_error(*r.sink, 48000, sine(1000)), 1e-6);
  const auto& after = r.sink->items()[r.sink->items().size() - 1];
  EXPECT_EQ(after.at, 2s - 10ms);
}

TEST(VirtualFaults, DropForGoodEndsTheStream) {
  auto r = record("speed=max,drop=250ms", 1'000'000);
  ASSERT_TRUE(r.sink);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.sink->received(), 12000u);
  const auto events = r.sink->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::ended);
  EXPECT_EQ(events[0].at, 250ms);
  EXPECT_TRUE(r.sink->items().back().is_event);
  EXPECT_EQ(r.clock, 250ms);
}

TEST(VirtualFaults, XrunLosesOnePeriod) {
  // On a period boundary, and inside a period (0.1003 s is frame 4814.4 -> 4815).
  for (auto [spec, first_lost] : std::vector<std::pair<std::string, size_t>>{
           {"speed=max,xrun=100ms", 4800}, {"speed=max,xrun=100.3ms", 4815}}) {
    SCOPED_TRACE(spec);
    auto r = record(spec, 9600);
    ASSERT_TRUE(r.sink);
    const auto events = r.sink->events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::xrun);
    EXPECT_EQ(events[0].lost_frames, 480u);
    EXPECT_EQ(r.sink->frames_before_event(0), first_lost);
    // The frame after the gap is where the lost period ends.
    const auto& items = r.sink->items();
    const auto ev = std::find_if(items.begin(), items.end(), [](auto& i) { return i.is_event; });
    ASSERT_NE(ev + 1, items.end());
    EXPECT_EQ((ev + 1)->at.count(), static_cast<int64_t>((first_lost + 480) * 1e9 / 48000));
    EXPECT_NEAR(r.sink->samples()[first_lost * 2],
                sine(1000)(Pos{(first_lost + 480) / 48000.0, 48000, 0, first_lost + 480}), 1e-6);
    EXPECT_LT(max_error(*r.sink, 48000, sine(1000)), 1e-6);
    EXPECT_EQ(r.sink->received(), 9600u);
  }
}

TEST(VirtualFaults, RateChangeKeepsTheSignalAFunctionOfTime) {
  auto r = record("speed=max,signal=sine:1500,rate-change=500.01ms:44100", 48000);
  ASSERT_TRUE(r.sink);
  const auto events = r.sink->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::format_changed);
  EXPECT_EQ(events[0].at, 500010us);
  EXPECT_EQ(events[0].rate, 44100u);
  EXPECT_EQ(events[0].channels, 2u);
  EXPECT_EQ(r.sink->frames_before_event(0), 24001u);  // ceil(0.50001 * 48000)
  EXPECT_EQ(r.rate, 44100u);
  EXPECT_LT(max_error(*r.sink, 48000, sine(1500)), 1e-6);
  // Noise and chirp too (the chirp's top follows the lowest rate: 0.45 * 22050).
  const auto values = noise_values(1, 100000);
  auto n = record("speed=max,signal=noise,rate-change=0.25s:96000", 40000);
  EXPECT_LT(max_error(*n.sink, 48000, noise(values)), 1e-6);
  auto c = record("speed=max,signal=chirp,rate-change=0.7s:22050", 60000);
  EXPECT_LT(max_error(*c.sink, 48000, chirp(0.45 * 22050)), 1e-6);
}

TEST(VirtualFaults, SeveralInOneSpec) {
  auto r = record(
      "speed=max,signal=noise,seed=3,xrun=0.1s,rate-change=0.3s:96000,drop=0.5s:0.7s,"
      "xrun=0.8s,drop=1s",
      1'000'000);
  ASSERT_TRUE(r.sink);
  EXPECT_TRUE(r.finished);
  const auto events = r.sink->events();
  ASSERT_EQ(events.size(), 6u);
  const std::vector<std::pair<Kind, Duration>> want{
      {Kind::xrun, 100ms},        {Kind::format_changed, 300ms}, {Kind::disconnected, 500ms},
      {Kind::reconnected, 700ms}, {Kind::xrun, 800ms},           {Kind::ended, 1s}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(events[i].kind, want[i].first) << i;
    EXPECT_EQ(events[i].at, want[i].second) << i;
  }
  EXPECT_EQ(events[3].rate, 96000u);
  // 0.1 s at 48k, minus 480 lost, + 0.2 s at 48k, + 0.2 s at 96k, + 0.3 s at 96k minus 480.
  EXPECT_EQ(r.sink->received(), 4800u + 9600 - 480 + 19200 + 28800 - 480);
  EXPECT_EQ(r.clock, 1s);
  const auto values = noise_values(3, 100000);
  EXPECT_LT(max_error(*r.sink, 48000, noise(values)), 1e-6);
}

TEST(VirtualFaults, LateFaultsTakeEffectAtTheNextFrame) {
  // The second xrun falls in the frames the first one skipped; the rate change in the gap.
  auto r =
      record("speed=max,xrun=100ms,xrun=105ms,drop=200ms:300ms,rate-change=250ms:44100", 20000);
  ASSERT_TRUE(r.sink);
  const auto events = r.sink->events();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].kind, Kind::xrun);
  EXPECT_EQ(events[1].at, 110ms);
  EXPECT_EQ(events[3].kind, Kind::reconnected);
  EXPECT_EQ(events[3].rate, 48000u);
  EXPECT_EQ(events[4].kind, Kind::format_changed);
  EXPECT_EQ(events[4].at, 300ms);
  EXPECT_EQ(events[4].rate, 44100u);
  EXPECT_LT(max_error(*r.sink, 48000, sine(1000)), 1e-6);
}

TEST(VirtualStream, RealtimeIsNotFasterThanRealTime) {
  auto device = make_virtual_device("buffer=480");
  ASSERT_TRUE(device.ok());
  RecordingSink sink(2, 0);
  auto stream = (*device)->open_capture({}, sink);
  ASSERT_TRUE(stream.ok());
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE((*stream)->start().ok());
  while (sink.received() < 9600) std::this_thread::sleep_for(1ms);
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  (*stream)->stop();
  EXPECT_GE(elapsed, 150ms);
  EXPECT_GE((*stream)->clock(), 200ms);
  EXPECT_LT(max_error(sink, 48000, sine(1000)), 1e-6);
}

TEST(VirtualStream, StopIsIdempotentAndFinal) {
  for (const char* spec : {"speed=max", "speed=realtime,buffer=16", "drop=10ms:1h"}) {
    SCOPED_TRACE(spec);
    auto device = make_virtual_device(spec);
    ASSERT_TRUE(device.ok());
    RecordingSink sink(2, SIZE_MAX, 1 << 16);
    auto stream = (*device)->open_capture({}, sink);
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->start().ok());
    EXPECT_FALSE((*stream)->start().ok());  // once
    std::this_thread::sleep_for(30ms);
    (*stream)->stop();  // in the drop case, in the middle of an hour-long gap
    sink.close();
    (*stream)->stop();
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(sink.late_calls(), 0);
    EXPECT_GT(sink.received(), 0u);
    EXPECT_FALSE((*stream)->finished());
    stream->reset();  // the destructor stops too
    EXPECT_EQ(sink.late_calls(), 0);
  }
}

// Counts frames and throws them away.
class DiscardSink final : public CaptureSink {
 public:
  explicit DiscardSink(size_t limit) : limit_(limit) {}
  void on_frames(const float* data, size_t frames, Duration) noexcept override {
    received_ += frames;
    last_ = data[0];
  }
  void on_event(const DeviceEvent&) noexcept override {}
  bool wait_for_space(size_t frames) noexcept override {
    if (received_ + frames > limit_) done_ = true;
    return !done_;
  }
  std::atomic<bool> done_{false};
  size_t received_ = 0;
  float last_ = 0;
  const size_t limit_;
};

// Not a speed assertion (tests never assert on speed): prints what speed=max reaches.
TEST(VirtualSpeed, PrintsFramesPerSecond) {
  for (const char* spec : {"speed=max", "speed=max,buffer=4096", "speed=max,signal=chirp",
                           "speed=max,signal=noise", "speed=max,signal=silence"}) {
    auto device = make_virtual_device(spec);
    ASSERT_TRUE(device.ok());
    DiscardSink sink(48000 * 600);  // ten minutes
    auto stream = (*device)->open_capture({}, sink);
    ASSERT_TRUE(stream.ok());
    const auto begin = std::chrono::steady_clock::now();
    ASSERT_TRUE((*stream)->start().ok());
    while (!sink.done_) std::this_thread::sleep_for(1ms);
    (*stream)->stop();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    EXPECT_GT(sink.received_, 48000u * 600 - 4096);  // whole periods
    std::printf("[ speed    ] %-32s stereo 48k: %.0f frames/s (%.0fx real time)\n", spec,
                sink.received_ / seconds, sink.received_ / seconds / 48000);
  }
}

}  // namespace
}  // namespace sc::audio
