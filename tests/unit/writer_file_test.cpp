// The file writers (formats/writer.h create_file_writer): every container x codec round trip
// through libsndfile, files that survive SIGKILL and a full disk, and never overwriting.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

#include <array>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "formats/writer.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;

using sc::test::TempDir;

// A sine at -6 dBFS per channel (a different pitch each) with exact edge values and values
// beyond +-1 (which must clip) in the first frames.
std::vector<float> test_signal(size_t frames, unsigned channels, unsigned rate) {
  static const float kEdges[] = {-1.0f,  1.0f,  0.0f,   0.5f,       -0.5f,      1.5f,
                                 -1.5f,  1e9f,  -1e9f,  1.0000001f, -1.000001f, 0.25f,
                                 -1e-6f, 3e-5f, -3e-5f, 0.999f};
  std::vector<float> s(frames * channels);
  for (size_t f = 0; f < frames; ++f) {
    for (unsigned c = 0; c < channels; ++c) {
      const double hz = 220.0 * (c + 1);
      s[f * channels + c] = static_cast<float>(0.5 * std::sin(2 * M_PI * hz * f / rate));
    }
  }
  for (size_t i = 0; i < std::size(kEdges) && i < s.size(); ++i) s[i * 3 % s.size()] = kEdges[i];
  return s;
}

float clipped(float x) { return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x); }

double tolerance(Codec c) {
  switch (c) {
    case Codec::pcm16:
      return 1.0 / 32768 + 1e-7;
    case Codec::pcm24:
      return 1.0 / 8388608 + 1e-9;
    case Codec::pcm32:
      return 1e-9;
    case Codec::float32:
      return 0;
    default:  // packet codecs are tested in their own files
      break;
  }
  return 0;
}

int sf_type(Container c) {
  switch (c) {
    case Container::wav:
      return SF_FORMAT_WAVEX;  // RIFF with WAVE_FORMAT_EXTENSIBLE, after the RF64 downgrade
    case Container::rf64:
      return SF_FORMAT_RF64;
    case Container::caf:
      return SF_FORMAT_CAF;
    case Container::m4a:
      break;
  }
  return 0;
}

int sf_subtype(Codec c) {
  switch (c) {
    case Codec::pcm16:
      return SF_FORMAT_PCM_16;
    case Codec::pcm24:
      return SF_FORMAT_PCM_24;
    case Codec::pcm32:
      return SF_FORMAT_PCM_32;
    case Codec::float32:
      return SF_FORMAT_FLOAT;
    default:
      break;
  }
  return 0;
}

const char* magic(Container c) {
  switch (c) {
    case Container::wav:
      return "RIFF";
    case Container::rf64:
      return "RF64";
    case Container::caf:
      return "caff";
    case Container::m4a:
      break;
  }
  return "";
}

struct Decoded {
  bool ok = false;
  std::string error;
  SF_INFO info{};
  std::vector<float> samples;
};

Decoded read_with_libsndfile(const std::string& path) {
  Decoded d;
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &d.info);
  if (f == nullptr) {
    d.error = sf_strerror(nullptr);
    return d;
  }
  d.samples.resize(static_cast<size_t>(d.info.frames) * d.info.channels);
  const sf_count_t got = sf_readf_float(f, d.samples.data(), d.info.frames);
  sf_close(f);
  d.ok = got == d.info.frames;
  if (!d.ok) d.error = "short read";
  return d;
}

std::string head(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

struct Command {
  int status = -1;
  std::string output;
};

// Runs a shell command, capturing stdout and stderr.
Command run(const std::string& command) {
  Command r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// ffprobe and ffmpeg (a full decode) both accept the file without a word.
void expect_ffmpeg_reads(const std::string& path) {
  Command probe = run("ffprobe -v error '" + path + "'");
  EXPECT_EQ(probe.status, 0) << "ffprobe: " << probe.output;
  EXPECT_EQ(probe.output, "") << "ffprobe";
  Command decode = run("ffmpeg -nostdin -v error -i '" + path + "' -f null -");
  EXPECT_EQ(decode.status, 0) << "ffmpeg: " << decode.output;
  EXPECT_EQ(decode.output, "") << "ffmpeg";
}

std::string describe(const WriterSpec& s) {
  return std::string(info(s.format.container).name) + " " + std::string(name(s.format.codec)) +
         " " + std::to_string(s.rate) + " Hz " + std::to_string(s.channels) + " ch";
}

// "pcm24-48000-2.wav"
std::string file_name(const WriterSpec& s) {
  return std::string(name(s.format.codec)) + "-" + std::to_string(s.rate) + "-" +
         std::to_string(s.channels) + std::string(info(s.format.container).extensions.front());
}

// Writes `signal` in uneven blocks, then closes.
void write_all(Writer& w, const std::vector<float>& signal) {
  const unsigned ch = w.spec().channels;
  const size_t frames = signal.size() / ch;
  const size_t blocks[] = {1, 7, 1000, 4096};
  size_t done = 0;
  for (size_t i = 0; done < frames; ++i) {
    const size_t n = std::min(blocks[i % std::size(blocks)], frames - done);
    Status s = w.write(signal.data() + done * ch, n);
    ASSERT_TRUE(s.ok()) << s.error().message;
    done += n;
    if (i % 5 == 4) {
      ASSERT_TRUE(w.checkpoint().ok());
    }
  }
}

void expect_samples_near(const std::vector<float>& got, const std::vector<float>& want,
                         size_t count, double tol) {
  ASSERT_GE(got.size(), count);
  ASSERT_GE(want.size(), count);
  size_t bad = 0;
  for (size_t i = 0; i < count && bad < 5; ++i) {
    if (std::fabs(double{got[i]} - clipped(want[i])) > tol) {
      ++bad;
      ADD_FAILURE() << "sample " << i << ": wrote " << want[i] << ", read " << got[i]
                    << " (tolerance " << tol << ")";
    }
  }
}

TEST(WriterFile, RoundTripEveryContainerCodecRateAndChannelCount) {
  TempDir dir;
  constexpr size_t kFrames = 5000;
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    for (Codec codec : pcm_codecs()) {
      for (unsigned rate : {44100u, 48000u}) {
        for (unsigned channels : {1u, 2u, 6u}) {
          const WriterSpec spec{{container, codec}, rate, channels};
          SCOPED_TRACE(describe(spec));
          const std::string path = dir.file(file_name(spec));
          const auto signal = test_signal(kFrames, channels, rate);
          auto w = create_file_writer(path, spec, false);
          ASSERT_TRUE(w.ok()) << w.error().message;
          write_all(**w, signal);
          EXPECT_EQ((*w)->frames_written(), kFrames);
          ASSERT_TRUE((*w)->close().ok());
          EXPECT_TRUE((*w)->close().ok()) << "close is idempotent";

          EXPECT_EQ(head(path, 4), magic(container));
          Decoded d = read_with_libsndfile(path);
          ASSERT_TRUE(d.ok) << d.error;
          EXPECT_EQ(d.info.format & SF_FORMAT_TYPEMASK, sf_type(container));
          EXPECT_EQ(d.info.format & SF_FORMAT_SUBMASK, sf_subtype(codec));
          EXPECT_EQ(d.info.samplerate, static_cast<int>(rate));
          EXPECT_EQ(d.info.channels, static_cast<int>(channels));
          EXPECT_EQ(d.info.frames, static_cast<sf_count_t>(kFrames));
          expect_samples_near(d.samples, signal, signal.size(), tolerance(codec));
        }
      }
    }
  }
}

bool have_sox() { return run("command -v sox").status == 0; }

// Forks a child that records `spec` to `path`: `saved` frames then a checkpoint, then `unsaved`
// frames, then SIGKILL. Returns once the child is dead.
void record_and_kill(const std::string& path, const WriterSpec& spec,
                     const std::vector<float>& signal, size_t saved, size_t unsaved) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto w = create_file_writer(path, spec, false);
    if (!w) _exit(2);
    const unsigned ch = spec.channels;
    for (size_t done = 0; done < saved + unsaved;) {
      if (done == saved && !(*w)->checkpoint().ok()) _exit(3);
      const size_t limit = done < saved ? saved : saved + unsaved;
      const size_t n = std::min<size_t>(480, limit - done);
      if (!(*w)->write(signal.data() + done * ch, n).ok()) _exit(4);
      done += n;
    }
    if (unsaved == 0 && !(*w)->checkpoint().ok()) _exit(3);
    raise(SIGKILL);
    _exit(5);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child did not get to its SIGKILL; status " << status;
}

TEST(WriterFile, SigkillKeepsEverythingUpToTheLastCheckpoint) {
  TempDir dir;
  const bool sox = have_sox();
  constexpr size_t kSaved = 10000;  // under a second: only the checkpoint saves it
  constexpr size_t kUnsaved = 2000;
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    for (Codec codec : pcm_codecs()) {
      const WriterSpec spec{{container, codec}, 48000, 2};
      SCOPED_TRACE(describe(spec));
      const std::string path = dir.file("killed-" + file_name(spec));
      const auto signal = test_signal(kSaved + kUnsaved, spec.channels, spec.rate);
      record_and_kill(path, spec, signal, kSaved, kUnsaved);

      EXPECT_EQ(head(path, 4), magic(container));
      Decoded d = read_with_libsndfile(path);
      ASSERT_TRUE(d.ok) << d.error;
      EXPECT_GE(d.info.frames, static_cast<sf_count_t>(kSaved));
      EXPECT_LE(d.info.frames, static_cast<sf_count_t>(kSaved + kUnsaved));
      expect_samples_near(d.samples, signal, kSaved * spec.channels, tolerance(codec));
      expect_ffmpeg_reads(path);
      if (sox) {
        Command r = run("sox -V1 '" + path + "' -n");
        EXPECT_EQ(r.status, 0) << "sox: " << r.output;
      }
    }
  }
}

TEST(WriterFile, SigkillBeforeTheFirstFrameLeavesAnEmptyValidFile) {
  TempDir dir;
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    const WriterSpec spec{{container, Codec::pcm16}, 48000, 2};
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file("empty-" + file_name(spec));
    record_and_kill(path, spec, {}, 0, 0);
    Decoded d = read_with_libsndfile(path);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.info.frames, 0);
    EXPECT_EQ(d.info.channels, 2);
    Command probe = run("ffprobe -v error '" + path + "'");
    EXPECT_EQ(probe.status, 0) << probe.output;
  }
}

TEST(WriterFile, WithoutCheckpointsTheHeaderIsRefreshedEveryTwoSecondsOfAudio) {
  TempDir dir;
  for (Container container : {Container::wav, Container::caf}) {
    const WriterSpec spec{{container, Codec::pcm24}, 48000, 2};
    SCOPED_TRACE(describe(spec));
    const std::string path = dir.file("unsaved-" + file_name(spec));
    const auto signal = test_signal(120000, spec.channels, spec.rate);
    record_and_kill(path, spec, signal, 0, 120000);  // 2.5 s, no checkpoint
    Decoded d = read_with_libsndfile(path);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_GE(d.info.frames, 96000);
    expect_samples_near(d.samples, signal, 96000 * spec.channels, tolerance(spec.format.codec));
  }
}

TEST(WriterFile, AnExistingFileIsKeptWithoutOverwrite) {
  TempDir dir;
  const std::string path = dir.file("take.wav");
  std::ofstream(path) << "old take";
  auto w = create_file_writer(path, {{Container::wav, Codec::pcm16}, 48000, 2}, false);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().exit, Exit::cannot_create);
  EXPECT_EQ(static_cast<int>(w.error().exit), 73);
  EXPECT_EQ(w.error().message, "'" + path + "' already exists");
  EXPECT_EQ(w.error().hint, "use --force to overwrite it, or choose another name");
  EXPECT_EQ(head(path, 100), "old take");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WriterFile, OverwriteReplacesTheFileAndLeavesNothingElse) {
  TempDir dir;
  const std::string path = dir.file("take.caf");
  std::ofstream(path) << "old take";
  const WriterSpec spec{{Container::caf, Codec::pcm24}, 44100, 1};
  auto w = create_file_writer(path, spec, true);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)->path(), path);
  const auto signal = test_signal(3000, 1, 44100);
  write_all(**w, signal);
  ASSERT_TRUE((*w)->close().ok());
  Decoded d = read_with_libsndfile(path);
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.info.frames, 3000);
  EXPECT_EQ(dir.entries(), 1u) << "no temporary file left behind";

  // Overwrite of a name that does not exist yet simply creates it.
  auto fresh = create_file_writer(dir.file("new.caf"), spec, true);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  ASSERT_TRUE((*fresh)->close().ok());
  EXPECT_TRUE(read_with_libsndfile(dir.file("new.caf")).ok);
  EXPECT_EQ(dir.entries(), 2u);
}

TEST(WriterFile, CreationFailuresNameThePathAndLeaveNothing) {
  TempDir dir;
  fs::create_directory(dir.path() / "sub");
  std::ofstream(dir.file("notes.txt")) << "a file, not a directory";
  struct Case {
    std::string path;
    bool overwrite;
    std::string message;
    std::string hint;
  };
  const std::string missing = dir.file("missing/");
  const std::string sub = dir.file("sub");
  const Case cases[] = {
      {missing + "take.wav", false, "directory '" + missing + "' does not exist",
       "create it first (mkdir -p '" + missing + "') or choose another place"},
      {missing + "take.wav", true, "directory '" + missing + "' does not exist",
       "create it first (mkdir -p '" + missing + "') or choose another place"},
      {sub, false, "'" + sub + "' is a directory",
       "give a file name inside it, e.g. '" + sub + "/take.wav'"},
      {sub, true, "'" + sub + "' is a directory",
       "give a file name inside it, e.g. '" + sub + "/take.wav'"},
      {dir.file("notes.txt/take.wav"), false,
       "cannot create '" + dir.file("notes.txt/take.wav") + "': Not a directory", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path + (c.overwrite ? " with overwrite" : ""));
    auto w = create_file_writer(c.path, {{Container::wav, Codec::pcm16}, 48000, 2}, c.overwrite);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().exit, Exit::cannot_create);
    EXPECT_EQ(w.error().message, c.message);
    EXPECT_EQ(w.error().hint, c.hint);
    EXPECT_EQ(dir.entries(), 2u) << "only 'sub' and 'notes.txt'";
    EXPECT_TRUE(fs::is_empty(dir.path() / "sub"));
  }
}

TEST(WriterFile, RejectsImpossibleSpecsBeforeCreatingAnything) {
  TempDir dir;
  const WriterSpec specs[] = {{{Container::wav, Codec::pcm16}, 48000, 0},
                              {{Container::caf, Codec::pcm16}, 0, 2},
                              {{Container::rf64, Codec::pcm16}, 48000, 5000}};
  for (const WriterSpec& spec : specs) {
    SCOPED_TRACE(describe(spec));
    auto w = create_file_writer(dir.file("x.wav"), spec, false);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().exit, Exit::usage);
    EXPECT_EQ(dir.entries(), 0u);
  }
}

TEST(WriterFile, WriteAfterCloseFailsAndCloseIsIdempotent) {
  TempDir dir;
  auto w =
      create_file_writer(dir.file("a.rf64"), {{Container::rf64, Codec::float32}, 48000, 2}, false);
  ASSERT_TRUE(w.ok()) << w.error().message;
  const float frame[2] = {0.1f, -0.1f};
  ASSERT_TRUE((*w)->write(frame, 1).ok());
  ASSERT_TRUE((*w)->close().ok());
  ASSERT_TRUE((*w)->close().ok());
  EXPECT_TRUE((*w)->checkpoint().ok());
  Status s = (*w)->write(frame, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ((*w)->frames_written(), 1u);
  EXPECT_EQ(read_with_libsndfile(dir.file("a.rf64")).info.frames, 1);
}

// What a child that hit the file size limit reports through a pipe.
struct LimitReport {
  int created = 0;
  int exit = 0;
  int second_exit = 0;
  int close_ok = 0;
  uint64_t frames = 0;
  char message[512] = {};
  char hint[512] = {};
};

TEST(WriterFile, AFailedWriteIsAnIoErrorAndLeavesAValidFile) {
  TempDir dir;
  constexpr rlim_t kLimit = 200001;  // odd: the last frame is cut
  for (Container container : {Container::wav, Container::rf64, Container::caf}) {
    for (bool close_after : {false, true}) {
      const WriterSpec spec{{container, Codec::pcm24}, 48000, 2};
      SCOPED_TRACE(describe(spec) + (close_after ? ", closed after" : ", not closed"));
      const std::string path =
          dir.file(std::string(close_after ? "closed-" : "open-") + file_name(spec));
      int fds[2];
      ASSERT_EQ(pipe(fds), 0);
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{kLimit, kLimit};
        setrlimit(RLIMIT_FSIZE, &limit);
        LimitReport report;
        auto w = create_file_writer(path, spec, false);
        if (w) {
          report.created = 1;
          const auto block = test_signal(1000, spec.channels, spec.rate);
          for (int i = 0; i < 1000; ++i) {
            Status s = (*w)->write(block.data(), 1000);
            if (s.ok()) continue;
            report.exit = static_cast<int>(s.error().exit);
            snprintf(report.message, sizeof report.message, "%s", s.error().message.c_str());
            snprintf(report.hint, sizeof report.hint, "%s", s.error().hint.c_str());
            break;
          }
          Status again = (*w)->write(block.data(), 10);
          report.second_exit = again.ok() ? 0 : static_cast<int>(again.error().exit);
          report.frames = (*w)->frames_written();
          if (close_after) report.close_ok = (*w)->close().ok();
        }
        if (write(fds[1], &report, sizeof report) != sizeof report) _exit(1);
        _exit(0);  // no destructors: the file is as the failed write left it
      }
      close(fds[1]);
      LimitReport report;
      const ssize_t got = read(fds[0], &report, sizeof report);
      close(fds[0]);
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_EQ(got, static_cast<ssize_t>(sizeof report));
      ASSERT_TRUE(report.created);
      EXPECT_EQ(report.exit, 74);
      EXPECT_EQ(std::string(report.message), "cannot write '" + path + "': File too large");
      EXPECT_NE(std::string(report.hint), "");
      EXPECT_EQ(report.second_exit, 74) << "the failure sticks";
      if (close_after) {
        EXPECT_TRUE(report.close_ok);
      }
      EXPECT_GT(report.frames, 0u);
      EXPECT_LE(fs::file_size(path), kLimit);

      Decoded d = read_with_libsndfile(path);
      ASSERT_TRUE(d.ok) << d.error;
      EXPECT_EQ(d.info.frames, static_cast<sf_count_t>(report.frames))
          << "the header counts exactly the whole frames on disk";
      expect_ffmpeg_reads(path);
    }
  }
}

}  // namespace
}  // namespace sc::formats
