// Reading back what soundcheck wrote, with libsndfile and with ffprobe as independent checkers.
#pragma once

#include <string>
#include <vector>

namespace sc::test {

struct Audio {
  bool ok = false;
  std::string error;
  int format = 0;  // SF_FORMAT_* (container | subtype)
  unsigned rate = 0, channels = 0;
  size_t frames = 0;
  std::vector<float> samples;  // interleaved
};

// Reads the whole file with libsndfile.
Audio read_audio(const std::string& path);

struct Probe {
  int status = -1;     // ffprobe's exit status
  std::string errors;  // what it printed on stderr with -v error
  double duration_s = 0;
  unsigned rate = 0, channels = 0;
  std::string codec;  // "pcm_s16le", ...
};

// ffprobe -v error on the file, and a full decode with ffmpeg (errors land in `errors`).
Probe probe(const std::string& path);

}  // namespace sc::test
