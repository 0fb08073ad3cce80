// A SIGKILL of `soundcheck record` (issue 18, point 4): the file it leaves loses at most 0.5 s
// of what was captured, and its header agrees with the audio on disk (formats/writer.h).
// Recorded from the virtual device at real-time speed into WAV and CAF, killed at several
// moments; what is on disk is read three ways: the data chunk's declared size, the bytes after
// its start, and libsndfile's frame count.
#include <sndfile.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/run.h"

namespace sc::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr unsigned kRate = 48000;             // the virtual device's default, kept by the file
constexpr unsigned kFrameBytes = 4;           // stereo pcm16, the defaults
constexpr double kMaxLossS = 0.5;             // the requirement
constexpr unsigned kBlockFrames = kRate / 4;  // what the writer holds at most (writer.h)

struct DataChunk {
  uint64_t declared_frames = 0;  // by the header
  uint64_t disk_frames = 0;      // the bytes after the chunk's start, in whole frames
};

uint64_t le(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

uint64_t be(const std::string& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

// The data chunk of a RIFF/RF64 or CAF file, if the file has one yet.
std::optional<DataChunk> data_chunk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() >= 12 && (b.compare(0, 4, "RIFF") == 0 || b.compare(0, 4, "RF64") == 0)) {
    std::optional<uint64_t> ds64;
    for (size_t pos = 12; pos + 8 <= b.size();) {
      uint64_t size = le(b, pos + 4, 4);
      if (b.compare(pos, 4, "ds64") == 0 && pos + 24 <= b.size()) ds64 = le(b, pos + 16, 8);
      if (b.compare(pos, 4, "data") == 0) {
        if (size == 0xFFFFFFFF && ds64) size = *ds64;
        return DataChunk{size / kFrameBytes, (b.size() - pos - 8) / kFrameBytes};
      }
      pos += 8 + size + (size & 1);
    }
  } else if (b.size() >= 8 && b.compare(0, 4, "caff") == 0) {
    for (size_t pos = 8; pos + 12 <= b.size();) {
      const auto size = static_cast<int64_t>(be(b, pos + 4, 8));
      // The data chunk starts with a 4-byte edit count, which its size includes.
      if (b.compare(pos, 4, "data") == 0 && pos + 16 <= b.size())
        return DataChunk{static_cast<uint64_t>(size - 4) / kFrameBytes,
                         (b.size() - pos - 16) / kFrameBytes};
      if (size < 0) break;
      pos += 12 + static_cast<size_t>(size);
    }
  }
  return std::nullopt;
}

// libsndfile's frame count, or -1 when it cannot open the file.
int64_t sndfile_frames(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return -1;
  sf_close(f);
  return info.frames;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST(RecordKill, LosesAtMostHalfASecondAndTheHeaderAgreesWithTheDisk) {
  // After the first frame is on disk: 5 moments per format, 11 s of recording in all.
  const double kill_after_s[] = {1.0, 1.45, 1.9, 2.5, 3.0};
  for (const char* ext : {"wav", "caf"}) {
    for (const double after : kill_after_s) {
      const std::string out = temp_dir() + "/killed." + ext;
      SCOPED_TRACE(out + " killed " + std::to_string(after) + " s after the first frame");
      auto p = start_soundcheck({"record", "-q", "-D", "virtual:signal=sine:1000", out});
      // The time reference: the first moment the file holds a frame, and how many it held
      // then. Everything captured after it, up to 0.5 s before the kill, must be in the file.
      // (Measured from the spawn instead, the start-up would count as loss.)
      std::optional<DataChunk> first;
      const auto give_up = Clock::now() + 10s;
      while (!(first && first->disk_frames > 0) && Clock::now() < give_up) {
        std::this_thread::sleep_for(1ms);
        first = data_chunk(out);
      }
      const auto t_first = Clock::now();
      ASSERT_TRUE(first && first->disk_frames > 0) << "no frame on disk in 10 s";
      std::this_thread::sleep_until(t_first + std::chrono::duration<double>(after));
      const auto t_kill = Clock::now();
      p->signal(SIGKILL);
      const RunResult r = p->wait();
      EXPECT_EQ(r.status, 128 + SIGKILL) << r.err;

      const auto chunk = data_chunk(out);
      ASSERT_TRUE(chunk) << "no data chunk";
      const int64_t frames = sndfile_frames(out);
      ASSERT_GE(frames, 0) << "libsndfile cannot open it: " << sf_strerror(nullptr);
      // The header declares what libsndfile reads, and what is on disk. The one moment they
      // can differ is between a block's write(2) and the header's rewrite right after it (two
      // system calls in a row): then the disk holds one block more than declared.
      EXPECT_EQ(static_cast<uint64_t>(frames), chunk->declared_frames);
      EXPECT_GE(chunk->disk_frames, chunk->declared_frames);
      EXPECT_LE(chunk->disk_frames, chunk->declared_frames + kBlockFrames);
      // At most 0.5 s of what was captured is lost.
      const double since_first = seconds(t_kill - t_first);
      const double held_s = static_cast<double>(frames) / kRate;
      const double first_s = static_cast<double>(first->disk_frames) / kRate;
      EXPECT_GE(held_s, first_s + since_first - kMaxLossS)
          << "lost " << first_s + since_first - held_s << " s";
    }
  }
}

}  // namespace
}  // namespace sc::test
