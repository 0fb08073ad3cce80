#include "core/common/duration.h"

#include <gtest/gtest.h>

namespace sc {
namespace {

using namespace std::chrono_literals;

TEST(Duration, AcceptedForms) {
  struct Case {
    const char* text;
    Duration want;
  };
  for (const auto& c : std::vector<Case>{{"1.5", 1500ms},
                                         {"500ms", 500ms},
                                         {"2s", 2s},
                                         {"1m30s", 90s},
                                         {"10h", 10h},
                                         {"0.005", 5ms},
                                         {"1h20m", 80min},
                                         {"4h20m", 260min},
                                         {"250us", 250us},
                                         {"1m0.5s", 60500ms},
                                         {"0", 0s},
                                         {".5s", 500ms}}) {
    SCOPED_TRACE(c.text);
    auto d = parse_duration(c.text, "--duration");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(*d, c.want);
  }
}

TEST(Duration, RejectedFormsSayWhy) {
  for (const char* bad :
       {"", "-1", "abc", "5q", "1s1m", "1m1m", "1.2.3", "s", "1 s", "1m30", "99999999999h"}) {
    SCOPED_TRACE(bad);
    auto d = parse_duration(bad, "--duration");
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().exit, Exit::usage);
    EXPECT_NE(d.error().message.find("--duration"), std::string::npos);
    EXPECT_FALSE(d.error().hint.empty());
  }
}

TEST(Duration, Format) {
  EXPECT_EQ(format_duration(5ms), "5ms");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(250us), "250us");
  EXPECT_EQ(format_duration(0s), "0s");
}

}  // namespace
}  // namespace sc

namespace sc {
namespace {

TEST(FramesDuration, FloorsToTheNanosecondWithoutOverflow) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(frames_duration(48000, 48000), nanoseconds(1'000'000'000));
  EXPECT_EQ(frames_duration(1, 48000), nanoseconds(20833));  // 20833.33 ns
  EXPECT_EQ(frames_duration(44100 * 3 + 1, 44100), nanoseconds(3'000'022'675));
  // Ten years of 192 kHz: the product frames * 1e9 alone would overflow 64 bits.
  const uint64_t frames = uint64_t{192000} * 3600 * 24 * 3650;
  EXPECT_EQ(frames_duration(frames, 192000), std::chrono::seconds(uint64_t{3600} * 24 * 3650));
  EXPECT_EQ(frames_duration(5, 0), nanoseconds(5'000'000'000));  // rate 0 counts as 1
}

}  // namespace
}  // namespace sc
