// Reads a whole audio file with libsndfile as ints (exact for every PCM sample type: a pcm16
// sample k reads as k * 65536), for tests that compare sample values exactly.
#pragma once

#include <sndfile.h>

#include <string>
#include <vector>

namespace sc::test {

// The file's interleaved samples, and its SF_INFO in `info`; empty when it does not open.
inline std::vector<int> read_ints(const std::string& path, SF_INFO& info) {
  info = SF_INFO{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f == nullptr) return {};
  std::vector<int> v(static_cast<size_t>(info.frames) * info.channels);
  sf_readf_int(f, v.data(), info.frames);
  sf_close(f);
  return v;
}

}  // namespace sc::test
