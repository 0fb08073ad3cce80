// `soundcheck info` and `soundcheck repair` through the binary (issue 20): files made by other
// tools (ffmpeg, sox) are reported right and need nothing; hand-damaged WAV and RF64 files are
// reported not finalized and repaired, in place and with -o; a garbage file is 65, a missing
// one 66, a locked one (a recorder still writing) 75; the JSON documents; and ~100 damaged
// variants (tests/support/mutate.h) exit 0 or 65 with their input untouched.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/files.h"
#include "tests/support/mutate.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using json = nlohmann::json;

uint64_t le(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = v << 8 | static_cast<unsigned char>(b[at + static_cast<size_t>(i)]);
  return v;
}

void put_le(std::string& b, size_t at, int n, uint64_t v) {
  for (int i = 0; i < n; ++i, v >>= 8) b[at + static_cast<size_t>(i)] = static_cast<char>(v & 0xFF);
}

// Offsets in a RIFF/RF64 file: the data chunk's header, and the ds64 chunk's body (0: none).
struct WavOffsets {
  size_t data_hdr = 0, ds64 = 0;
};

WavOffsets offsets(const std::string& b) {
  WavOffsets o;
  for (size_t pos = 12; pos + 8 <= b.size();) {
    const uint64_t size = le(b, pos + 4, 4);
    if (b.compare(pos, 4, "ds64") == 0) o.ds64 = pos + 8;
    if (b.compare(pos, 4, "data") == 0) {
      o.data_hdr = pos;
      break;
    }
    pos += 8 + size + (size & 1);
  }
  return o;
}

// The sizes agree with the file: RIFF (or ds64 RIFF) size, data size up to the end.
void expect_sizes_agree(const std::string& path) {
  const std::string b = read_file(path);
  const WavOffsets o = offsets(b);
  ASSERT_GT(o.data_hdr, 0u) << path;
  const uint64_t data = b.size() - o.data_hdr - 8;
  if (b.compare(0, 4, "RF64") == 0) {
    ASSERT_GT(o.ds64, 0u);
    EXPECT_EQ(le(b, o.ds64, 8), b.size() - 8);
    EXPECT_EQ(le(b, o.ds64 + 8, 8), data);
  } else {
    EXPECT_EQ(le(b, 4, 4), b.size() - 8);
    EXPECT_EQ(le(b, o.data_hdr + 4, 4), data);
  }
}

// libsndfile's frame count, reading every frame; -1 when it cannot open the file.
long long frames_read(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f == nullptr) return -1;
  std::vector<short> buf(4096 * static_cast<size_t>(info.channels));
  long long n = 0;
  for (sf_count_t got; (got = sf_readf_short(f, buf.data(), 4096)) > 0;) n += got;
  sf_close(f);
  return n == info.frames ? n : -2;
}

bool make(const std::string& cmd) { return run("/bin/sh", {"-c", cmd + " 2>&1"}).status == 0; }

json info_json(const std::string& path) {
  auto r = soundcheck({"--json", "info", path});
  EXPECT_EQ(r.status, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << r.out;
  if (doc.is_discarded() || !doc.contains("files") || doc["files"].empty()) return json::object();
  return doc["files"][0];
}

class InfoRepair : public ::testing::Test {
 protected:
  std::string dir_ = temp_dir();
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  // Nothing but `names` in the directory (no .part left behind).
  void expect_only(std::vector<std::string> names) const {
    std::vector<std::string> there;
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      there.push_back(e.path().filename());
    std::sort(there.begin(), there.end());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(there, names);
  }
};

struct Made {
  const char* name;
  const char* cmd;  // OUT is replaced by the path
  unsigned rate, channels;
  uint64_t frames, tolerance;  // within a codec frame
};

TEST_F(InfoRepair, FilesOfOtherToolsAreReportedAndNeedNothing) {
  const std::vector<Made> made = {
      {"ff.wav", "ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=2 -ar 48000 OUT", 48000, 1,
       96000, 0},
      {"ff.flac", "ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=2 -ac 2 OUT", 44100, 2, 88200,
       0},
      {"ff.m4a", "ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=2 -c:a aac -b:a 128k OUT",
       44100, 1, 88200, 1024},
      {"ff.caf", "ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=2 -c:a alac OUT", 44100, 1,
       88200, 4096},
      {"sox.wav", "sox -n -r 22050 -c 2 OUT synth 1.5 sine 440", 22050, 2, 33075, 0},
      {"sox.aiff", "sox -n -r 22050 -c 2 OUT synth 1.5 sine 440", 22050, 2, 33075, 0},
      {"sox.flac", "sox -n -r 96000 -c 1 OUT synth 1 sine 440", 96000, 1, 96000, 0},
  };
  for (const auto& m : made) {
    SCOPED_TRACE(m.name);
    const std::string path = file(m.name);
    std::string cmd = m.cmd;
    cmd.replace(cmd.find("OUT"), 3, "'" + path + "'");
    ASSERT_TRUE(make(cmd)) << cmd;
    const std::string before = read_file(path);
    const json f = info_json(path);
    EXPECT_EQ(f.value("rate", 0u), m.rate);
    EXPECT_EQ(f.value("channels", 0u), m.channels);
    const auto frames = f.value("frames", uint64_t{0});
    EXPECT_LE(frames, m.frames + m.tolerance);
    EXPECT_GE(frames + m.tolerance, m.frames);
    EXPECT_EQ(f.value("finalized", false), true);
    EXPECT_TRUE(f["repair"].is_null());
    EXPECT_FALSE(f.value("writing", true));

    auto r = soundcheck({"repair", path});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("needs nothing"), std::string::npos) << r.err;
    EXPECT_TRUE(read_file(path) == before) << "the file was changed";
  }
}

// The damages a crash (or a careless tool) leaves in a WAV-family file.
struct Damage {
  const char* what;
  void (*apply)(std::string& b);
};

const std::vector<Damage>& damages() {
  static const std::vector<Damage> list = {
      {"data size 0",
       [](std::string& b) {
         const auto o = offsets(b);
         if (o.ds64)
           put_le(b, o.ds64 + 8, 8, 0);
         else
           put_le(b, o.data_hdr + 4, 4, 0);
       }},
      {"data size beyond the file",
       [](std::string& b) {
         const auto o = offsets(b);
         if (o.ds64)
           put_le(b, o.ds64 + 8, 8, uint64_t{1} << 40);
         else
           put_le(b, o.data_hdr + 4, 4, 0x7FFFFFF0);
       }},
      {"RIFF size wrong",
       [](std::string& b) {
         const auto o = offsets(b);
         if (o.ds64)
           put_le(b, o.ds64, 8, 12345);
         else
           put_le(b, 4, 4, 12345);
       }},
      {"truncated mid-frame", [](std::string& b) { b.resize(b.size() - 4001); }},
      {"audio after the declared data (a header update missed)",
       [](std::string& b) {
         const auto o = offsets(b);
         const uint64_t data = b.size() - o.data_hdr - 8;
         if (o.ds64)
           put_le(b, o.ds64 + 8, 8, data - 4800);
         else
           put_le(b, o.data_hdr + 4, 4, static_cast<uint32_t>(data - 4800));
       }},
  };
  return list;
}

TEST_F(InfoRepair, DamagedWavAndRf64AreRepairedInPlaceAndWithOutput) {
  ASSERT_TRUE(make("ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=1 -ac 2 -ar 48000 '" +
                   file("seed.wav") + "'"));
  auto rec = soundcheck(
      {"-q", "record", "-D", "virtual:speed=max", "-d", "1s", "-f", "rf64", file("seed.rf64")});
  ASSERT_EQ(rec.status, 0) << rec.err;
  for (const std::string seed : {"seed.wav", "seed.rf64"}) {
    const std::string good = read_file(file(seed));
    const std::string ext = seed.substr(seed.find('.'));
    const uint64_t frame_bytes = 4;  // stereo pcm16
    for (const auto& d : damages()) {
      SCOPED_TRACE(seed + ": " + d.what);
      std::string bad = good;
      d.apply(bad);
      const std::string path = file("bad" + ext), out = file("fixed" + ext);
      write_file(path, bad);
      const uint64_t data_bytes = bad.size() - offsets(bad).data_hdr - 8;
      const uint64_t whole = data_bytes / frame_bytes;

      const json f = info_json(path);
      EXPECT_FALSE(f.value("finalized", true));
      ASSERT_TRUE(f["repair"].is_string());
      EXPECT_EQ(f.value("frames", uint64_t{0}), whole);
      auto text = soundcheck({"info", path});
      EXPECT_NE(text.out.find("finalized:  no"), std::string::npos) << text.out;
      EXPECT_NE(text.out.find("repair:     "), std::string::npos) << text.out;

      auto r = soundcheck({"repair", path, "-o", out});  // the original stays as it is
      ASSERT_EQ(r.status, 0) << r.err;
      EXPECT_TRUE(read_file(path) == bad) << "-o changed the original";
      EXPECT_EQ(frames_read(out), static_cast<long long>(whole));
      expect_sizes_agree(out);
      EXPECT_EQ(info_json(out).value("finalized", false), true);

      r = soundcheck({"repair", path});  // in place
      ASSERT_EQ(r.status, 0) << r.err;
      EXPECT_TRUE(read_file(path) == read_file(out)) << "in place and -o differ";
      EXPECT_EQ(frames_read(path), static_cast<long long>(whole));
      expect_only({"seed.wav", "seed.rf64", "bad" + ext, "fixed" + ext});
      r = soundcheck({"repair", path});
      EXPECT_EQ(r.status, 0);
      EXPECT_NE(r.err.find("needs nothing"), std::string::npos) << r.err;
      std::filesystem::remove(path);
      std::filesystem::remove(out);
    }
  }
}

TEST_F(InfoRepair, GarbageMissingAndExistingOutput) {
  const std::string garbage = file("garbage.wav");
  std::string bytes = "RIFF\x10\x00\x00\x00WAVEjunk";
  for (int i = 0; i < 4000; ++i) bytes += static_cast<char>(i * 7919 % 251);
  write_file(garbage, bytes);
  auto r = soundcheck({"info", garbage});
  EXPECT_EQ(r.status, 65) << r.err;
  EXPECT_NE(r.err.find("garbage.wav"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  r = soundcheck({"repair", garbage});
  EXPECT_EQ(r.status, 65) << r.err;
  EXPECT_TRUE(read_file(garbage) == bytes);
  write_file(file("noise.bin"), bytes.substr(12));
  EXPECT_EQ(soundcheck({"info", file("noise.bin")}).status, 65);
  write_file(file("empty.wav"), "");
  EXPECT_EQ(soundcheck({"repair", file("empty.wav")}).status, 65);

  r = soundcheck({"info", file("nothing.wav")});
  EXPECT_EQ(r.status, 66);
  EXPECT_NE(r.err.find("nothing.wav' does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(soundcheck({"repair", file("nothing.wav")}).status, 66);

  ASSERT_TRUE(make("sox -n -r 8000 '" + file("a.wav") + "' synth 0.5 sine 440"));
  std::string cut = read_file(file("a.wav"));
  cut.resize(cut.size() - 1);
  write_file(file("cut.wav"), cut);
  const std::string taken = read_file(file("a.wav"));
  r = soundcheck({"repair", file("cut.wav"), "-o", file("a.wav")});
  EXPECT_EQ(r.status, 73) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(file("a.wav")) == taken);
  EXPECT_TRUE(read_file(file("cut.wav")) == cut);
  r = soundcheck({"repair", file("cut.wav"), "-o", file("no/such/dir.wav")});
  EXPECT_EQ(r.status, 73) << r.err;
  expect_only({"garbage.wav", "noise.bin", "empty.wav", "a.wav", "cut.wav"});
}

TEST_F(InfoRepair, AFileARecorderHoldsIsReportedAndNotRepaired) {
  const std::string path = file("held.wav");
  ASSERT_TRUE(make("sox -n -r 8000 '" + path + "' synth 0.5 sine 440"));
  std::string bytes = read_file(path);
  put_le(bytes, 4, 4, 0);  // as if the recorder had not updated its header yet
  write_file(path, bytes);
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);  // what a recorder's NewFile holds
  const json f = info_json(path);
  EXPECT_TRUE(f.value("writing", false));
  auto text = soundcheck({"info", path});
  EXPECT_NE(text.out.find("being written by a recorder"), std::string::npos) << text.out;
  auto r = soundcheck({"repair", path});
  EXPECT_EQ(r.status, 75) << r.err;
  EXPECT_NE(r.err.find("a recorder is still writing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(path) == bytes);
  ::close(fd);
  EXPECT_EQ(soundcheck({"repair", path}).status, 0);  // once it is let go
  expect_only({"held.wav"});
}

TEST_F(InfoRepair, InPlaceThroughASymlinkTheFileIsRepairedAndTheLinkStays) {
  const std::string real = file("real.wav"), link = file("link.wav");
  ASSERT_TRUE(make("sox -n -r 8000 -b 16 '" + real + "' synth 0.5 sine 440"));
  std::string bytes = read_file(real);
  put_le(bytes, 4, 4, 0);
  write_file(real, bytes);
  std::filesystem::create_symlink("real.wav", link);
  auto r = soundcheck({"repair", link});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(frames_read(real), 4000);
  expect_sizes_agree(real);
  expect_only({"real.wav", "link.wav"});
}

TEST_F(InfoRepair, JsonDocuments) {
  const std::string a = file("a.wav");
  ASSERT_TRUE(make("sox -n -r 8000 -c 2 -b 16 '" + a + "' synth 0.5 sine 440"));
  auto r = soundcheck({"--json", "info", a, file("missing.wav")});
  EXPECT_EQ(r.status, 66);
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["command"], "info");
  ASSERT_EQ(doc["files"].size(), 2u);
  const json& f = doc["files"][0];
  for (const char* key : {"file", "format", "codec", "rate", "channels", "frames", "duration_s",
                          "bitrate", "finalized", "writing", "repair"})
    EXPECT_TRUE(f.contains(key)) << key;
  EXPECT_EQ(f["file"], a);
  EXPECT_EQ(f["format"], "wav");
  EXPECT_EQ(f["codec"], "pcm16");
  EXPECT_EQ(f["frames"], 4000);
  EXPECT_DOUBLE_EQ(f["duration_s"].get<double>(), 0.5);
  EXPECT_EQ(f["bitrate"], 256000);
  EXPECT_EQ(doc["files"][1]["error"]["code"], "no_input");
  EXPECT_EQ(doc["files"][1]["error"]["exit"], 66);
  EXPECT_EQ(doc["error"]["exit"], 66);
  // the worst status of several: 66 before 65
  write_file(file("bad.bin"), std::string(100, 'x'));
  EXPECT_EQ(soundcheck({"info", file("bad.bin"), file("missing.wav"), a}).status, 66);
  EXPECT_EQ(soundcheck({"info", a, file("bad.bin")}).status, 65);

  r = soundcheck({"--json", "repair", a});
  EXPECT_EQ(r.status, 0);
  doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["changed"], false);
  EXPECT_EQ(doc["output"], a);
  EXPECT_EQ(doc["after"]["finalized"], true);

  std::string cut = read_file(a);
  cut.resize(cut.size() - 3);
  write_file(file("cut.wav"), cut);
  r = soundcheck({"--json", "repair", file("cut.wav"), "-o", file("out.wav")});
  EXPECT_EQ(r.status, 0) << r.err;
  doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  for (const char* key : {"ok", "command", "file", "output", "changed", "did", "after"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["changed"], true);
  EXPECT_EQ(doc["output"], file("out.wav"));
  EXPECT_EQ(doc["after"]["file"], file("out.wav"));
  EXPECT_EQ(doc["after"]["frames"], 3999);
  EXPECT_EQ(doc["after"]["repair"], nullptr);

  r = soundcheck({"--json", "repair", file("missing.wav")});
  EXPECT_EQ(r.status, 66);
  doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["error"]["code"], "no_input");
}

// ~100 damaged variants through the binary: exit 0 or 65, the input untouched, nothing left.
TEST_F(InfoRepair, DamagedVariantsExitZeroOr65AndStayUntouched) {
  ASSERT_TRUE(
      make("ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=0.3 -ac 2 '" + file("s.wav") + "'"));
  ASSERT_TRUE(make("ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=0.3 -c:a aac '" +
                   file("s.m4a") + "'"));
  auto rec = soundcheck(
      {"-q", "record", "-D", "virtual:speed=max", "-d", "300ms", "-f", "rf64", file("s.rf64")});
  ASSERT_EQ(rec.status, 0) << rec.err;
  rec = soundcheck({"-q", "record", "-D", "virtual:speed=max", "-d", "300ms", file("s.caf")});
  ASSERT_EQ(rec.status, 0) << rec.err;
  const std::vector<std::string> seeds = {"s.wav", "s.rf64", "s.caf", "s.m4a"};
  constexpr size_t kPerSeed = 25;
  for (const auto& seed : seeds) {
    const std::string good = read_file(file(seed));
    const auto fields = size_fields(good);
    for (size_t i = 0; i < kPerSeed; ++i) {
      const Variant v = mutate(good, fields, 2020, i);
      SCOPED_TRACE(seed + " variant " + std::to_string(i) + ": " + v.what);
      const std::string path = file("v-" + seed), out = file("o-" + seed);
      write_file(path, v.bytes);
      auto r = soundcheck({"info", path});
      EXPECT_TRUE(r.status == 0 || r.status == 65) << r.status << " " << r.err;
      r = soundcheck({"repair", path, "-o", out});
      EXPECT_TRUE(r.status == 0 || r.status == 65) << r.status << " " << r.err;
      EXPECT_TRUE(read_file(path) == v.bytes) << "the input was changed";
      r = soundcheck({"repair", path});  // in place: whole or untouched
      EXPECT_TRUE(r.status == 0 || r.status == 65) << r.status << " " << r.err;
      if (r.status == 65) {
        EXPECT_TRUE(read_file(path) == v.bytes) << "a refused repair changed it";
      }
      std::filesystem::remove(path);
      std::filesystem::remove(out);
      expect_only({"s.wav", "s.rf64", "s.caf", "s.m4a"});
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace sc::test
