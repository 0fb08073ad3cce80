// AAC and ALAC in M4A (formats/writer.h create_file_writer, create_stream_writer; the remux
// and repair of formats/ffmpeg): round trips decoded by FFmpeg in the test process, the plain
// and fragmented layouts, what is on disk after each checkpoint, a failed finalization, and
// inspect/repair of our files, of cut ones and of ffmpeg's own.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/decode.h"
#include "tests/support/temp_dir.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "formats/ffmpeg/mp4_remux.h"
#include "formats/inspect/modules.h"
#include "formats/new_file.h"
#include "formats/pcm_encode.h"
#include "formats/writer.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;
using sc::test::decode_ffmpeg;
using sc::test::Decoded;
using sc::test::TempDir;

constexpr Codec kCodecs[] = {Codec::aac, Codec::alac, Codec::alac24};

// A sine of `freq` Hz at `amp` on every channel (channel c a little quieter), silent before
// frame `onset`.
std::vector<float> sine(size_t frames, unsigned channels, unsigned rate, double freq = 1000,
                        double amp = 0.5, size_t onset = 0) {
  std::vector<float> s(frames * channels);
  for (size_t f = onset; f < frames; ++f)
    for (unsigned c = 0; c < channels; ++c)
      s[f * channels + c] = static_cast<float>(amp * (1.0 - 0.1 * c) *
                                               std::sin(2 * M_PI * freq * (f - onset) / rate));
  return s;
}

std::string describe(const WriterSpec& s) {
  return std::string(name(s.format.codec)) + " " + std::to_string(s.rate) + " Hz " +
         std::to_string(s.channels) + " ch" + (s.fragmented ? " fragmented" : "");
}

unsigned frame_size(Codec c) { return c == Codec::aac ? 1024 : 4096; }

// Writes `signal` in pieces of `piece` frames, a checkpoint after each when asked.
Status write_all_of(Writer& w, const std::vector<float>& signal, size_t piece,
                    bool checkpoints = false) {
  const unsigned ch = w.spec().channels;
  for (size_t f = 0; f < signal.size() / ch; f += piece) {
    const size_t n = std::min(piece, signal.size() / ch - f);
    if (Status s = w.write(signal.data() + f * ch, n); !s) return s;
    if (checkpoints)
      if (Status s = w.checkpoint(); !s) return s;
  }
  return ok_status();
}

// Writes a whole file; "" or the error's message.
std::string record(const std::string& path, const WriterSpec& spec,
                   const std::vector<float>& signal) {
  auto w = create_file_writer(path, spec, false);
  if (!w) return w.error().message;
  if (Status s = write_all_of(**w, signal, 4800); !s) return s.error().message;
  if (Status s = (*w)->close(); !s) return s.error().message;
  return "";
}

struct Box {
  std::string type;
  uint64_t at, size;
};

std::vector<Box> top_boxes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<Box> boxes;
  const auto end = static_cast<uint64_t>(fs::file_size(path));
  uint64_t at = 0;
  while (at + 8 <= end) {
    unsigned char h[8];
    in.seekg(static_cast<std::streamoff>(at));
    in.read(reinterpret_cast<char*>(h), 8);
    const uint64_t size = (uint64_t{h[0]} << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
    boxes.push_back({std::string(reinterpret_cast<char*>(h + 4), 4), at, size});
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

std::string layout(const std::string& path) {
  std::string s;
  for (const Box& b : top_boxes(path))
    if (b.type != "free" && (s.empty() || s.substr(s.size() - 4) != b.type))
      s += (s.empty() ? "" : " ") + b.type;
  return s;
}

bool has(const std::string& path, const std::string& type) {
  for (const Box& b : top_boxes(path))
    if (b.type == type) return true;
  return false;
}

// What `cmd` prints on stdout and stderr together.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  pclose(p);
  return out;
}

std::string ffprobe_errors(const std::string& path) {
  return run("ffprobe -v error -show_streams '" + path + "' >/dev/null");
}

TEST(WriterM4a, RoundTripEveryCodecChannelCountAndRate) {
  TempDir dir;
  for (Codec codec : kCodecs) {
    for (unsigned channels : {1u, 2u}) {
      for (unsigned rate : {22050u, 44100u, 48000u}) {
        const WriterSpec spec{{Container::m4a, codec}, rate, channels};
        SCOPED_TRACE(describe(spec));
        const std::string path = dir.file(describe(spec) + ".m4a");
        const size_t frames = rate * 3 / 2 + 77;
        const std::vector<float> signal = sine(frames, channels, rate, 440, 0.7);
        ASSERT_EQ(record(path, spec, signal), "");
        const Decoded d = decode_ffmpeg(path);
        ASSERT_TRUE(d.ok) << d.error;
        EXPECT_EQ(d.rate, rate);
        EXPECT_EQ(d.channels, channels);
        EXPECT_LE(std::llabs(static_cast<long long>(d.frames) - static_cast<long long>(frames)),
                  frame_size(codec))
            << "decoded " << d.frames << " of " << frames;
        EXPECT_EQ(layout(path).substr(0, 14), "ftyp moov mdat") << layout(path);
        EXPECT_FALSE(has(path, "moof"));
        EXPECT_EQ(ffprobe_errors(path), "");
        if (codec == Codec::aac) continue;
        // ALAC: bit-exact to the PCM quantization. FFmpeg's ALAC decoder gives 16-bit as s16p
        // and 24-bit as s32p with the sample in the top 24 bits.
        ASSERT_EQ(d.frames, frames);
        ASSERT_EQ(d.ints.size(), signal.size());
        size_t wrong = 0;
        for (size_t i = 0; i < signal.size(); ++i) {
          const int32_t want =
              codec == Codec::alac ? to_int32(signal[i]) >> 16 : (to_int32(signal[i]) >> 8) * 256;
          if (d.ints[i] != want && wrong++ < 3)
            ADD_FAILURE() << "sample " << i << ": " << d.ints[i] << ", want " << want;
        }
        EXPECT_EQ(wrong, 0u);
      }
    }
  }
}

TEST(WriterM4a, AacKeepsFrequencyLevelAndTimingWithThePrimingTrimmed) {
  TempDir dir;
  for (unsigned rate : {22050u, 48000u}) {
    for (unsigned channels : {1u, 2u}) {
      const WriterSpec spec{{Container::m4a, Codec::aac}, rate, channels};
      SCOPED_TRACE(describe(spec));
      const std::string path = dir.file(describe(spec) + ".m4a");
      const size_t onset = rate / 10, frames = rate * 2;
      ASSERT_EQ(record(path, spec, sine(frames, channels, rate, 1000, 0.5, onset)), "");
      const Decoded d = decode_ffmpeg(path);
      ASSERT_TRUE(d.ok) << d.error;
      ASSERT_GE(d.frames, frames - 1024);
      // Channel 0 in the steady part: zero crossings give the frequency, RMS the level.
      const size_t from = onset + 2048, to = frames - 2048;
      size_t crossings = 0;
      double energy = 0;
      for (size_t f = from; f < to; ++f) {
        const float a = d.samples[f * channels], b = d.samples[(f + 1) * channels];
        if ((a < 0) != (b < 0)) ++crossings;
        energy += double{a} * a;
      }
      const double freq = crossings / 2.0 * rate / static_cast<double>(to - from);
      EXPECT_NEAR(freq, 1000, 10);
      const double level_db = 10 * std::log10(energy / static_cast<double>(to - from) / 0.125);
      EXPECT_NEAR(level_db, 0, 1);
      // The priming is trimmed: the tone starts where it was written, not 1024 frames later.
      size_t start = 0;
      while (start < d.frames && std::fabs(d.samples[start * channels]) < 0.25f) ++start;
      EXPECT_NEAR(static_cast<double>(start), static_cast<double>(onset), 32)
          << "the tone starts at frame " << start;
    }
  }
}

TEST(WriterM4a, FragmentedKeepsItsFragmentsAndPlays) {
  TempDir dir;
  for (Codec codec : kCodecs) {
    WriterSpec spec{{Container::m4a, codec}, 48000, 2};
    spec.fragmented = true;
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file(describe(spec) + ".m4a");
    const size_t frames = 48000 * 3;
    ASSERT_EQ(record(path, spec, sine(frames, 2, 48000)), "");
    EXPECT_TRUE(has(path, "moof")) << layout(path);
    EXPECT_EQ(layout(path).substr(0, 14), "ftyp moov moof") << layout(path);
    const Decoded d = decode_ffmpeg(path);
    ASSERT_TRUE(d.ok) << d.error;
    // FFmpeg 5.1 does not trim the priming of a fragmented file (its edit list is there).
    const size_t priming = codec == Codec::aac ? 1024 : 0;
    EXPECT_LE(
        std::llabs(static_cast<long long>(d.frames - priming) - static_cast<long long>(frames)),
        frame_size(codec));
    EXPECT_EQ(ffprobe_errors(path), "");
    auto fi = inspect_mp4(path);
    ASSERT_TRUE(fi) << fi.error().message;
    EXPECT_LE(std::llabs(static_cast<long long>(fi->frames) - static_cast<long long>(frames)),
              frame_size(codec));
  }
}

TEST(WriterM4a, EachCheckpointPutsWhatTheEncoderEmittedOnDisk) {
  TempDir dir;
  for (Codec codec : kCodecs) {
    const WriterSpec spec{{Container::m4a, codec}, 48000, 2};
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file(describe(spec) + ".m4a");
    auto w = create_file_writer(path, spec, false);
    ASSERT_TRUE(w) << w.error().message;
    // The name comes with the first fragment: never an empty M4A at it.
    EXPECT_FALSE(fs::exists(path));
    const std::vector<float> quarter = sine(12000, 2, 48000);
    // What the encoder may hold: its FIFO (under a frame) and its delay (AAC: 1024 frames,
    // and one frame of lookahead).
    const size_t held = codec == Codec::aac ? 3 * 1024 : 4096;
    const size_t priming = codec == Codec::aac ? 1024 : 0;
    for (int i = 1; i <= 12; ++i) {
      ASSERT_TRUE((*w)->write(quarter.data(), 12000));
      ASSERT_TRUE((*w)->checkpoint());
      EXPECT_TRUE(being_written(path));
      const std::string copy = dir.file("copy.m4a");
      fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
      const Decoded d = decode_ffmpeg(copy);
      ASSERT_TRUE(d.ok) << "after " << i << " checkpoints: " << d.error;
      const size_t written = 12000 * static_cast<size_t>(i);
      const size_t got = d.frames > priming ? d.frames - priming : 0;
      EXPECT_GE(got + held, written) << "after " << i << " checkpoints";
      EXPECT_LE(got, written + 1024);
      fs::remove(copy);
    }
    EXPECT_EQ((*w)->frames_written(), 12u * 12000);
    ASSERT_TRUE((*w)->close());
    EXPECT_FALSE(being_written(path));
    EXPECT_FALSE(has(path, "moof"));
    EXPECT_EQ(dir.entries(), 1u);
    fs::remove(path);
  }
}

TEST(WriterM4a, WithoutCheckpointsAFragmentIsCutEverySecond) {
  TempDir dir;
  for (Codec codec : {Codec::aac, Codec::alac}) {
    const WriterSpec spec{{Container::m4a, codec}, 48000, 2};
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file(describe(spec) + ".m4a");
    auto w = create_file_writer(path, spec, false);
    ASSERT_TRUE(w);
    ASSERT_TRUE(write_all_of(**w, sine(48000 * 10, 2, 48000), 4800));
    // Open, ten seconds in, no checkpoint: nine whole fragments on disk at least.
    std::vector<uint64_t> sizes;
    for (const Box& b : top_boxes(path))
      if (b.type == "mdat") sizes.push_back(b.size);
    EXPECT_GE(sizes.size(), 9u);
    std::string text;
    for (uint64_t s : sizes) text += std::to_string(s) + " ";
    std::printf("%s: mdat sizes while open: %s\n", describe(spec).c_str(), text.c_str());
    const Decoded d = decode_ffmpeg(path);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_GE(d.frames, 48000u * 9);
    ASSERT_TRUE((*w)->close());
  }
}

TEST(WriterM4a, AFailedFinalizationKeepsThePlayableFragmentedFile) {
  TempDir dir;
  WriterSpec spec{{Container::m4a, Codec::aac}, 48000, 2};
  spec.fragmented = true;
  const std::string path = dir.file("take.m4a");
  ASSERT_EQ(record(path, spec, sine(48000 * 3, 2, 48000)), "");
  const auto before = fs::file_size(path);
  for (int64_t fail_after : {0, 100, 4000}) {
    SCOPED_TRACE("writes fail after " + std::to_string(fail_after) + " bytes");
    auto r = make_plain(path, 0, RemuxOptions{fail_after});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().exit, Exit::io);
    EXPECT_NE(r.error().message.find("No space left on device"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(dir.entries(), 1u);  // no temporary file left
    EXPECT_EQ(fs::file_size(path), before);
    EXPECT_TRUE(decode_ffmpeg(path).ok);
  }
  // And a copy that is not what was written is refused the same way.
  auto wrong = make_plain(path, 1);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(dir.entries(), 1u);
  EXPECT_TRUE(has(path, "moof"));
}

// Runs `child` in a forked process with a tmpfs of `size` mounted at `dir` (a private mount
// namespace: root or user namespaces); its return is the child's exit status, 77 when there is
// no mount namespace here.
int with_small_disk(const std::string& dir, const char* size, int (*child)(const std::string&)) {
  fs::create_directory(dir);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", dir.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) != 0)
      _exit(77);
    const int status = child(dir);
    std::fflush(stdout);
    _exit(status);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The writer's own close() on a full disk: a 160 KB tmpfs holds the fragmented recording
// (about 115 KB) but not the plain copy beside it.
int close_on_full_disk(const std::string& mnt) {
  const std::string path = mnt + "/take.m4a";
  const WriterSpec spec{{Container::m4a, Codec::aac, 128000}, 48000, 2};
  auto w = create_file_writer(path, spec, false);
  if (!w) return 10;
  if (!write_all_of(**w, sine(48000 * 6, 2, 48000), 4800, true)) return 11;
  Status s = (*w)->close();
  if (s) return 12;
  std::printf("close: %s\nhint: %s\n", s.error().message.c_str(), s.error().hint.c_str());
  if (s.error().exit != Exit::io) return 13;
  if (s.error().message.find("fragmented file is kept") == std::string::npos) return 14;
  if (s.error().hint.find("soundcheck repair") == std::string::npos) return 15;
  if (std::distance(fs::directory_iterator(mnt), {}) != 1) return 16;  // no temporary file
  const Decoded d = decode_ffmpeg(path);
  if (!d.ok || d.frames < 48000 * 6) return 17;
  if ((*w)->close()) return 18;  // idempotent: the same error again
  return 0;
}

TEST(WriterM4a, CloseOnAFullDiskKeepsTheFragmentedFileAndSaysSo) {
  TempDir dir;
  const int status = with_small_disk(dir.file("small"), "160k", close_on_full_disk);
  if (status == 77) GTEST_SKIP() << "no mount namespace here";
  EXPECT_EQ(status, 0);
}

// Recording onto a 64 KB tmpfs until it is full: the failed write is 74 with the cause and the
// hint, the file keeps whole fragments only and plays, close() after it is ok.
int record_until_full(const std::string& mnt) {
  const std::string path = mnt + "/take.m4a";
  const WriterSpec spec{{Container::m4a, Codec::alac, 0}, 48000, 2};
  auto w = create_file_writer(path, spec, false);
  if (!w) return 10;
  Status s = write_all_of(**w, sine(48000 * 10, 2, 48000), 4800, true);
  if (s) return 11;
  std::printf("write: %s\nhint: %s\n", s.error().message.c_str(), s.error().hint.c_str());
  if (s.error().exit != Exit::io) return 12;
  if (s.error().message != "cannot write '" + path + "': No space left on device") return 13;
  if (s.error().hint.empty()) return 14;
  if ((*w)->write(sine(10, 2, 48000).data(), 10)) return 15;  // the error sticks
  if (!(*w)->close()) return 16;                              // reported already
  const Decoded d = decode_ffmpeg(path);
  std::printf("kept %zu frames, %s\n", d.frames, d.error.c_str());
  if (!d.ok || d.frames < 4096) return 17;
  for (const Box& b : top_boxes(path))
    if (b.at + b.size > fs::file_size(path)) return 18;  // a cut box
  return 0;
}

TEST(WriterM4a, AFullDiskWhileRecordingIsAnIoErrorAndLeavesWholeFragments) {
  TempDir dir;
  const int status = with_small_disk(dir.file("small"), "64k", record_until_full);
  if (status == 77) GTEST_SKIP() << "no mount namespace here";
  EXPECT_EQ(status, 0);
}

TEST(WriterM4a, StreamIsFragmentedAndAReaderThatGoesAwayIsAnIoError) {
  TempDir dir;
  for (Codec codec : kCodecs) {
    const WriterSpec spec{{Container::m4a, codec}, 44100, 2};
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file(describe(spec) + ".m4a");
    {
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644));
      auto w = create_stream_writer(fd.get(), "stdout", spec);
      ASSERT_TRUE(w) << w.error().message;
      ASSERT_TRUE(write_all_of(**w, sine(44100 * 2, 2, 44100), 4410, true));
      ASSERT_TRUE((*w)->close());
    }
    EXPECT_TRUE(has(path, "moof"));
    const Decoded d = decode_ffmpeg(path);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_GE(d.frames, 44100u * 2);

    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    ::close(fds[0]);
    auto w = create_stream_writer(fds[1], "stdout", spec);
    Status s = w ? write_all_of(**w, sine(44100 * 3, 2, 44100), 4410, true) : w.error();
    if (s && w) s = (*w)->close();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().exit, Exit::io);
    EXPECT_NE(s.error().message.find("the reader closed the pipe"), std::string::npos)
        << s.error().message;
    ::close(fds[1]);
  }
}

TEST(WriterM4a, OverwriteAndCreationFailures) {
  TempDir dir;
  const WriterSpec spec{{Container::m4a, Codec::alac}, 48000, 1};
  const std::string path = dir.file("take.m4a");
  std::ofstream(path) << "old";
  auto refused = create_file_writer(path, spec, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit, Exit::cannot_create);
  auto w = create_file_writer(path, spec, true);
  ASSERT_TRUE(w) << w.error().message;
  // The old file stays until the new one has its moov on disk (the first cut).
  EXPECT_EQ(fs::file_size(path), 3u);
  ASSERT_TRUE(write_all_of(**w, sine(48000, 1, 48000), 4800, true));
  EXPECT_EQ(layout(path).substr(0, 14), "ftyp moov moof") << layout(path);
  EXPECT_TRUE(being_written(path));
  ASSERT_TRUE((*w)->close());
  ASSERT_TRUE((*w)->close());
  EXPECT_FALSE((*w)->write(sine(10, 1, 48000).data(), 10));
  EXPECT_EQ(dir.entries(), 1u);
  EXPECT_EQ(decode_ffmpeg(path).frames, 48000u);
  auto missing = create_file_writer(dir.file("no/take.m4a"), spec, false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().exit, Exit::cannot_create);
  EXPECT_EQ(dir.entries(), 1u);
}

// inspect_mp4 and repair_mp4 on each kind of file.
TEST(Mp4Repair, InspectAndRepairEveryKindOfFile) {
  TempDir dir;
  const size_t frames = 48000 * 5;
  WriterSpec spec{{Container::m4a, Codec::aac}, 48000, 2};
  spec.fragmented = true;
  const std::string ours = dir.file("ours.m4a");
  ASSERT_EQ(record(ours, spec, sine(frames, 2, 48000)), "");
  WriterSpec alac_spec{{Container::m4a, Codec::alac24}, 44100, 1};
  const std::string plain = dir.file("plain.m4a");
  ASSERT_EQ(record(plain, alac_spec, sine(44100 * 2, 1, 44100)), "");
  // A cut copy of ours: the file ends in the middle of the last full fragment's mdat (the
  // very last fragment is the few packets the drain gave).
  const std::string cut = dir.file("cut.m4a");
  fs::copy_file(ours, cut);
  Box last_mdat{};
  for (const Box& b : top_boxes(ours))
    if (b.type == "mdat" && b.size > 4096) last_mdat = b;
  fs::resize_file(cut, last_mdat.at + last_mdat.size / 2);
  // What a recorder killed mid-recording leaves: a copy taken while the writer is open (no
  // trailer), 3 s written with the recorder's checkpoints.
  const std::string killed = dir.file("killed.m4a");
  {
    const std::string live = dir.file("live.m4a");
    auto w = create_file_writer(live, WriterSpec{{Container::m4a, Codec::aac}, 48000, 2}, false);
    ASSERT_TRUE(w);
    ASSERT_TRUE(write_all_of(**w, sine(48000 * 3, 2, 48000), 12000, true));
    fs::copy_file(live, killed);
    ASSERT_TRUE((*w)->close());
  }
  const std::string ff_plain = dir.file("ff-plain.m4a"), ff_frag = dir.file("ff-frag.m4a");
  ASSERT_EQ(run("ffmpeg -v error -f lavfi -i sine=f=1000:d=3 -c:a aac '" + ff_plain + "'"), "");
  ASSERT_EQ(run("ffmpeg -v error -f lavfi -i sine=f=1000:d=3 -c:a aac -movflags "
                "frag_keyframe+empty_moov -frag_duration 1000000 '" +
                ff_frag + "'"),
            "");
  const std::string garbage = dir.file("garbage.m4a");
  {
    std::ofstream g(garbage, std::ios::binary);
    const unsigned char ftyp[] = {0,   0,   0, 20, 'f', 't', 'y', 'p', 'M', '4',
                                  'A', ' ', 0, 0,  0,   0,   'M', '4', 'A', ' '};
    g.write(reinterpret_cast<const char*>(ftyp), sizeof ftyp);
    for (int i = 0; i < 5000; ++i) g.put(static_cast<char>((i * 7919) >> 3));
  }

  struct Case {
    std::string path;
    bool understood;
    bool finalized;
    std::string repair_mentions;
    std::string codec;
    uint64_t frames_min, frames_max;  // after the repair too
    std::string did_mentions;
  };
  const Case cases[] = {
      {ours, true, false, "plain", "aac", frames - 1024, frames + 1024, "1024 priming"},
      {cut, true, false, "truncated", "aac", frames - 2 * 48000, frames, "1024 priming"},
      {killed, true, false, "plain", "aac", 48000 * 3 - 3072, 48000 * 3, "1024 priming"},
      {plain, true, true, "", "alac24", 44100 * 2, 44100 * 2, ""},
      {ff_plain, true, true, "", "aac", 44100 * 3 - 1024, 44100 * 3 + 1024, ""},
      // ffmpeg's fragmented file starts at 0: no priming signalled, none invented.
      {ff_frag, true, false, "plain", "aac", 44100 * 3 - 1024, 44100 * 3 + 2048, "plain:"},
      {garbage, false, false, "", "", 0, 0, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(fs::path(c.path).filename().string());
    auto fi = inspect_mp4(c.path);
    if (!c.understood) {
      ASSERT_FALSE(fi);
      EXPECT_EQ(fi.error().exit, Exit::data);
      std::printf("%s: %s\n", c.path.c_str(), fi.error().message.c_str());
      continue;
    }
    ASSERT_TRUE(fi) << fi.error().message;
    EXPECT_EQ(fi->format, "m4a");
    EXPECT_EQ(fi->codec, c.codec);
    EXPECT_EQ(fi->finalized, c.finalized);
    EXPECT_GE(fi->frames, c.frames_min);
    EXPECT_LE(fi->frames, c.frames_max);
    EXPECT_GT(fi->bitrate, 0);
    EXPECT_NEAR(fi->duration_s, static_cast<double>(fi->frames) / fi->rate, 1e-6);
    if (c.finalized) {
      EXPECT_FALSE(fi->repair) << *fi->repair;
      continue;
    }
    ASSERT_TRUE(fi->repair);
    EXPECT_NE(fi->repair->find(c.repair_mentions), std::string::npos) << *fi->repair;
    const std::string out = c.path + ".fixed.m4a";
    auto did = repair_mp4(c.path, out);
    ASSERT_TRUE(did) << did.error().message;
    std::printf("%s: %s -> %s\n", fs::path(c.path).filename().c_str(), fi->repair->c_str(),
                did->c_str());
    EXPECT_NE(did->find(c.did_mentions), std::string::npos) << *did;
    auto after = inspect_mp4(out);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->finalized);
    EXPECT_FALSE(after->repair);
    EXPECT_EQ(layout(out).substr(0, 14), "ftyp moov mdat") << layout(out);
    const Decoded d = decode_ffmpeg(out);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_GE(d.frames, c.frames_min);
    EXPECT_LE(d.frames, c.frames_max);
    EXPECT_EQ(ffprobe_errors(out), "");
    // `out` must not exist.
    auto again = repair_mp4(c.path, out);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().exit, Exit::cannot_create);
  }
}

}  // namespace
}  // namespace sc::formats
