// Versions of the codec and container libraries this build runs with (not compiled
// against: the run-time ones), for `soundcheck --version` and bug reports.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sc::formats {

// {"libsndfile", "1.2.0"}, {"libavutil", "57.28.100"}, {"libswresample", "4.7.100"}
std::vector<std::pair<std::string, std::string>> library_versions();

}  // namespace sc::formats
