// WriterSlow: a "wav" recording that passes 4 GiB continues as RF64 (formats/writer.h), killed
// and closed. Each test writes 4.1 GiB of float32 stereo (about 10 s on a local disk), so they
// run only when SOUNDCHECK_SLOW_TESTS=1 and the temporary directory has 5 GiB free.
#include <sndfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "formats/writer.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBlock = 4800;  // 100 ms at 48 kHz: one checkpoint per block
constexpr uint64_t kTarget = (4ull << 30) + (100ull << 20);  // 4.1 GiB, past the RIFF limit

bool slow_tests_wanted() {
  const char* v = std::getenv("SOUNDCHECK_SLOW_TESTS");
  return v != nullptr && std::string(v) == "1";
}

// Left: a ramp over each block; right: its negative. Exactly representable in float32.
float sample(uint64_t frame, unsigned channel) {
  const float v = static_cast<float>(frame % kBlock) / kBlock - 0.5f;
  return channel == 0 ? v : -v;
}

std::string run_output(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  char buf[1024];
  size_t n;
  while (p != nullptr && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = p != nullptr ? pclose(p) : -1;
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// Records past 4 GiB in a child: checkpoints after every block, then writes one block more
// and is killed (`kill`) or closes. Returns the frames the file must hold.
uint64_t record_past_4gib(const std::string& path, bool kill) {
  std::vector<float> block(kBlock * 2);
  for (size_t f = 0; f < kBlock; ++f)
    for (unsigned c = 0; c < 2; ++c) block[f * 2 + c] = sample(f, c);
  const uint64_t blocks = kTarget / (kBlock * 8) + 1;
  const pid_t pid = fork();
  if (pid == 0) {
    auto w = create_file_writer(path, {{Container::wav, Codec::float32}, 48000, 2}, false);
    if (!w) _exit(2);
    for (uint64_t i = 0; i < blocks; ++i) {
      if (!(*w)->write(block.data(), kBlock).ok() || !(*w)->checkpoint().ok()) _exit(3);
    }
    if (!(*w)->write(block.data(), kBlock).ok()) _exit(4);
    if (kill) raise(SIGKILL);
    _exit((*w)->close().ok() ? 0 : 5);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (kill) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    return blocks * kBlock;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  return (blocks + 1) * kBlock;
}

void check(const std::string& path, uint64_t frames) {
  std::ifstream in(path, std::ios::binary);
  char magic[5] = {};
  in.read(magic, 4);
  EXPECT_STREQ(magic, "RF64");

  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_RF64);
  EXPECT_EQ(info.frames, static_cast<sf_count_t>(frames));
  // The start, both sides of the 4 GiB mark, and the end.
  const uint64_t at_4gib = (4ull << 30) / 8;
  for (uint64_t at : {uint64_t{0}, at_4gib - 3, at_4gib + 5, frames - 7}) {
    float got[2 * 7];
    ASSERT_EQ(sf_seek(f, static_cast<sf_count_t>(at), SEEK_SET), static_cast<sf_count_t>(at));
    ASSERT_EQ(sf_readf_float(f, got, 7), 7);
    for (uint64_t i = 0; i < 7; ++i)
      for (unsigned c = 0; c < 2; ++c)
        EXPECT_EQ(got[i * 2 + c], sample(at + i, c)) << "frame " << at + i << " channel " << c;
  }
  sf_close(f);

  int status = 0;
  const std::string probe = run_output(
      "ffprobe -v error -show_entries stream=duration_ts -of csv=p=0 '" + path + "'", &status);
  EXPECT_EQ(status, 0) << probe;
  EXPECT_EQ(probe, std::to_string(frames) + "\n");
}

class WriterSlow : public testing::Test {
 protected:
  void SetUp() override {
    if (!slow_tests_wanted()) GTEST_SKIP() << "set SOUNDCHECK_SLOW_TESTS=1 to run";
    const fs::path dir = fs::temp_directory_path();
    if (fs::space(dir).available < 5ull << 30) GTEST_SKIP() << "needs 5 GiB free in " << dir;
    path_ = (dir / ("soundcheck-4gib-" + std::to_string(getpid()) + ".wav")).string();
  }
  void TearDown() override {
    if (!path_.empty()) fs::remove(path_);
  }
  std::string path_;
};

TEST_F(WriterSlow, WavKilledPast4GiBIsRf64WithEverythingCheckpointed) {
  check(path_, record_past_4gib(path_, /*kill=*/true));
}

TEST_F(WriterSlow, WavClosedPast4GiBIsRf64WithEveryFrame) {
  check(path_, record_past_4gib(path_, /*kill=*/false));
}

}  // namespace
}  // namespace sc::formats
