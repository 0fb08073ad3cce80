// The counter signal's reader (tests/support/counter.h), which the real-server play tests
// judge by: what counts as a break, a pause, and a cycle the server rendered empty.
#include <gtest/gtest.h>

#include <vector>

#include "tests/support/counter.h"

namespace sc::test {
namespace {

// Appends frames [from, to) of the counter, or `n` frames of silence, to `out`.
void frames(std::vector<float>& out, size_t from, size_t to) {
  const auto all = counter_signal(to);
  out.insert(out.end(), all.begin() + static_cast<long>(2 * from), all.end());
}
void silence(std::vector<float>& out, size_t n) { out.insert(out.end(), 2 * n, 0.0f); }

TEST(Counter, AWholeRunHasNoBreakAndNoGap) {
  std::vector<float> s;
  silence(s, 100);
  frames(s, 0, 40000);
  const auto c = read_counter(s);
  EXPECT_EQ(c.heard, 40000u);
  EXPECT_EQ(c.first, 0);
  EXPECT_EQ(c.last, 39999);
  EXPECT_EQ(c.breaks, 0u);
  EXPECT_EQ(c.gaps, 0u);
  EXPECT_EQ(c.empty_cycles, 0u);
}

TEST(Counter, APauseIsAGapWithoutABreak) {
  std::vector<float> s;
  frames(s, 0, 1000);
  silence(s, 30000);
  frames(s, 1000, 2000);
  const auto c = read_counter(s);
  EXPECT_EQ(c.breaks, 0u);
  EXPECT_EQ(c.gaps, 1u);
  EXPECT_EQ(c.longest_gap, 30000u);
  EXPECT_EQ(c.empty_cycles, 0u);
}

TEST(Counter, SilenceInPlaceOfExactlyTheSkippedFramesIsAnEmptyCycle) {
  std::vector<float> s;
  frames(s, 0, 1000);
  silence(s, 256);
  frames(s, 1256, 2000);
  const auto c = read_counter(s);
  EXPECT_EQ(c.breaks, 0u);
  EXPECT_EQ(c.empty_cycles, 1u);
  EXPECT_EQ(c.empty_cycle_frames, 256u);
  EXPECT_EQ(c.heard + c.empty_cycle_frames, 2000u);
}

TEST(Counter, SkipsAndRepeatsThatSilenceDoesNotAccountForAreBreaks) {
  std::vector<float> s;
  frames(s, 0, 1000);
  frames(s, 1512, 2000);  // 512 skipped, no silence
  silence(s, 300);
  frames(s, 2512, 3000);  // 512 skipped over 300 frames of silence
  frames(s, 2900, 3000);  // 100 repeated
  const auto c = read_counter(s);
  EXPECT_EQ(c.breaks, 3u);
  EXPECT_EQ(c.worst_jump, 512);
  EXPECT_EQ(c.empty_cycles, 0u);
}

}  // namespace
}  // namespace sc::test
