// Decoding any file with FFmpeg in the test process (libavformat, libavcodec, libswresample):
// the independent reader for the round trips of AAC and ALAC in M4A and CAF.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sc::test {

struct Decoded {
  bool ok = false;
  std::string error;      // FFmpeg's words, when !ok (or a decode error part way)
  std::string container;  // the demuxer's name: "mov,mp4,m4a,3gp,3g2,mj2", "caf"
  std::string codec;      // "aac", "alac", "pcm_s16le"
  unsigned rate = 0, channels = 0;
  int64_t initial_padding = 0;  // what the container says the decoder must skip
  size_t frames = 0;            // decoded frames, after FFmpeg's own trimming (edit list)
  std::vector<float> samples;   // interleaved, converted to float
  std::vector<int32_t> ints;    // interleaved, the decoder's integer samples (s16/s32 codecs)
};

// Decodes the first audio stream of `path` to the end. A decode error stops there (ok false,
// what was decoded kept).
Decoded decode_ffmpeg(const std::string& path);

}  // namespace sc::test
