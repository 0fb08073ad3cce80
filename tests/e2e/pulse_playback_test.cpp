// The PulseAudio playback stream (core/audio/pulse/playback.h) in this process, against a real
// PulseAudio server and independent tools: what it plays into a null sink is recorded from the
// sink's monitor by parecord and compared with the source frame for frame; pactl shows its
// properties; paplay with media.role=phone and module-role-cork make the server ask it to cork.
// This program links soundcheck_core (tests/CMakeLists.txt).
//
// Every test runs on a private server of its own (support/private_pulse.h), PulseAudio and
// PipeWire's pipewire-pulse in turn: module-role-cork and phone streams would interrupt what other
// tests play and record on the shared server at the same time. A test skips, saying why, when its
// private server cannot be started.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/audio/device.h"
#include "core/audio/pulse/device.h"
#include "core/audio/rtaudio/device.h"
#include "tests/support/eventually.h"
#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;
using audio::DeviceEvent;

constexpr unsigned kRate = 48000;
constexpr unsigned kChannels = 2;

// A new stream's first few ms (10-20 here) do not reach a null sink's monitor, nor do those after
// an uncork: the sink rewinds to mix the stream in at once, and the monitor keeps what it had
// rendered there (silence). pacat and paplay lose theirs the same way. So every signal starts
// with kLead of silence, and the frames hidden after a resume are counted, not failed.
constexpr size_t kLead = kRate / 10;

// kLead of silence, then deterministic noise (xorshift32) at amplitude 0.3: one alignment only,
// unlike a sine.
std::vector<float> noise(size_t frames, uint32_t seed = 2463534242u) {
  std::vector<float> v(frames);
  uint32_t x = seed;
  for (size_t i = kLead; i < frames; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v[i] = 0.3f * (static_cast<float>(x) / 4294967296.0f * 2.0f - 1.0f);
  }
  return v;
}

// A source over a mono signal given to every channel; `loop` plays it forever. Pulls come on
// libpulse's thread; the test reads the events under a lock (a test may).
class SignalSource final : public audio::PlaybackSource {
 public:
  SignalSource(std::vector<float> signal, unsigned channels, bool loop = false)
      : signal_(std::move(signal)), channels_(channels), loop_(loop) {}

  // Every `every`-th pull gives half of what is asked for (an underrun of the source).
  void stutter(unsigned every) { stutter_ = every; }

  size_t on_need(float* out, size_t frames, Duration) noexcept override {
    if (stutter_ && pulls_.load() % stutter_ == stutter_ - 1 && frames > 1) {
      short_ += frames - frames / 2;
      frames /= 2;
    }
    size_t n = 0;
    size_t pos = pos_.load();
    for (; n < frames; ++n, ++pos) {
      if (pos >= signal_.size()) {
        if (!loop_) break;
        pos = 0;
      }
      for (unsigned c = 0; c < channels_; ++c) out[n * channels_ + c] = signal_[pos];
    }
    pos_.store(pos);
    pulls_.fetch_add(1);
    return n;
  }
  void on_event(const DeviceEvent& e) noexcept override {
    std::lock_guard<std::mutex> g(mutex_);
    events_.push_back(e);
  }
  bool end() const noexcept override { return !loop_ && pos_.load() >= signal_.size(); }
  bool wait_for_data(size_t) noexcept override { return true; }

  std::vector<DeviceEvent> events() const {
    std::lock_guard<std::mutex> g(mutex_);
    return events_;
  }
  bool has(DeviceEvent::Kind k) const {
    for (const auto& e : events())
      if (e.kind == k) return true;
    return false;
  }
  uint64_t pulls() const { return pulls_.load(); }
  // Frames the stutter held back while the source had more (the end's shortfall not counted).
  uint64_t held_back() const { return short_.load(); }

 private:
  const std::vector<float> signal_;
  const unsigned channels_;
  const bool loop_;
  std::atomic<size_t> pos_{0};
  std::atomic<uint64_t> pulls_{0};
  unsigned stutter_ = 0;
  std::atomic<uint64_t> short_{0};
  mutable std::mutex mutex_;
  std::vector<DeviceEvent> events_;
};

// Events as text, for failure messages: "xrun(0) cork_requested ...".
std::string describe(const std::vector<DeviceEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    static const char* const names[] = {
        "xrun",  "disconnected",   "reconnected",     "format_changed",
        "ended", "cork_requested", "uncork_requested"};
    out += std::string(names[static_cast<int>(e.kind)]) + "(" + std::to_string(e.lost_frames) +
           " at " + std::to_string(to_seconds(e.at)) + " s) ";
  }
  return out.empty() ? "none" : out;
}

// Channel 0 of a raw float32 stereo file. With SC_KEEP_CAPTURES=DIR set, the file is copied
// there for a closer look.
std::vector<float> read_channel0(const std::string& path) {
  if (const char* keep = std::getenv("SC_KEEP_CAPTURES")) {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '.');
    const std::string to = std::string(keep) + "/" + name + ".raw";
    std::ifstream src(path, std::ios::binary);
    std::ofstream(to, std::ios::binary) << src.rdbuf();
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<float> out;
  float frame[kChannels];
  while (in.read(reinterpret_cast<char*>(frame), sizeof frame)) out.push_back(frame[0]);
  return out;
}

// Where `source[from, from+len)` best matches in `capture` (normalized cross-correlation over
// every lag): the capture index of source frame `from`, and the correlation there.
struct Match {
  long at = -1;
  double corr = 0;
};
Match locate(const std::vector<float>& capture, const std::vector<float>& source, size_t from,
             size_t len = 2048) {
  Match best;
  if (from + len > source.size() || capture.size() < len) return best;
  double tt = 0;
  for (size_t i = 0; i < len; ++i) tt += double(source[from + i]) * source[from + i];
  for (size_t lag = 0; lag + len <= capture.size(); ++lag) {
    double ct = 0, cc = 0;
    for (size_t i = 0; i < len; ++i) {
      ct += double(capture[lag + i]) * source[from + i];
      cc += double(capture[lag + i]) * capture[lag + i];
    }
    const double r = cc > 0 ? ct / std::sqrt(cc * tt) : 0;
    if (r > best.corr) best = {static_cast<long>(lag), r};
  }
  return best;
}

// How many of source[from, to) differ from the capture at `offset` (capture index minus source
// index) by more than the 16-bit sink's rounding.
size_t mismatches(const std::vector<float>& capture, const std::vector<float>& source, long offset,
                  size_t from, size_t to) {
  size_t bad = 0;
  for (size_t i = from; i < to; ++i) {
    const long j = static_cast<long>(i) + offset;
    if (j < 0 || j >= static_cast<long>(capture.size()) || std::fabs(capture[j] - source[i]) > 1e-3)
      ++bad;
  }
  return bad;
}

class PulsePlayback : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    if (!server_->ok()) GTEST_SKIP() << "no private " << GetParam() << ": " << server_->error();
    setenv("PULSE_SERVER", server_->address().c_str(), 1);
    setenv("PULSE_SINK", kSink, 1);  // where ALSA's pulse plugin plays (RtAudio's tests)
    module_ = server_->load_null_sink(kSink);
    ASSERT_FALSE(module_.empty()) << server_->error();
  }
  void TearDown() override {
    unsetenv("PULSE_SERVER");
    unsetenv("PULSE_SINK");
    keep_running_.reset();
    server_.reset();
  }

  // The null sink's row, as list_devices() gives it.
  static audio::DeviceInfo sink_info() {
    audio::DeviceInfo info;
    info.api = "pulse";
    info.id = info.name = kSink;
    info.output_channels = kChannels;
    info.preferred_rate = kRate;
    return info;
  }
  std::unique_ptr<audio::PlaybackStream> open(SignalSource& source) {
    audio::PlaybackParams params;
    params.rate = kRate;
    params.channels = kChannels;
    params.properties = {{"media.role", "music"}};
    auto device = audio::make_pulse_device(sink_info());
    auto stream = device->open_playback(params, source);
    EXPECT_TRUE(stream.ok()) << stream.error().message;
    return stream.ok() ? std::move(*stream) : nullptr;
  }
  // parecord (an independent tool) on the sink's monitor, raw float32 stereo, into `path`,
  // with `latency` of buffer; started and recording when this returns. 200 ms keeps a loaded
  // machine (the sanitizer build) from making it overrun (766 frames differed once on
  // PipeWire at 10 ms). A monitor's recorder also bounds how far ahead the null sink renders:
  // a pause is only exact in the monitor when that is small (10 ms), since what the sink
  // rendered into the monitor before a cork cannot be rewound out of it (671 frames past the
  // read index were seen at 200 ms).
  // A null sink with no input is idle and its monitor sends nothing, and the first block after
  // it wakes never reaches the monitor's recorders (paplay's first 10 ms are missing too): pacat
  // plays silence into it meanwhile, so the sink runs throughout and the silence adds nothing to
  // what is mixed.
  std::unique_ptr<Process> record(const std::string& path,
                                  std::chrono::milliseconds latency = 200ms) {
    keep_running_ = std::make_unique<Process>(
        "/usr/bin/pacat",
        std::vector<std::string>{"--playback", "--device=" + std::string(kSink), "--raw",
                                 "--format=float32le", "--rate=48000", "--channels=2", "/dev/zero"},
        server_->env());
    EXPECT_TRUE(eventually(3s, [&] {
      auto r = server_->pactl({"list", "short", "sink-inputs"});
      return r.out.find('\t') != std::string::npos;
    })) << "pacat never connected";
    auto p = std::make_unique<Process>(
        "/usr/bin/parecord",
        std::vector<std::string>{"--device=" + std::string(kSink) + ".monitor", "--raw",
                                 "--format=float32le", "--rate=48000", "--channels=2",
                                 "--latency-msec=" + std::to_string(latency.count()), path},
        server_->env());
    EXPECT_TRUE(eventually(3s, [&] {
      auto r = server_->pactl({"list", "short", "source-outputs"});
      return r.out.find('\t') != std::string::npos;
    })) << "parecord never connected";
    std::this_thread::sleep_for(100ms);
    return p;
  }
  // A monitor holds back as much as its sink can rewind (up to 2 s for a null sink that was idle)
  // before its recorders get it: parecord stops once that has passed.
  static void stop_recording(Process& p) {
    std::this_thread::sleep_for(2500ms);
    p.signal(SIGINT);
    p.wait();
  }

  using Opener = std::function<std::unique_ptr<audio::PlaybackStream>(SignalSource&)>;
  void plays_frame_for_frame(const Opener& open_stream);
  void pause_loses_nothing(const Opener& open_stream);
  void underruns_are_silence(const Opener& open_stream);

  static constexpr const char* kSink = "sc_play";
  std::unique_ptr<PrivatePulse> server_;
  std::string module_;
  std::unique_ptr<Process> keep_running_;  // pacat's silence
};
// PulseAudio, and PipeWire's pipewire-pulse (which has no module-role-cork).
INSTANTIATE_TEST_SUITE_P(Server, PulsePlayback, ::testing::Values("pulseaudio", "pipewire"),
                         [](const auto& p) { return p.param; });

// Plays 1.5 s through a stream `open_stream` makes and checks that parecord hears every frame.
void PulsePlayback::plays_frame_for_frame(const Opener& open_stream) {
  const auto signal = noise(kRate * 3 / 2);
  SignalSource source(signal, kChannels);
  const std::string raw = temp_dir() + "/monitor.raw";
  auto rec = record(raw);
  auto stream = open_stream(source);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->rate(), kRate);
  EXPECT_EQ(stream->channels(), kChannels);
  const auto d = stream->describe();
  ASSERT_TRUE(stream->start().ok());
  std::printf("[ describe ] %s: %s, fragment %zu frames, latency %.1f ms\n", d.backend.c_str(),
              d.client.c_str(), d.fragment_frames, to_seconds(stream->describe().latency) * 1e3);

  // heard() climbs, never past taken(), never back.
  uint64_t last = 0;
  bool monotonic = true, bounded = true;
  ASSERT_TRUE(eventually(5s,
                         [&] {
                           const uint64_t h = stream->heard(), t = stream->taken();
                           monotonic = monotonic && h >= last;
                           bounded = bounded && h <= t;
                           last = h;
                           return stream->finished();
                         }))
      << "never finished; heard " << stream->heard() << " of " << stream->taken();
  EXPECT_TRUE(monotonic);
  EXPECT_TRUE(bounded);
  EXPECT_EQ(stream->taken(), signal.size());
  EXPECT_EQ(stream->heard(), signal.size());
  stop_recording(*rec);

  const auto capture = read_channel0(raw);
  ASSERT_GT(capture.size(), signal.size()) << "parecord recorded too little";
  const Match m = locate(capture, signal, kLead);
  std::printf("[ match    ] corr %.5f at %ld of %zu captured\n", m.corr, m.at, capture.size());
  ASSERT_GT(m.corr, 0.999);
  const long offset = m.at - static_cast<long>(kLead);
  EXPECT_EQ(mismatches(capture, signal, offset, kLead, signal.size()), 0u);
  for (const auto& e : source.events())
    ADD_FAILURE() << "unexpected event " << static_cast<int>(e.kind) << " lost " << e.lost_frames;
}

// RtAudio's ALSA "default" device, which ALSA's pulse plugin (libasound2-plugins) plays into
// this test's server when it runs; nullopt when RtAudio lists no such device.
std::optional<audio::DeviceInfo> alsa_default() {
  const auto apis = audio::rtaudio_apis();
  if (std::find(apis.begin(), apis.end(), "alsa") == apis.end()) return std::nullopt;
  for (const auto& d : audio::rtaudio_list("alsa"))
    if (d.id == "default" && d.output_channels >= kChannels) return d;
  return std::nullopt;
}

std::unique_ptr<audio::PlaybackStream> open_rtaudio(const audio::DeviceInfo& info,
                                                    SignalSource& source) {
  audio::PlaybackParams params;
  params.rate = kRate;
  params.channels = kChannels;
  auto stream = audio::make_rtaudio_device(info)->open_playback(params, source);
  EXPECT_TRUE(stream.ok()) << stream.error().message;
  return stream.ok() ? std::move(*stream) : nullptr;
}

TEST_P(PulsePlayback, WhatItPlaysReachesTheSinkFrameForFrame) {
  plays_frame_for_frame([&](SignalSource& s) { return open(s); });
}

TEST_P(PulsePlayback, ItDescribesItself) {
  SignalSource source(noise(kRate), kChannels, /*loop=*/true);
  auto stream = open(source);
  ASSERT_TRUE(stream);
  const auto d = stream->describe();
  EXPECT_EQ(d.backend, "pulse");
  EXPECT_NE(d.client.find("libpulse "), std::string::npos) << d.client;
  // "libpulse 16.1.0 to pulseaudio 16.1", "... to PulseAudio (on PipeWire 0.3.65) 15.0.0"
  EXPECT_NE(d.client.find(GetParam() == "pulseaudio" ? " to pulseaudio " : "PipeWire"),
            std::string::npos)
      << d.client;
  EXPECT_EQ(d.rate, kRate);
  EXPECT_EQ(d.fragment_frames, kRate / 50);
  ASSERT_TRUE(stream->start().ok());
  EXPECT_GT(stream->describe().latency, 0ms);
  EXPECT_LT(stream->describe().latency, 300ms);
}

TEST_P(PulsePlayback, ItsPropertiesShowInTheServer) {
  SignalSource source(noise(kRate), kChannels, /*loop=*/true);
  auto stream = open(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  auto r = server_->pactl({"list", "sink-inputs"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("media.role = \"music\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("media.name = \"soundcheck\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sample Specification: float32le 2ch 48000Hz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Corked: no"), std::string::npos) << r.out;
}

// The server keeps what it holds while corked: the capture has the signal, a gap of silence as
// long as the pause, then the signal continuing with the next frame.
void PulsePlayback::pause_loses_nothing(const Opener& open_stream) {
  const auto signal = noise(kRate * 2, 12345u);
  SignalSource source(signal, kChannels);
  const std::string raw = temp_dir() + "/monitor.raw";
  auto rec = record(raw, 10ms);  // the sink renders little ahead: the cut is exact in the monitor
  auto stream = open_stream(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  ASSERT_TRUE(eventually(3s, [&] { return stream->heard() >= kRate * 6 / 10; }));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(stream->pause().ok());
  const auto t1 = std::chrono::steady_clock::now();
  const uint64_t heard_at_pause = stream->heard(), taken_at_pause = stream->taken();
  const uint64_t pulls = source.pulls();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(source.pulls(), pulls) << "pulled while paused";
  EXPECT_EQ(stream->heard(), heard_at_pause);
  const auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(stream->resume().ok());
  const auto t3 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually(5s, [&] { return stream->finished(); }));
  EXPECT_EQ(stream->heard(), signal.size());
  stop_recording(*rec);

  const auto capture = read_channel0(raw);
  const size_t early = kLead + kRate / 10, late = kRate * 3 / 2;
  const Match before = locate(capture, signal, early);
  const Match after = locate(capture, signal, late);
  ASSERT_GT(before.corr, 0.999);
  ASSERT_GT(after.corr, 0.999);
  const long off1 = before.at - static_cast<long>(early);
  const long off2 = after.at - static_cast<long>(late);
  // The cut: the first frame not where it was. The resume: from where every frame is at the
  // second offset (the monitor hides the first few ms after the uncork, see kLead).
  size_t cut = early;
  while (cut < signal.size() && mismatches(capture, signal, off1, cut, cut + 1) == 0) ++cut;
  size_t resumed = late;
  while (resumed > cut && mismatches(capture, signal, off2, resumed - 1, resumed) == 0) --resumed;
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const double shift_ms = (off2 - off1) * 1000.0 / kRate;
  std::printf(
      "[ pause    ] cut at frame %zu, heard %llu and taken %llu at pause; the signal goes on "
      "%.2f ms later (hidden by the monitor after the uncork: %zu frames); wall: pause() %.1f ms, "
      "paused %.1f ms, resume() %.1f ms\n",
      cut, static_cast<unsigned long long>(heard_at_pause),
      static_cast<unsigned long long>(taken_at_pause), shift_ms, resumed - cut, ms(t1 - t0),
      ms(t2 - t1), ms(t3 - t2));
  // Nothing lost, nothing repeated: the frames before the cut at one offset, those after it at
  // another that differs by the pause only; silence between.
  EXPECT_EQ(mismatches(capture, signal, off1, kLead, cut), 0u);
  EXPECT_EQ(mismatches(capture, signal, off2, resumed, signal.size()), 0u)
      << "events: " << describe(source.events());
  EXPECT_LE(resumed - cut, kRate / 40) << "more than 25 ms missing after the resume";
  size_t loud = 0;
  for (long j = std::max(0L, static_cast<long>(cut) + off1);
       j < std::min(static_cast<long>(capture.size()), static_cast<long>(resumed) + off2); ++j)
    if (std::fabs(capture[j]) > 1e-3) ++loud;
  // Silent, but for at most 2 ms at its edges: under load (the sanitizer build) PulseAudio's
  // rewind at the cork left 19 frames of the signal just past the cut in the monitor.
  EXPECT_LE(loud, static_cast<size_t>(kRate / 500)) << "the gap is not silent";
  EXPECT_GE(shift_ms, ms(t2 - t1) - 10);
  EXPECT_LE(shift_ms, ms(t3 - t0) + 10);
  // heard() at the pause is where the cut is, within 10 ms.
  EXPECT_NEAR(static_cast<double>(heard_at_pause), static_cast<double>(cut), kRate / 100.0);
}

TEST_P(PulsePlayback, PauseAndResumeLoseAndRepeatNothing) {
  pause_loses_nothing([&](SignalSource& s) { return open(s); });
}

// A source that falls short now and then: the stream plays silence for what it lacks, says so
// with xrun events, and every frame it gave is heard, in order.
void PulsePlayback::underruns_are_silence(const Opener& open_stream) {
  const auto signal = noise(kRate, 777u);
  SignalSource source(signal, kChannels);
  source.stutter(7);
  const std::string raw = temp_dir() + "/monitor.raw";
  auto rec = record(raw);
  auto stream = open_stream(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  uint64_t last = 0;
  bool monotonic = true, bounded = true;
  ASSERT_TRUE(eventually(5s, [&] {
    const uint64_t h = stream->heard(), t = stream->taken();
    monotonic = monotonic && h >= last;
    bounded = bounded && h <= t;
    last = h;
    return stream->finished();
  }));
  EXPECT_TRUE(monotonic);
  EXPECT_TRUE(bounded);
  EXPECT_EQ(stream->taken(), signal.size());
  EXPECT_EQ(stream->heard(), signal.size());
  stop_recording(*rec);
  uint64_t reported = 0;
  size_t xruns = 0;
  for (const auto& e : source.events()) {
    if (e.kind != DeviceEvent::Kind::xrun) continue;
    ++xruns;
    reported += e.lost_frames;
  }
  // The last pull may be short because the source ended: not an underrun.
  EXPECT_GE(reported + kRate / 10, source.held_back());
  EXPECT_LE(reported, source.held_back());
  EXPECT_GT(xruns, 5u);

  // Walk the capture along the source: a frame is the next source frame, or inserted silence.
  const auto capture = read_channel0(raw);
  const Match m = locate(capture, signal, kLead, 512);  // within the first full pull
  ASSERT_GT(m.corr, 0.999);
  size_t i = static_cast<size_t>(m.at), j = kLead, silence = 0, bad = 0;
  while (i < capture.size() && j < signal.size()) {
    if (std::fabs(capture[i] - signal[j]) <= 1e-3) {
      ++i, ++j;
    } else if (std::fabs(capture[i]) <= 1e-3) {
      ++i, ++silence;
    } else {
      ++i, ++j, ++bad;
    }
  }
  std::printf(
      "[ underrun ] %zu xruns, %llu frames reported, %llu held back, %zu silent in the "
      "capture, %zu frames astray\n",
      xruns, static_cast<unsigned long long>(reported),
      static_cast<unsigned long long>(source.held_back()), silence, bad);
  EXPECT_EQ(j, signal.size()) << "the capture ends before the signal";
  EXPECT_LE(bad, 4u);
  EXPECT_NEAR(static_cast<double>(silence), static_cast<double>(reported), 8.0);
}

TEST_P(PulsePlayback, UnderrunsOfTheSourceAreSilenceAndXruns) {
  underruns_are_silence([&](SignalSource& s) { return open(s); });
}

// The RtAudio backend's playback, through ALSA's "default" device into this server (there is no
// sound card here): the same checks as libpulse's stream.
TEST_P(PulsePlayback, RtAudioAlsaPlaysFrameForFrame) {
  const auto info = alsa_default();
  if (!info) GTEST_SKIP() << "RtAudio lists no ALSA 'default' output (no pulse plugin?)";
  plays_frame_for_frame([&](SignalSource& s) { return open_rtaudio(*info, s); });
}

TEST_P(PulsePlayback, RtAudioAlsaPauseAndResumeLoseAndRepeatNothing) {
  const auto info = alsa_default();
  if (!info) GTEST_SKIP() << "RtAudio lists no ALSA 'default' output (no pulse plugin?)";
  pause_loses_nothing([&](SignalSource& s) { return open_rtaudio(*info, s); });
}

TEST_P(PulsePlayback, RtAudioAlsaUnderrunsOfTheSourceAreSilenceAndXruns) {
  const auto info = alsa_default();
  if (!info) GTEST_SKIP() << "RtAudio lists no ALSA 'default' output (no pulse plugin?)";
  underruns_are_silence([&](SignalSource& s) { return open_rtaudio(*info, s); });
}

// module-role-cork asks music to cork while a phone stream plays on the same sink, and to go on
// after it, if it did cork: the player pauses on the request, as the stream never corks itself.
TEST_P(PulsePlayback, APhoneStreamRequestsCorkThenUncork) {
  if (server_->pactl({"load-module", "module-role-cork"}).status != 0)
    GTEST_SKIP() << GetParam() << " has no module-role-cork";
  const std::string tone = temp_dir() + "/call.wav";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "1",
                                   "sine", "997", "gain", "-20"});
  ASSERT_EQ(made.status, 0) << made.err;
  SignalSource source(noise(kRate), kChannels, /*loop=*/true);
  auto stream = open(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  ASSERT_TRUE(eventually(3s, [&] { return stream->heard() > 0; }));
  Process call("/usr/bin/paplay",
               {"--device=" + std::string(kSink), "--property=media.role=phone", tone},
               server_->env());
  ASSERT_TRUE(eventually(3s, [&] { return source.has(DeviceEvent::Kind::cork_requested); }))
      << "no cork request";
  EXPECT_FALSE(source.has(DeviceEvent::Kind::uncork_requested));
  EXPECT_FALSE(stream->finished()) << "the stream must not stop by itself";
  ASSERT_TRUE(stream->pause().ok());
  EXPECT_EQ(call.wait().status, 0);
  ASSERT_TRUE(eventually(3s, [&] { return source.has(DeviceEvent::Kind::uncork_requested); }))
      << "no uncork request";
  ASSERT_TRUE(stream->resume().ok());
  std::vector<DeviceEvent::Kind> kinds;
  for (const auto& e : source.events())
    if (e.kind != DeviceEvent::Kind::xrun) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<DeviceEvent::Kind>{DeviceEvent::Kind::cork_requested,
                                                   DeviceEvent::Kind::uncork_requested}));
  const uint64_t heard = stream->heard();
  EXPECT_TRUE(eventually(2s, [&] { return stream->heard() > heard; })) << "not playing again";
}

TEST_P(PulsePlayback, ASinkThatGoesAwayEndsTheStream) {
  SignalSource source(noise(kRate), kChannels, /*loop=*/true);
  auto stream = open(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually(3s, [&] { return stream->heard() > 0; }));
  const auto t1 = std::chrono::steady_clock::now();
  auto u = server_->pactl({"unload-module", module_});
  ASSERT_EQ(u.status, 0) << u.err;
  const auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually(3s, [&] { return stream->finished(); }));
  const auto t3 = std::chrono::steady_clock::now();
  std::printf("[ timing   ] heard>0 after %.1f ms, unload took %.1f ms, finished %.1f ms later\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count(),
              std::chrono::duration<double, std::milli>(t3 - t2).count());
  ASSERT_TRUE(eventually(1s, [&] { return source.has(DeviceEvent::Kind::ended); }));
  for (const auto& e : source.events()) {
    if (e.kind == DeviceEvent::Kind::ended) {
      EXPECT_FALSE(e.server_lost);
    }
  }
  EXPECT_FALSE(stream->pause().ok());
}

TEST_P(PulsePlayback, AServerThatDiesEndsTheStreamAsServerLost) {
  SignalSource source(noise(kRate), kChannels, /*loop=*/true);
  auto stream = open(source);
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->start().ok());
  ASSERT_TRUE(eventually(3s, [&] { return stream->heard() > 0; }));
  server_->kill();
  ASSERT_TRUE(eventually(5s, [&] { return stream->finished(); }));
  ASSERT_TRUE(eventually(1s, [&] { return source.has(DeviceEvent::Kind::ended); }));
  for (const auto& e : source.events()) {
    if (e.kind == DeviceEvent::Kind::ended) {
      EXPECT_TRUE(e.server_lost);
    }
  }
}

TEST_P(PulsePlayback, AMissingSinkCannotStartPlaying) {
  SignalSource source(noise(100), kChannels);
  auto info = sink_info();
  info.id = info.name = "sc_nosuch";
  auto stream = audio::make_pulse_device(info)->open_playback(audio::PlaybackParams{}, source);
  ASSERT_FALSE(stream.ok());
  EXPECT_NE(stream.error().message.find("cannot start playing to 'sc_nosuch' (pulse)"),
            std::string::npos)
      << stream.error().message;
}

}  // namespace
}  // namespace sc::test
