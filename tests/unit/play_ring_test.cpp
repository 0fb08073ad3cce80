// PlayRing (core/play/play_ring.h): the frames pass through in order across the wrap, the
// gain reaches its target, and the producer's wait ends for each thing that should end it.
#include "core/play/play_ring.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <future>
#include <thread>
#include <vector>

namespace sc::play {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Fills a 64-frame mono ring: a wait for space lasts until something ends it.
void fill_up(PlayRing& ring) {
  std::vector<float> in(64, 0.0f);
  ASSERT_EQ(ring.push(in.data(), 64), 64u);
}

TEST(PlayRing, FramesComeOutInOrderAcrossTheWrap) {
  PlayRing ring(64, 2, 48000);  // 64 frames of 2 channels
  std::vector<float> in(2 * 48), out(2 * 48);
  float next_in = 0, next_out = 0;
  for (int round = 0; round < 10; ++round) {  // 480 frames through a 64-frame ring
    for (auto& x : in) x = (next_in += 1) / 4096;
    ASSERT_EQ(ring.push(in.data(), 48), 48u);
    ASSERT_EQ(ring.on_need(out.data(), 48, Duration{0}), 48u);
    for (float x : out) ASSERT_EQ(x, (next_out += 1) / 4096);
  }
  EXPECT_EQ(ring.space(), 64u);
  EXPECT_FALSE(ring.end());
  ring.finish();
  EXPECT_TRUE(ring.end());
}

TEST(PlayRing, APushTakesWhatFits) {
  PlayRing ring(64, 1, 48000);
  std::vector<float> in(100, 0.5f);
  EXPECT_EQ(ring.push(in.data(), 100), 64u);
  EXPECT_EQ(ring.space(), 0u);
}

TEST(PlayRing, TheGainGlidesToItsTarget) {
  PlayRing ring(4096, 1, 48000);
  std::vector<float> in(2400, 1.0f), out(2400);
  ring.set_gain(0.1f);  // a duck
  ring.push(in.data(), in.size());
  ring.on_need(out.data(), out.size(), Duration{0});
  EXPECT_FLOAT_EQ(out.front(), 0.1f);  // the first pull starts at the target
  ring.set_gain(1.0f);
  ring.push(in.data(), in.size());
  ring.on_need(out.data(), out.size(), Duration{0});
  EXPECT_LT(out.front(), 0.2f);            // no jump
  EXPECT_FLOAT_EQ(out.back(), 1.0f);       // there within 50 ms
  for (size_t i = 1; i < out.size(); ++i)  // and rising all the way
    ASSERT_GE(out[i], out[i - 1]);
}

TEST(PlayRing, AWakeBeforeTheWaitEndsItAtOnce) {
  PlayRing ring(64, 1, 48000);
  fill_up(ring);
  ring.wake();
  const auto t0 = Clock::now();
  ring.wait_for_space(1, 60s);
  EXPECT_LT(Clock::now() - t0, 30s);
}

TEST(PlayRing, AWaitEndsWhenTheTimeoutPasses) {
  PlayRing ring(64, 1, 48000);
  fill_up(ring);
  const auto t0 = Clock::now();
  ring.wait_for_space(1, 50ms);
  EXPECT_GE(Clock::now() - t0, 50ms);
}

TEST(PlayRing, AConsumerThatMayBlockWakesTheProducer) {
  PlayRing ring(64, 1, 48000);
  fill_up(ring);
  std::vector<float> out(64);
  ring.on_need(out.data(), 64, Duration{0});  // empty now, but a real-time consumer is silent
  auto consumer = std::async(std::launch::async, [&] { return ring.wait_for_data(32); });
  const auto t0 = Clock::now();
  ring.wait_for_space(SIZE_MAX, 60s);  // only a wake ends this one
  EXPECT_LT(Clock::now() - t0, 30s);
  ring.close();
  EXPECT_FALSE(consumer.get());
}

// SIGINT must end the player's idle wait, not wait it out: a signal handled on the waiting
// thread ends the wait.
TEST(PlayRing, ASignalEndsTheWait) {
  struct sigaction sa {
  }, old{};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // sem_clockwait is interrupted all the same
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
  PlayRing ring(64, 1, 48000);
  fill_up(ring);
  const pthread_t self = pthread_self();
  std::thread signaller([self] {
    std::this_thread::sleep_for(100ms);
    pthread_kill(self, SIGUSR1);
  });
  const auto t0 = Clock::now();
  ring.wait_for_space(SIZE_MAX, 60s);
  const auto waited = Clock::now() - t0;
  signaller.join();
  sigaction(SIGUSR1, &old, nullptr);
  EXPECT_LT(waited, 30s);
}

}  // namespace
}  // namespace sc::play
