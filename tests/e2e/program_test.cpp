// What the built program loads at every start (its DT_NEEDED entries, read with readelf).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
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

// FFmpeg and fmt are linked the ordinary way, and so is the one C++ runtime (issue 18).
TEST(Program, LinksFfmpegFmtAndSharedLibstdcxx) {
  const auto libs = needed();
  for (const char* want : {"libavutil", "libswresample", "libfmt", "libstdc++"}) {
    EXPECT_EQ(std::count_if(libs.begin(), libs.end(),
                            [&](const std::string& lib) { return lib.starts_with(want); }),
              1)
        << want;
  }
}

}  // namespace
}  // namespace sc::test
