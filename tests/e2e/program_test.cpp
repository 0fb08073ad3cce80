// What the built program loads at every start (its DT_NEEDED entries, read with readelf): the
// choices cli/CMakeLists.txt and CMakeLists.txt make for the CPU of each start (bench/run cpu)
// stay made.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/run.h"

namespace sc::test {
namespace {

// The shared libraries the program names, in their order ("libsndfile.so.1", ...).
std::vector<std::string> needed() {
  const RunResult r = run(SOUNDCHECK_READELF, {"-d", SOUNDCHECK_BIN});
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::string> libs;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const auto tag = line.find("(NEEDED)");
    const auto from = line.find('[');
    const auto to = line.rfind(']');
    if (tag != std::string::npos && from != std::string::npos && to > from)
      libs.push_back(line.substr(from + 1, to - from - 1));
  }
  return libs;
}

// libpulse and the 17 libraries it brings are loaded by dlopen, by the code that uses them
// (core/audio/pulse_lib.h).
TEST(Program, LoadsLibpulseOnlyWhenNeeded) {
  const auto libs = needed();
  ASSERT_FALSE(libs.empty());
  for (const auto& lib : libs) EXPECT_FALSE(lib.starts_with("libpulse")) << lib;
}

TEST(Program, LoadsFfmpegOnlyWhenNeeded) {
  for (const auto& lib : needed()) {
    for (const char* ffmpeg : {"libavcodec", "libavformat", "libavutil", "libswresample"})
      EXPECT_FALSE(lib.starts_with(ffmpeg)) << lib << " is loaded at every start";
  }
}

// RtAudio is linked the ordinary way (core/audio/rtaudio/), and the program shares the one
// C++ runtime librtaudio needs.
TEST(Program, LinksRtAudioAndTheSharedLibstdcxx) {
  const auto libs = needed();
  const auto count = [&](std::string_view prefix) {
    return std::count_if(libs.begin(), libs.end(),
                         [&](const std::string& lib) { return lib.starts_with(prefix); });
  };
  EXPECT_EQ(count("librtaudio.so"), 1);
  EXPECT_EQ(count("libstdc++.so"), 1);
}

}  // namespace
}  // namespace sc::test
