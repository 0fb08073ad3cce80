// Versions of the codec and container libraries this build runs with (not compiled
// against: the run-time ones), for `soundcheck --version` and bug reports.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sc::formats {

// {"libsndfile", "1.2.0"}, {"libavutil", "57.28.100"}, {"libswresample", "4.7.100"},
// {"libavcodec", "59.37.100"}, {"libavformat", "59.27.100"}
std::vector<std::pair<std::string, std::string>> library_versions();

// What FFmpeg prints by itself on stderr: nothing (its encoders' statistics, a demuxer's
// complaints about a damaged file), since soundcheck reports every failure in its own words;
// with `verbose`, its warnings and errors. Call once, before any FFmpeg work.
void set_library_logging(bool verbose);

}  // namespace sc::formats
