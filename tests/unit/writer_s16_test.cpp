// 16-bit frames written as they are (formats/writer.h Writer::write_s16): a pcm16 file holds
// exactly the values given, in every container and byte order, whether they went through the
// held block or straight from the caller's memory; every other sample type, and the stream
// writer, hold what write() of the same values as float (k / 32768) gives.
#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/read_ints.h"
#include "tests/support/temp_dir.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "formats/writer.h"

namespace sc::formats {
namespace {

using sc::test::read_ints;
using sc::test::TempDir;

constexpr unsigned kChannels = 2;
constexpr unsigned kRate = 48000;

// Edge values first, then random ones.
std::vector<int16_t> s16_signal(size_t frames) {
  std::vector<int16_t> s(frames * kChannels);
  std::mt19937 random(7);
  std::uniform_int_distribution<int> any(-32768, 32767);
  for (auto& v : s) v = static_cast<int16_t>(any(random));
  const int16_t edges[] = {-32768, 32767, 0, 1, -1, 16384, -16384};
  for (size_t i = 0; i < std::size(edges); ++i) s[i] = edges[i];
  return s;
}

std::vector<float> widened(const std::vector<int16_t>& s) {
  std::vector<float> f(s.size());
  for (size_t i = 0; i < s.size(); ++i) f[i] = static_cast<float>(s[i]) / 32768.0f;
  return f;
}

// Piece sizes that meet every path (a file's block is 24000 frames here, a stream's 4800):
// pieces of a quarter block or more straight from the caller, whatever their size (48000,
// 50000), and after what is held has gone out first (30000, 100000); single frames into the
// held block; small pieces that fill it and spill over (5000s in a file, 1000s in a stream);
// and the rest.
const size_t kPieces[] = {48000, 1,    7,    30000, 50000, 3,    100000, 17,   5000, 5000,
                          5000,  5000, 5000, 1000,  1000,  1000, 1000,   1000, 1000, 9};

size_t total_frames() {
  size_t n = 0;
  for (size_t p : kPieces) n += p;
  return n;
}

// Writes `signal` through `ws` (write_s16) and its floats through `wf` (write) in kPieces,
// then closes both.
void write_both(Writer& ws, Writer& wf, const std::vector<int16_t>& signal,
                const std::vector<float>& floats) {
  size_t at = 0;
  for (size_t piece : kPieces) {
    ASSERT_TRUE(ws.write_s16(signal.data() + at * kChannels, piece).ok());
    ASSERT_TRUE(wf.write(floats.data() + at * kChannels, piece).ok());
    at += piece;
    EXPECT_EQ(ws.frames_written(), at);
  }
  ASSERT_TRUE(ws.close().ok());
  ASSERT_TRUE(wf.close().ok());
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(WriterS16, FilesHoldTheValuesOrWhatWriteOfTheirFloatsGives) {
  TempDir dir;
  const auto signal = s16_signal(total_frames());
  const auto floats = widened(signal);
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    for (Codec codec : {Codec::pcm16, Codec::pcm24, Codec::pcm32, Codec::float32}) {
      const WriterSpec spec{{container, codec}, kRate, kChannels};
      const std::string label = std::string(info(container).name) + "-" + std::string(name(codec));
      SCOPED_TRACE(label);
      const std::string a = dir.file(label + "-s16"), b = dir.file(label + "-float");
      auto ws = create_file_writer(a, spec, false);
      auto wf = create_file_writer(b, spec, false);
      ASSERT_TRUE(ws.ok() && wf.ok());
      write_both(**ws, **wf, signal, floats);
      SF_INFO ia, ib;
      const auto va = read_ints(a, ia), vb = read_ints(b, ib);
      ASSERT_EQ(ia.frames, static_cast<sf_count_t>(total_frames()));
      ASSERT_EQ(ib.frames, ia.frames);
      EXPECT_TRUE(va == vb) << "the same samples as write() of k / 32768";
      if (codec == Codec::pcm16) {
        bool exact = true;
        for (size_t i = 0; i < signal.size() && exact; ++i) exact = va[i] == signal[i] * 65536;
        EXPECT_TRUE(exact) << "pcm16 holds the values given";
      }
    }
  }
}

TEST(WriterS16, AStreamIsByteForByteWhatWriteOfTheFloatsGives) {
  TempDir dir;
  const auto signal = s16_signal(total_frames());
  const auto floats = widened(signal);
  for (Container container : {Container::wav, Container::caf}) {
    for (Codec codec : {Codec::pcm16, Codec::pcm24}) {
      const WriterSpec spec{{container, codec}, kRate, kChannels};
      SCOPED_TRACE(std::string(info(container).name) + " " + std::string(name(codec)));
      // Regular files opened as a stream writer's descriptor (its sizes are patched in).
      const std::string a = dir.file("s16.out"), b = dir.file("float.out");
      const int fa = ::open(a.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int fb = ::open(b.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ASSERT_GE(fa, 0);
      ASSERT_GE(fb, 0);
      {
        auto ws = create_stream_writer(fa, "a", spec);
        auto wf = create_stream_writer(fb, "b", spec);
        ASSERT_TRUE(ws.ok() && wf.ok());
        write_both(**ws, **wf, signal, floats);
      }
      ::close(fa);
      ::close(fb);
      const std::string ba = bytes_of(a);
      EXPECT_GT(ba.size(), total_frames() * kChannels * 2);
      EXPECT_TRUE(ba == bytes_of(b));
    }
  }
}

}  // namespace
}  // namespace sc::formats
