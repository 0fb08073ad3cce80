// Helpers shared by the packet CAF tests (writer_caf_packets_test, caf_repair_test): the test
// signal, writing a file through create_file_writer, and reading it back with libsndfile and
// the ffprobe/ffmpeg programs.
#pragma once

#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "formats/writer.h"

namespace sc::test {

// A sine at -6 dBFS per channel, 220 Hz times the channel number.
inline std::vector<float> caf_signal(size_t frames, unsigned channels, unsigned rate) {
  std::vector<float> s(frames * channels);
  for (size_t f = 0; f < frames; ++f)
    for (unsigned c = 0; c < channels; ++c)
      s[f * channels + c] =
          static_cast<float>(0.5 * std::sin(2 * M_PI * 220.0 * (c + 1) * double(f) / rate));
  return s;
}

inline formats::WriterSpec caf_spec(formats::Codec codec, unsigned rate, unsigned channels) {
  formats::WriterSpec spec;
  spec.format = {formats::Container::caf, codec, 0};
  spec.rate = rate;
  spec.channels = channels;
  return spec;
}

// Hands `signal` to `w` in pieces of 480 frames, with a checkpoint every 25 pieces.
inline Status feed(formats::Writer& w, const std::vector<float>& signal, unsigned channels) {
  const size_t frames = signal.size() / channels;
  for (size_t at = 0, piece = 0; at < frames; at += 480, ++piece) {
    const size_t n = std::min<size_t>(480, frames - at);
    if (Status s = w.write(signal.data() + at * channels, n); !s) return s;
    if (piece % 25 == 24) {
      if (Status s = w.checkpoint(); !s) return s;
    }
  }
  return ok_status();
}

struct Run {
  int status = -1;
  std::string output;  // stdout and stderr
};

inline Run run_shell(const std::string& command) {
  Run r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  r.status = ::pclose(p);
  return r;
}

// ffprobe and a full decode by ffmpeg, both with -v error: what they printed (empty: clean).
inline std::string ffmpeg_complaints(const std::string& path) {
  Run probe = run_shell("ffprobe -v error '" + path + "'");
  Run decode = run_shell("ffmpeg -nostdin -v error -i '" + path + "' -f null -");
  std::string out;
  if (probe.status != 0 || !probe.output.empty())
    out += "ffprobe (" + std::to_string(probe.status) + "): " + probe.output;
  if (decode.status != 0 || !decode.output.empty())
    out += "ffmpeg (" + std::to_string(decode.status) + "): " + decode.output;
  return out;
}

struct SndInts {
  bool ok = false;
  std::string error;
  SF_INFO info{};
  std::vector<int32_t> ints;  // libsndfile's int scale: full-scale 32-bit
};

inline SndInts read_sndfile_ints(const std::string& path) {
  SndInts r;
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &r.info);
  if (f == nullptr) {
    r.error = sf_strerror(nullptr);
    return r;
  }
  r.ints.resize(static_cast<size_t>(r.info.frames) * static_cast<size_t>(r.info.channels));
  const sf_count_t got = sf_readf_int(f, r.ints.data(), r.info.frames);
  r.ints.resize(static_cast<size_t>(got) * static_cast<size_t>(r.info.channels));
  r.ok = got == r.info.frames;
  if (!r.ok) r.error = "short read";
  sf_close(f);
  return r;
}

}  // namespace sc::test
