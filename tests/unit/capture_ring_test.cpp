// The capture ring: order, wrap-around, overflow counting, events in order with frames, and
// the blocking handshake used at speed=max.
#include "core/audio/capture_ring.h"

#include <gtest/gtest.h>

#include <numeric>
#include <thread>

namespace sc::audio {
namespace {

using namespace std::chrono_literals;

TEST(CaptureRing, FramesAndEventsComeOutInOrderAcrossWrapAround) {
  CaptureRing ring(1024, 16);
  ring.set_channels(2);
  std::vector<float> in(200 * 2), out;
  float next = 0, expect = 0;
  CaptureRing::Chunk c;
  for (int round = 0; round < 50; ++round) {  // 50 x 400 samples through a 1024 ring
    for (auto& x : in) x = next++;
    ring.on_frames(in.data(), 200, Duration(round));
    DeviceEvent e;
    e.kind = DeviceEvent::Kind::xrun;
    e.at = Duration(round);
    ring.on_event(e);
    ASSERT_TRUE(ring.pop(c, out));
    ASSERT_FALSE(c.is_event);
    EXPECT_EQ(c.frames, 200u);
    EXPECT_EQ(c.channels, 2u);
    EXPECT_EQ(c.at, Duration(round));
    for (float x : out) ASSERT_EQ(x, expect++);
    ASSERT_TRUE(ring.pop(c, out));
    EXPECT_TRUE(c.is_event);
    EXPECT_EQ(c.event.kind, DeviceEvent::Kind::xrun);
    EXPECT_TRUE(ring.empty());
  }
  EXPECT_EQ(ring.overflows(), 0u);
}

TEST(CaptureRing, AChunkThatDoesNotFitIsDroppedWholeAndCounted) {
  CaptureRing ring(1024, 16);
  ring.set_channels(1);
  std::vector<float> in(600, 1.0f), out;
  ring.on_frames(in.data(), 600, Duration(0));
  ring.on_frames(in.data(), 600, Duration(1));  // 1200 > 1024: dropped
  EXPECT_EQ(ring.overflows(), 1u);
  EXPECT_EQ(ring.lost_frames(), 600u);
  CaptureRing::Chunk c;
  ASSERT_TRUE(ring.pop(c, out));
  EXPECT_EQ(out.size(), 600u);
  EXPECT_FALSE(ring.pop(c, out));
}

TEST(CaptureRing, FormatEventsChangeTheChannelsOfLaterFrames) {
  CaptureRing ring(4096, 16);
  ring.set_channels(2);
  DeviceEvent e;
  e.kind = DeviceEvent::Kind::format_changed;
  e.rate = 44100;
  e.channels = 1;
  ring.on_event(e);
  std::vector<float> in(10, 0.5f), out;
  ring.on_frames(in.data(), 10, Duration(0));
  CaptureRing::Chunk c;
  ASSERT_TRUE(ring.pop(c, out));
  ASSERT_TRUE(ring.pop(c, out));
  EXPECT_EQ(c.channels, 1u);
  EXPECT_EQ(out.size(), 10u);
}

TEST(CaptureRing, ABlockingProducerLosesNothing) {
  CaptureRing ring(4096, 64);
  ring.set_channels(2);
  constexpr size_t kPeriod = 256, kPeriods = 2000;
  std::thread producer([&] {
    std::vector<float> buf(kPeriod * 2);
    float n = 0;
    for (size_t p = 0; p < kPeriods; ++p) {
      if (!ring.wait_for_space(kPeriod)) return;
      for (auto& x : buf) x = n++;
      ring.on_frames(buf.data(), kPeriod, Duration(0));
    }
  });
  std::vector<float> out;
  CaptureRing::Chunk c;
  float expect = 0;
  size_t frames = 0;
  while (frames < kPeriod * kPeriods) {
    ring.wait_for_data(10ms);
    while (ring.pop(c, out)) {
      for (float x : out) ASSERT_EQ(x, expect++);
      frames += c.frames;
    }
  }
  producer.join();
  EXPECT_EQ(ring.overflows(), 0u);
}

TEST(CaptureRing, CloseReleasesAWaitingProducer) {
  CaptureRing ring(1024, 16);
  ring.set_channels(1);
  std::vector<float> in(1000, 0.0f);
  ring.on_frames(in.data(), 1000, Duration(0));
  bool result = true;
  std::thread producer([&] { result = ring.wait_for_space(1000); });
  std::this_thread::sleep_for(20ms);
  ring.close();
  producer.join();
  EXPECT_FALSE(result);
}

}  // namespace
}  // namespace sc::audio
