// The stream writer (formats/writer.h create_stream_writer): hand-written WAV and CAF headers
// for pipes, samples identical to the file writer's, and a reader that goes away.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "formats/writer.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

using sc::test::TempDir;

// A -6 dBFS sine, edge values, values beyond +-1, and random values of every magnitude (to
// meet the rounding of every bit that pcm16 and pcm24 drop).
std::vector<float> test_signal(size_t frames, unsigned channels) {
  static const float kEdges[] = {-1.0f, 1.0f,  0.0f,  0.5f,   -0.5f,  1.5f,   -1.5f,
                                 1e9f,  -1e9f, 1e-9f, -1e-9f, 0.999f, -0.999f};
  std::vector<float> s(frames * channels);
  std::mt19937 random(42);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t f = i / channels;
    s[i] = i % 3 == 2 ? std::ldexp(unit(random), -static_cast<int>(random() % 24))
                      : static_cast<float>(0.5 * std::sin(2 * M_PI * 330.0 * f / 48000));
  }
  for (size_t i = 0; i < std::size(kEdges) && i < s.size(); ++i) s[i * 2] = kEdges[i];
  return s;
}

std::string describe(const WriterSpec& s) {
  return std::string(info(s.format.container).name) + " " + std::string(name(s.format.codec)) +
         " " + std::to_string(s.rate) + " Hz " + std::to_string(s.channels) + " ch";
}

// Runs `produce` with the write end of a pipe while a thread drains the read end into
// memory; returns what came through once `produce` returned and the pipe was closed.
Bytes capture(const std::function<void(int)>& produce, bool nonblocking = false,
              bool slow_reader = false) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) std::abort();
  if (nonblocking) fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
  Bytes out;
  std::thread reader([&] {
    unsigned char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, slow_reader ? 1000 : sizeof buf)) > 0) {
      out.insert(out.end(), buf, buf + n);
      if (slow_reader) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  produce(fds[1]);
  close(fds[1]);
  reader.join();
  close(fds[0]);
  return out;
}

Bytes stream(const WriterSpec& spec, const std::vector<float>& signal) {
  return capture([&](int fd) {
    auto w = create_stream_writer(fd, "stdout", spec);
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_TRUE((*w)->write(signal.data(), signal.size() / spec.channels / 2).ok());
    ASSERT_TRUE((*w)->checkpoint().ok());
    const size_t done = signal.size() / spec.channels / 2;
    ASSERT_TRUE(
        (*w)->write(signal.data() + done * spec.channels, signal.size() / spec.channels - done)
            .ok());
    EXPECT_EQ((*w)->frames_written(), signal.size() / spec.channels);
    ASSERT_TRUE((*w)->close().ok());
  });
}

uint32_t le32(const Bytes& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}
uint16_t le16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] | b[at + 1] << 8); }
uint64_t be(const Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | b[at + i];
  return v;
}
std::string tag(const Bytes& b, size_t at) {
  return std::string(b.begin() + at, b.begin() + at + 4);
}

// The header's length after checking every field of it.
size_t check_header(const Bytes& b, const WriterSpec& spec) {
  const Codec codec = spec.format.codec;
  const unsigned bytes = bits(codec) / 8;
  if (spec.format.container == Container::caf) {
    EXPECT_EQ(tag(b, 0), "caff");
    EXPECT_EQ(be(b, 4, 2), 1u);
    EXPECT_EQ(tag(b, 8), "desc");
    EXPECT_EQ(be(b, 12, 8), 32u);
    EXPECT_EQ(std::bit_cast<double>(be(b, 20, 8)), spec.rate);
    EXPECT_EQ(tag(b, 28), "lpcm");
    EXPECT_EQ(be(b, 32, 4), codec == Codec::float32 ? 3u : 2u) << "little-endian, float";
    EXPECT_EQ(be(b, 36, 4), bytes * spec.channels);
    EXPECT_EQ(be(b, 40, 4), 1u);
    EXPECT_EQ(be(b, 44, 4), spec.channels);
    EXPECT_EQ(be(b, 48, 4), bits(codec));
    EXPECT_EQ(tag(b, 52), "data");
    EXPECT_EQ(be(b, 56, 8), ~uint64_t{0});
    EXPECT_EQ(be(b, 64, 4), 0u);
    return 68;
  }
  const bool extensible = codec != Codec::pcm16 || spec.channels > 2;
  EXPECT_EQ(tag(b, 0), "RIFF");
  EXPECT_EQ(le32(b, 4), 0xFFFFFFFFu);
  EXPECT_EQ(tag(b, 8), "WAVE");
  EXPECT_EQ(tag(b, 12), "fmt ");
  EXPECT_EQ(le32(b, 16), extensible ? 40u : 16u);
  EXPECT_EQ(le16(b, 20), extensible ? 0xFFFE : 1);
  EXPECT_EQ(le16(b, 22), spec.channels);
  EXPECT_EQ(le32(b, 24), spec.rate);
  EXPECT_EQ(le32(b, 28), spec.rate * bytes * spec.channels);
  EXPECT_EQ(le16(b, 32), bytes * spec.channels);
  EXPECT_EQ(le16(b, 34), bits(codec));
  size_t at = 36;
  if (extensible) {
    EXPECT_EQ(le16(b, 36), 22);
    EXPECT_EQ(le16(b, 38), bits(codec));
    EXPECT_EQ(le32(b, 44), codec == Codec::float32 ? 3u : 1u) << "subformat GUID";
    EXPECT_EQ(le32(b, 48), 0x00100000u);
    at = 60;
  }
  EXPECT_EQ(tag(b, at), "data");
  EXPECT_EQ(le32(b, at + 4), 0xFFFFFFFFu);
  return at + 8;
}

void save(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::vector<float> read_with_libsndfile(const std::string& path, SF_INFO* info) {
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, info);
  if (f == nullptr) {
    ADD_FAILURE() << "libsndfile cannot open " << path << ": " << sf_strerror(nullptr);
    return {};
  }
  std::vector<float> s(static_cast<size_t>(info->frames) * info->channels);
  EXPECT_EQ(sf_readf_float(f, s.data(), info->frames), info->frames);
  sf_close(f);
  return s;
}

// ffmpeg's decode of `path` as 32-bit floats.
std::vector<float> read_with_ffmpeg(const std::string& path) {
  std::vector<float> out;
  FILE* p =
      popen(("ffmpeg -nostdin -v error -i '" + path + "' -f f32le - 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  float buf[4096];
  size_t n;
  while ((n = fread(buf, sizeof(float), std::size(buf), p)) > 0)
    out.insert(out.end(), buf, buf + n);
  EXPECT_EQ(pclose(p), 0) << "ffmpeg failed on " << path;
  return out;
}

TEST(WriterStream, HeadersAndSamplesMatchTheFileWriterForEveryContainerAndCodec) {
  TempDir dir;
  constexpr size_t kFrames = 6000;
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    for (Codec codec : pcm_codecs()) {
      for (unsigned channels : {1u, 2u, 6u}) {
        const WriterSpec spec{{container, codec}, 48000, channels};
        SCOPED_TRACE(describe(spec));
        const auto signal = test_signal(kFrames, channels);
        const Bytes bytes = stream(spec, signal);
        const size_t header = check_header(bytes, spec);
        const size_t frame_bytes = bits(codec) / 8 * channels;
        ASSERT_EQ(bytes.size(), header + kFrames * frame_bytes);

        // The same signal through the file writer (same container; rf64 streams as wav).
        const Container file_container = container == Container::rf64 ? Container::wav : container;
        const std::string ext(info(file_container).extensions.front());
        const std::string file_path = dir.file("file" + ext);
        {
          auto w = create_file_writer(file_path, {{file_container, codec}, 48000, channels}, true);
          ASSERT_TRUE(w.ok()) << w.error().message;
          ASSERT_TRUE((*w)->write(signal.data(), kFrames).ok());
          ASSERT_TRUE((*w)->close().ok());
        }
        SF_INFO file_info{};
        const auto from_file = read_with_libsndfile(file_path, &file_info);

        // libsndfile reads the stream with its open-ended sizes after a CAF's -1 is replaced
        // by the real size (libsndfile 1.2 refuses -1, see STYLE.md).
        Bytes readable = bytes;
        if (container == Container::caf) {
          const uint64_t size = kFrames * frame_bytes + 4;
          for (int i = 0; i < 8; ++i)
            readable[56 + i] = static_cast<unsigned char>(size >> (56 - 8 * i));
        }
        const std::string stream_path = dir.file("stream" + ext);
        save(stream_path, readable);
        SF_INFO stream_info{};
        const auto from_stream = read_with_libsndfile(stream_path, &stream_info);
        EXPECT_EQ(stream_info.frames, static_cast<sf_count_t>(kFrames));
        EXPECT_EQ(stream_info.channels, static_cast<int>(channels));
        EXPECT_EQ(stream_info.samplerate, 48000);
        EXPECT_EQ(stream_info.format & SF_FORMAT_SUBMASK, file_info.format & SF_FORMAT_SUBMASK);
        ASSERT_EQ(from_stream.size(), from_file.size());
        size_t differ = 0;
        for (size_t i = 0; i < from_file.size() && differ < 5; ++i) {
          if (std::bit_cast<uint32_t>(from_stream[i]) != std::bit_cast<uint32_t>(from_file[i])) {
            ++differ;
            ADD_FAILURE() << "sample " << i << " (" << signal[i] << "): stream " << from_stream[i]
                          << ", file " << from_file[i];
          }
        }

        // ffmpeg reads the stream as it is, open-ended sizes included.
        const std::string raw_path = dir.file("raw" + ext);
        save(raw_path, bytes);
        const auto from_ffmpeg = read_with_ffmpeg(raw_path);
        ASSERT_EQ(from_ffmpeg.size(), from_file.size());
        for (size_t i = 0, bad = 0; i < from_file.size() && bad < 5; ++i) {
          if (std::fabs(from_ffmpeg[i] - from_file[i]) > 1e-7) {
            ++bad;
            ADD_FAILURE() << "sample " << i << ": ffmpeg " << from_ffmpeg[i] << ", libsndfile "
                          << from_file[i];
          }
        }
      }
    }
  }
}

TEST(WriterStream, AReaderThatGoesAwayIsAnIoErrorNotASignal) {
  const WriterSpec spec{{Container::wav, Codec::pcm16}, 48000, 2};
  const std::vector<float> block(2 * 48000, 0.25f);

  // Gone before the header.
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  auto early = create_stream_writer(fds[1], "stdout", spec);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().exit, Exit::io);
  EXPECT_EQ(early.error().message, "cannot write to stdout: the reader closed the pipe");
  close(fds[1]);

  // Gone in the middle.
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  auto w = create_stream_writer(fds[1], "stdout", spec);
  ASSERT_TRUE(w.ok()) << w.error().message;
  close(fds[0]);
  Status s = (*w)->write(block.data(), 48000);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(static_cast<int>(s.error().exit), 74);
  EXPECT_EQ(s.error().message, "cannot write to stdout: the reader closed the pipe");
  EXPECT_FALSE((*w)->write(block.data(), 1).ok()) << "the failure sticks";
  EXPECT_TRUE((*w)->close().ok());
  close(fds[1]);

  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0) << "no SIGPIPE left pending";
}

TEST(WriterStream, ANonBlockingPipeWithASlowReaderGetsEveryByte) {
  const WriterSpec spec{{Container::caf, Codec::pcm24}, 48000, 2};
  const auto signal = test_signal(100000, 2);
  const Bytes slow = capture(
      [&](int fd) {
        auto w = create_stream_writer(fd, "pipe", spec);
        ASSERT_TRUE(w.ok()) << w.error().message;
        ASSERT_TRUE((*w)->write(signal.data(), 100000).ok());
        ASSERT_TRUE((*w)->close().ok());
      },
      /*nonblocking=*/true, /*slow_reader=*/true);
  const Bytes fast = stream(spec, signal);
  ASSERT_EQ(slow.size(), fast.size());
  EXPECT_TRUE(slow == fast);
}

TEST(WriterStream, CloseLeavesTheDescriptorOpen) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  {
    auto w = create_stream_writer(fds[1], "stdout", {{Container::wav, Codec::float32}, 8000, 1});
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ((*w)->path(), "-");
    EXPECT_EQ((*w)->spec().rate, 8000u);
    ASSERT_TRUE((*w)->close().ok());
    ASSERT_TRUE((*w)->close().ok());
    const float x = 0.5f;
    EXPECT_FALSE((*w)->write(&x, 1).ok());
  }
  EXPECT_NE(fcntl(fds[1], F_GETFD), -1);
  close(fds[0]);
  close(fds[1]);
}

TEST(WriterStream, RejectsImpossibleSpecs) {
  auto w = create_stream_writer(1, "stdout", {{Container::wav, Codec::pcm16}, 48000, 0});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().exit, Exit::usage);
}

}  // namespace
}  // namespace sc::formats
