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

// Every library is linked the ordinary way, with one shared C++ runtime (issue 18): libpulse,
// librtaudio, FFmpeg's libavutil and libswresample, libfmt and libstdc++, each named once.
TEST(Program, LinksItsLibrariesTheOrdinaryWay) {
  const auto libs = needed();
  for (const char* want :
       {"libpulse.so", "librtaudio.so", "libavutil", "libswresample", "libfmt", "libstdc++"}) {
    EXPECT_EQ(std::count_if(libs.begin(), libs.end(),
                            [&](const std::string& lib) { return lib.starts_with(want); }),
              1)
        << want;
  }
}

}  // namespace
}  // namespace sc::test
