// The recorder with a stream pumped on its thread (core/record/recorder.h; PulseAudio is one):
// no ring, frames processed as the stream hands them over, 16-bit frames widened exactly (a
// pcm16 file holds them as they were); the duration cut is exact either way.
#include <sndfile.h>

#include <gtest/gtest.h>

#include "tests/support/read_ints.h"
#include "tests/support/temp_dir.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/record/recorder.h"

namespace sc::record {
namespace {

using namespace std::chrono_literals;
using sc::test::read_ints;
using sc::test::TempDir;

constexpr unsigned kRate = 48000;
constexpr unsigned kChannels = 2;

// Hands over `signal` in pieces of `piece` frames, one per pump(), as 16-bit frames when `s16`
// and the sink takes them (PulseAudio does so when asked for StreamParams::keep_bits 16), else
// as floats.
struct Pieces {
  int s16 = 0, floats = 0;
  // Each end_soon(): how many pump() calls came before it, and the `left` it was given.
  std::vector<std::pair<int, Duration>> end_soon;
};

class PumpedStream final : public audio::CaptureStream {
 public:
  PumpedStream(audio::CaptureSink& sink, const std::vector<int16_t>& signal, size_t piece, bool s16,
               Pieces& pieces)
      : sink_(sink), signal_(signal), piece_(piece), s16_(s16), pieces_(pieces) {}
  Status start() override {
    running_ = true;
    as_s16_ = s16_ && sink_.takes_s16();
    return ok_status();
  }
  void stop() noexcept override { running_ = false; }
  unsigned rate() const override { return kRate; }
  unsigned channels() const override { return kChannels; }
  Duration clock() const override { return frames_duration(at_, kRate); }
  bool finished() const override { return at_ * kChannels >= signal_.size(); }
  bool pumped() const override { return true; }
  void end_soon(Duration left) override { pieces_.end_soon.emplace_back(pumps_, left); }
  bool pump(std::chrono::milliseconds) override {
    ++pumps_;
    if (!running_ || finished()) return true;
    const size_t n = std::min(piece_, signal_.size() / kChannels - at_);
    const int16_t* p = signal_.data() + at_ * kChannels;
    if (as_s16_) {
      sink_.on_frames_s16(p, n, clock());
      ++pieces_.s16;
    } else {
      std::vector<float> f(n * kChannels);
      for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(p[i]) / 32768.0f;
      sink_.on_frames(f.data(), n, clock());
      ++pieces_.floats;
    }
    at_ += n;
    if (finished()) sink_.on_event(audio::DeviceEvent{audio::DeviceEvent::Kind::ended, clock()});
    return true;
  }

 private:
  audio::CaptureSink& sink_;
  const std::vector<int16_t>& signal_;
  size_t piece_;
  bool s16_;
  Pieces& pieces_;
  bool as_s16_ = false;
  bool running_ = false;
  size_t at_ = 0;
  int pumps_ = 0;
};

class PumpedDevice final : public audio::Device {
 public:
  PumpedDevice(std::vector<int16_t> signal, size_t piece, bool s16)
      : signal_(std::move(signal)), piece_(piece), s16_(s16) {
    info_.api = "test";
    info_.name = info_.id = "pumped";
    info_.input_channels = kChannels;
    info_.rates = {kRate};
    info_.preferred_rate = kRate;
  }
  const audio::DeviceInfo& info() const override { return info_; }
  Result<std::unique_ptr<audio::CaptureStream>> open_capture(const audio::StreamParams& params,
                                                             audio::CaptureSink& sink) override {
    keep_bits = params.keep_bits;
    ++opened;
    return std::unique_ptr<audio::CaptureStream>(
        std::make_unique<PumpedStream>(sink, signal_, piece_, s16_ && keep_bits == 16, pieces));
  }
  int opened = 0;
  unsigned keep_bits = 0;
  Pieces pieces;  // what the stream handed over

 private:
  audio::DeviceInfo info_;
  std::vector<int16_t> signal_;
  size_t piece_;
  bool s16_;
};

std::vector<int16_t> ramp(size_t frames) {
  std::vector<int16_t> s(frames * kChannels);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<int16_t>(i * 7919 % 65536 - 32768);
  return s;
}

struct Case {
  formats::Codec codec;
  bool device_s16;  // the device can carry 16-bit frames
  bool meter;       // a level meter is shown (it needs floats)
};

TEST(RecorderPumped, SixteenBitFramesGoAsTheyAreAndTheDurationCutIsExact) {
  TempDir dir;
  const auto signal = ramp(3 * kRate);  // 3 s, handed over in 0.35 s pieces
  const Case cases[] = {{formats::Codec::pcm16, true, false},
                        {formats::Codec::pcm16, true, true},
                        {formats::Codec::pcm24, true, false},
                        {formats::Codec::pcm16, false, false}};
  for (const Case& c : cases) {
    const std::string label = std::string(formats::name(c.codec)) +
                              (c.device_s16 ? "-s16" : "-float") + (c.meter ? "-meter" : "");
    SCOPED_TRACE(label);
    PumpedDevice device(signal, kRate * 35 / 100, c.device_s16);
    RecordRequest req;
    req.path = dir.file(label + ".wav");
    req.format = {formats::Container::wav, c.codec};
    req.duration = 2500ms;  // inside the 8th piece
    Controls controls;
    if (c.meter) controls.on_progress = [](const Progress&) {};  // it needs floats
    const RecordOutcome out = record(device, req, controls);
    ASSERT_FALSE(out.error) << out.error->message;
    EXPECT_EQ(out.report.stopped_by, "duration");
    EXPECT_EQ(out.report.frames, kRate * 5 / 2);
    EXPECT_EQ(out.report.overflows, 0u);
    ASSERT_EQ(device.opened, 1);
    EXPECT_EQ(device.keep_bits, c.codec == formats::Codec::pcm16 ? 16u : 0u);
    // 16-bit frames whenever the device can and the file keeps 16 bits: the recorder takes
    // them, and widens them itself where it needs floats (the meter).
    const bool s16 = c.device_s16 && c.codec == formats::Codec::pcm16;
    EXPECT_EQ(device.pieces.s16 > 0, s16);
    EXPECT_EQ(device.pieces.floats > 0, !s16);
    SF_INFO info;
    const auto got = read_ints(req.path, info);
    ASSERT_EQ(info.frames, static_cast<sf_count_t>(kRate * 5 / 2));
    bool exact = true;
    size_t first_bad = 0;
    for (size_t i = 0; i < got.size() && exact; ++i) {
      exact = got[i] == signal[i] * 65536;
      first_bad = i;
    }
    EXPECT_TRUE(exact) << "sample " << first_bad << ": " << got[first_bad] << " for "
                       << signal[first_bad];
  }
}

// A stream is told the end is near (CaptureStream::end_soon) once, when `-d` has 2.5 s or less
// left: before the first pump when the whole recording is that short (a PulseAudio `-d 1s`
// no longer waits for a first 2 s fragment), else at the first pump that gets there.
TEST(RecorderPumped, TheEndIsAnnouncedOnceAndBeforeTheFirstPumpForAShortDuration) {
  TempDir dir;
  const auto signal = ramp(3 * kRate);  // handed over in 0.35 s pieces
  struct Expect {
    Duration duration;
    int pumps_before;
    Duration left;
  };
  const Expect cases[] = {{1000ms, 0, 1000ms}, {2500ms, 0, 2500ms}, {2900ms, 2, 2200ms}};
  for (const Expect& c : cases) {
    SCOPED_TRACE(c.duration.count());
    PumpedDevice device(signal, kRate * 35 / 100, true);
    RecordRequest req;
    req.path = dir.file(std::to_string(c.duration.count()) + ".wav");
    req.format = {formats::Container::wav, formats::Codec::pcm16};
    req.duration = c.duration;
    const RecordOutcome out = record(device, req, Controls{});
    ASSERT_FALSE(out.error) << out.error->message;
    ASSERT_EQ(device.pieces.end_soon.size(), 1u);
    EXPECT_EQ(device.pieces.end_soon[0].first, c.pumps_before);
    EXPECT_EQ(device.pieces.end_soon[0].second, c.left);
  }
}

}  // namespace
}  // namespace sc::record
