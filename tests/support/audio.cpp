#include "tests/support/audio.h"

#include <sndfile.h>

#include <nlohmann/json.hpp>

#include "tests/support/run.h"

namespace sc::test {

Audio read_audio(const std::string& path) {
  Audio a;
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) {
    a.error = sf_strerror(nullptr);
    return a;
  }
  a.format = info.format;
  a.rate = static_cast<unsigned>(info.samplerate);
  a.channels = static_cast<unsigned>(info.channels);
  a.samples.resize(static_cast<size_t>(info.frames) * a.channels);
  a.frames = static_cast<size_t>(sf_readf_float(f, a.samples.data(), info.frames));
  a.samples.resize(a.frames * a.channels);
  sf_close(f);
  a.ok = true;
  return a;
}

Probe probe(const std::string& path) {
  Probe p;
  auto r = run("/usr/bin/ffprobe",
               {"-v", "error", "-show_entries",
                "stream=codec_name,sample_rate,channels:format=duration", "-of", "json", path});
  p.status = r.status;
  p.errors = r.err;
  if (r.status == 0) {
    try {
      auto j = nlohmann::json::parse(r.out);
      const auto& s = j["streams"][0];
      p.codec = s.value("codec_name", "");
      p.rate = static_cast<unsigned>(std::stoul(s.value("sample_rate", "0")));
      p.channels = s.value("channels", 0u);
      p.duration_s = std::stod(j["format"].value("duration", "0"));
    } catch (const std::exception& e) {
      p.errors += std::string("unparsable ffprobe output: ") + e.what();
    }
  }
  // Decode every packet: a file that probes but does not decode is broken.
  auto d = run("/usr/bin/ffmpeg", {"-v", "error", "-nostdin", "-i", path, "-f", "null", "-"});
  if (d.status != 0 || !d.err.empty()) {
    p.status = p.status == 0 ? d.status : p.status;
    p.errors += d.err;
  }
  return p;
}

}  // namespace sc::test
