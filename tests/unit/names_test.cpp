#include "core/common/names.h"

#include <gtest/gtest.h>

namespace sc {
namespace {

TEST(Names, Fold) {
  EXPECT_EQ(fold_name("play-and-record"), "playandrecord");
  EXPECT_EQ(fold_name("PLAY_AND_RECORD"), "playandrecord");
  EXPECT_EQ(fold_name("playAndRecord"), "playandrecord");
}

TEST(Names, CloseMatches) {
  std::vector<std::string> c = {"record", "playAndRecord", "playback", "ambient"};
  EXPECT_EQ(close_matches("recrd", c), std::vector<std::string>{"record"});
  EXPECT_EQ(close_matches("play-and-recrd", c), std::vector<std::string>{"playAndRecord"});
  EXPECT_EQ(close_matches("playb", c), std::vector<std::string>{"playback"});
  EXPECT_TRUE(close_matches("zzzzzz", c).empty());
}

TEST(Names, Join) {
  std::vector<std::string> v = {"a", "b", "c"};
  EXPECT_EQ(join_or(v), "a, b or c");
  EXPECT_EQ(join_comma(v), "a, b, c");
  EXPECT_EQ(join_or(std::vector<std::string>{"a"}), "a");
}

}  // namespace
}  // namespace sc
