// `soundcheck record` from the virtual device, run as a user would: exact samples, every
// container and sample type, crash safety, faults, splits, signals, errors.
#include <sndfile.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <thread>

#include "tests/support/audio.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

json parse(const RunResult& r) {
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON: " << e.what() << "\nstdout: " << r.out
                  << "\nstderr: " << r.err;
    return json::object();
  }
}

double sine_at(size_t n, double freq, unsigned rate, double level_db) {
  return std::pow(10.0, level_db / 20.0) *
         std::sin(2 * std::numbers::pi * freq * static_cast<double>(n) / rate);
}

TEST(Record, VirtualAtMaxSpeedIsSampleExact) {
  const std::string out = temp_dir() + "/exact.wav";
  auto r = soundcheck({"--json", "record", "-D", "virtual:speed=max,signal=sine:1000,level=-6",
                       "-d", "2s", "-e", "float32", out});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["frames"], 96000);
  EXPECT_EQ(j["finalized"], true);
  EXPECT_EQ(j["stopped_by"], "duration");
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.rate, 48000u);
  EXPECT_EQ(a.channels, 2u);
  ASSERT_EQ(a.frames, 96000u);
  for (size_t n = 0; n < a.frames; ++n) {
    const double want = sine_at(n, 1000, 48000, -6);
    ASSERT_NEAR(a.samples[2 * n], want, 1e-6) << "frame " << n;
    ASSERT_NEAR(a.samples[2 * n + 1], want, 1e-6) << "frame " << n;
  }
}

TEST(Record, EveryContainerAndSampleType) {
  struct Type {
    const char* codec;
    int subtype;
    double tolerance;
  };
  const Type types[] = {{"pcm16", SF_FORMAT_PCM_16, 1.0 / 32768 + 1e-6},
                        {"pcm24", SF_FORMAT_PCM_24, 1.0 / 8388608 + 1e-7},
                        {"pcm32", SF_FORMAT_PCM_32, 1e-7},
                        {"float32", SF_FORMAT_FLOAT, 1e-7}};
  struct Container {
    const char* ext;
    int major, alt_major;
  };
  // A WAV under 4 GiB is plain WAV when finalized (WAVE_FORMAT_EXTENSIBLE is still WAV).
  const Container containers[] = {{"wav", SF_FORMAT_WAV, SF_FORMAT_WAVEX},
                                  {"rf64", SF_FORMAT_RF64, SF_FORMAT_RF64},
                                  {"caf", SF_FORMAT_CAF, SF_FORMAT_CAF}};
  const std::string dir = temp_dir();
  for (const auto& c : containers) {
    for (const auto& t : types) {
      const std::string out = dir + "/take-" + t.codec + "." + c.ext;
      SCOPED_TRACE(out);
      auto r = soundcheck({"record", "-q", "-D",
                           "virtual:speed=max,signal=sine:440,level=-3,rate=44100,channels=1", "-d",
                           "0.5", "-e", t.codec, out});
      ASSERT_EQ(r.status, 0) << r.err;
      auto a = read_audio(out);
      ASSERT_TRUE(a.ok) << a.error;
      const int major = a.format & SF_FORMAT_TYPEMASK;
      EXPECT_TRUE(major == c.major || major == c.alt_major) << std::hex << major;
      EXPECT_EQ(a.format & SF_FORMAT_SUBMASK, t.subtype);
      EXPECT_EQ(a.rate, 44100u);
      EXPECT_EQ(a.channels, 1u);
      ASSERT_EQ(a.frames, 22050u);
      double worst = 0;
      for (size_t n = 0; n < a.frames; ++n)
        worst = std::max(worst, std::fabs(a.samples[n] - sine_at(n, 440, 44100, -3)));
      EXPECT_LE(worst, t.tolerance);
      auto p = probe(out);
      EXPECT_EQ(p.status, 0) << p.errors;
    }
  }
}

TEST(Record, SigkillLeavesPlayableWavAndCaf) {
  for (const char* ext : {"wav", "caf"}) {
    const std::string out = temp_dir() + "/killed." + ext;
    SCOPED_TRACE(out);
    auto p = start_soundcheck({"record", "-q", "-D", "virtual:signal=sine:1000", out});
    std::this_thread::sleep_for(3s);
    p->signal(SIGKILL);
    auto r = p->wait();
    EXPECT_EQ(r.status, 128 + SIGKILL);
    auto pr = probe(out);
    EXPECT_EQ(pr.status, 0) << pr.errors;
    EXPECT_TRUE(pr.errors.empty()) << pr.errors;
    EXPECT_GE(pr.duration_s, 2.0);
    auto a = read_audio(out);
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_GE(a.frames, 2u * 48000);
  }
}

TEST(Record, SigintAndSigtermFinalizeAndExitZero) {
  for (int sig : {SIGINT, SIGTERM}) {
    const std::string out = temp_dir() + "/stopped.wav";
    auto p = start_soundcheck({"--json", "record", "-D", "virtual", out});
    std::this_thread::sleep_for(700ms);
    p->signal(sig);
    auto r = p->wait();
    EXPECT_EQ(r.status, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["stopped_by"], "signal");
    EXPECT_EQ(j["finalized"], true);
    auto a = read_audio(out);
    ASSERT_TRUE(a.ok);
    EXPECT_EQ(a.frames, j["frames"].get<size_t>());
    EXPECT_GT(a.frames, 0u);
  }
}

TEST(Record, SigusrOneStartsTheNextNumberedFile) {
  const std::string dir = temp_dir();
  auto p = start_soundcheck({"--json", "record", "-D", "virtual", dir + "/take.wav"});
  std::this_thread::sleep_for(600ms);
  p->signal(SIGUSR1);
  std::this_thread::sleep_for(600ms);
  p->signal(SIGINT);
  auto r = p->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  ASSERT_EQ(j["files"].size(), 2u);
  EXPECT_EQ(j["files"][1]["file"], dir + "/take-002.wav");
  for (const auto& f : j["files"]) {
    auto a = read_audio(f["file"]);
    ASSERT_TRUE(a.ok);
    EXPECT_EQ(a.frames, f["frames"].get<size_t>());
    EXPECT_GT(a.frames, 0u);
  }
}

TEST(Record, SplitMakesNumberedFilesOfExactLength) {
  const std::string dir = temp_dir();
  auto r = soundcheck({"--json", "record", "-D", "virtual:speed=max", "-d", "2.5s", "--split", "1s",
                       dir + "/part.caf"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  ASSERT_EQ(j["files"].size(), 3u);
  const std::vector<std::string> names = {"part.caf", "part-002.caf", "part-003.caf"};
  const std::vector<size_t> frames = {48000, 48000, 24000};
  for (size_t i = 0; i < 3; ++i) {
    auto a = read_audio(dir + "/" + names[i]);
    ASSERT_TRUE(a.ok) << names[i];
    EXPECT_EQ(a.frames, frames[i]) << names[i];
  }
}

TEST(Record, ConvertsToTheFileRateAndChannels) {
  const std::string out = temp_dir() + "/conv.wav";
  auto r = soundcheck({"--json", "record", "-D", "virtual:speed=max,signal=sine:1000", "-d", "1s",
                       "-r", "44100", "-c", "1", out});
  ASSERT_EQ(r.status, 0) << r.err;
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.rate, 44100u);
  EXPECT_EQ(a.channels, 1u);
  EXPECT_NEAR(static_cast<double>(a.frames), 44100, 50);
}

TEST(Record, FaultsAreCountedAndTheFileStaysValid) {
  const std::string dir = temp_dir();
  {  // drop and come back: an interruption that resumed, two route changes
    auto r = soundcheck({"--json", "record", "-D", "virtual:speed=max,drop=1s:1.5s", "-d", "3s",
                         dir + "/drop.wav"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = parse(r);
    ASSERT_EQ(j["interruptions"].size(), 1u);
    EXPECT_DOUBLE_EQ(j["interruptions"][0]["began_s"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(j["interruptions"][0]["ended_s"].get<double>(), 1.5);
    EXPECT_EQ(j["interruptions"][0]["reason"], "routeDisconnected");
    EXPECT_EQ(j["interruptions"][0]["resumed"], true);
    ASSERT_EQ(j["route_changes"].size(), 2u);
    EXPECT_EQ(j["route_changes"][0]["reason"], "oldDeviceUnavailable");
    EXPECT_EQ(j["route_changes"][1]["reason"], "newDeviceAvailable");
    EXPECT_EQ(j["frames"], 48000 * 5 / 2);  // 3 s of session clock less the 0.5 s gap
    EXPECT_EQ(read_audio(dir + "/drop.wav").frames, 120000u);
  }
  {  // drop for good: finalized, exit 75
    auto r = soundcheck(
        {"--json", "record", "-D", "virtual:speed=max,drop=1s", "-d", "3s", dir + "/gone.wav"});
    EXPECT_EQ(r.status, 75) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["stopped_by"], "device");
    EXPECT_EQ(j["finalized"], true);
    EXPECT_EQ(read_audio(dir + "/gone.wav").frames, 48000u);
    EXPECT_NE(r.err.find("went away"), std::string::npos) << r.err;
  }
  {  // an xrun loses one period and is counted
    auto r = soundcheck({"--json", "record", "-D", "virtual:speed=max,xrun=1s,buffer=480", "-d",
                         "2s", dir + "/xrun.wav"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = parse(r);
    EXPECT_EQ(j["xruns"], 1);
    EXPECT_EQ(j["lost_frames"], 480);
    EXPECT_EQ(j["frames"], 96000 - 480);
  }
  {  // a rate change mid-stream is converted: the file keeps its rate (scenario 4)
    auto r = soundcheck({"--json", "record", "-D",
                         "virtual:speed=max,signal=sine:1000,rate-change=1s:44100", "-d", "2s",
                         dir + "/rate.wav"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = parse(r);
    ASSERT_EQ(j["format_changes"].size(), 1u);
    EXPECT_EQ(j["format_changes"][0]["rate"], 44100);
    auto a = read_audio(dir + "/rate.wav");
    ASSERT_TRUE(a.ok);
    EXPECT_EQ(a.rate, 48000u);
    EXPECT_NEAR(static_cast<double>(a.frames), 96000, 100);
    auto p = probe(dir + "/rate.wav");
    EXPECT_EQ(p.status, 0) << p.errors;
  }
}

TEST(Record, StreamsWavAndCafToStdout) {
  for (const char* fmt : {"wav", "caf"}) {
    SCOPED_TRACE(fmt);
    auto r = soundcheck(
        {"record", "-q", "-f", fmt, "-e", "pcm24", "-D", "virtual:speed=max", "-d", "1s", "-"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string copy = temp_dir() + "/stdout." + fmt;
    std::ofstream(copy, std::ios::binary) << r.out;
    auto p = probe(copy);
    EXPECT_EQ(p.status, 0) << p.errors;
    EXPECT_EQ(p.rate, 48000u);
    EXPECT_EQ(p.channels, 2u);
    auto d = run("/usr/bin/ffmpeg", {"-v", "error", "-i", copy, "-f", "s32le", "-"});
    EXPECT_EQ(d.out.size(), 48000u * 2 * 4);
  }
}

TEST(Record, NeverOverwritesWithoutForce) {
  const std::string out = temp_dir() + "/keep.wav";
  std::ofstream(out) << "precious";
  auto r = soundcheck({"record", "-D", "virtual:speed=max", "-d", "0.1", out});
  EXPECT_EQ(r.status, 73);
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  std::ifstream in(out);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "precious");
  auto forced =
      soundcheck({"record", "-q", "-D", "virtual:speed=max", "-d", "0.1", "--force", out});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(read_audio(out).frames, 4800u);
}

TEST(Record, SessionAndDeviceFailuresLeaveNoFile) {
  const std::string dir = temp_dir();
  {  // a category without input: !cat
    auto r =
        soundcheck({"--json", "record", "--category", "playback", "-D", "virtual", dir + "/a.wav"});
    EXPECT_EQ(r.status, 69);
    auto j = parse(r);
    EXPECT_EQ(j["error"]["code"], "incompatibleCategory");
    EXPECT_EQ(j["error"]["osstatus"], 560161140);
    // The text names the code the way `session decode` takes it.
    EXPECT_NE(r.err.find("(!cat 560161140 incompatibleCategory)"), std::string::npos) << r.err;
  }
  {  // a device with no input channels: !rec at once, naming the device (scenario 3)
    for (const char* ext : {"wav", "caf", "rf64"}) {
      auto r = soundcheck({"--json", "record", "-D", "virtual:channels=0", dir + "/b." + ext});
      EXPECT_EQ(r.status, 69);
      auto j = parse(r);
      EXPECT_EQ(j["error"]["fourcc"], "!rec");
      EXPECT_NE(r.err.find("(!rec 561145187 cannotStartRecording)"), std::string::npos) << r.err;
      EXPECT_NE(j["error"]["message"].get<std::string>().find("virtual"), std::string::npos);
    }
  }
  {  // an unknown device: 66
    auto r = soundcheck({"record", "-D", "no-such-device-anywhere", dir + "/c.wav"});
    EXPECT_EQ(r.status, 66) << r.err;
  }
  {  // a missing directory: 73
    auto r = soundcheck({"record", "-D", "virtual:speed=max", "-d", "0.1", dir + "/none/d.wav"});
    EXPECT_EQ(r.status, 73) << r.err;
  }
  {  // usage errors: 64
    for (auto args : std::vector<std::vector<std::string>>{
             {"record", "-d", "5q", dir + "/e.wav"},
             {"record", "-f", "mp3", dir + "/e.wav"},
             {"record", "-e", "pcm8", dir + "/e.wav"},
             {"record", dir + "/e.ogg"},
             {"record", "-D", "virtual:bogus=1", dir + "/e.wav"},
             {"record", "-c", "0", dir + "/e.wav"},
             {"--json", "record", "-f", "wav", "-D", "virtual:speed=max", "-d", "0.1", "-"},
             {"record", "-"}}) {
      auto r = soundcheck(args);
      EXPECT_EQ(r.status, 64) << args.back() << ": " << r.err;
    }
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "a failed recording left a file behind";
}

TEST(Record, WriteErrorStopsWithSeventyFourAndAValidFile) {
  const std::string out = temp_dir() + "/limited.wav";
  // A 200 KiB file size limit (ulimit -f counts 1024-byte blocks).
  auto r = run("/bin/sh",
               {"-c", "ulimit -f 200; exec \"$0\" --json record -D virtual:speed=max -d 10s \"$1\"",
                SOUNDCHECK_BIN, out});
  EXPECT_EQ(r.status, 74) << r.err;
  EXPECT_NE(r.err.find("limited.wav"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_GT(a.frames, 10000u);
  auto p = probe(out);
  EXPECT_EQ(p.status, 0) << p.errors;
}

TEST(Record, QuietWhenNotATerminal) {
  auto r = soundcheck({"record", "-D", "virtual:speed=max", "-d", "0.2", temp_dir() + "/q.wav"});
  ASSERT_EQ(r.status, 0);
  // No meter: only the one summary line.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  auto q =
      soundcheck({"record", "-q", "-D", "virtual:speed=max", "-d", "0.2", temp_dir() + "/q.wav"});
  EXPECT_TRUE(q.err.empty()) << q.err;
}

}  // namespace
}  // namespace sc::test

namespace sc::test {
namespace {

TEST(RecordDevice, SoundcheckInputIsTheDefaultDevice) {
  const std::string out = temp_dir() + "/env.wav";
  auto r = soundcheck({"--json", "record", "-d", "0.25", out},
                      {{"SOUNDCHECK_INPUT", "virtual:speed=max,channels=1,rate=16000"}});
  ASSERT_EQ(r.status, 0) << r.err;
  auto a = read_audio(out);
  EXPECT_EQ(a.rate, 16000u);
  EXPECT_EQ(a.channels, 1u);
  EXPECT_EQ(a.frames, 4000u);
  // -D wins over the environment.
  auto d = soundcheck({"record", "-q", "-D", "virtual:speed=max", "-d", "0.25", "--force", out},
                      {{"SOUNDCHECK_INPUT", "no-such-device"}});
  EXPECT_EQ(d.status, 0) << d.err;
}

TEST(RecordDevice, MeterAndElapsedTimeOnATerminal) {
  // script(1) gives the recorder a terminal for stdout and stderr.
  const std::string out = temp_dir() + "/tty.wav";
  auto r = run("/usr/bin/script",
               {"-qec", std::string(SOUNDCHECK_BIN) + " record -D virtual:level=-20 -d 1s " + out,
                "/dev/null"});
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find('\r'), std::string::npos) << r.out;       // redrawn in place
  EXPECT_NE(r.out.find("00:00:0"), std::string::npos) << r.out;  // elapsed time
  EXPECT_NE(r.out.find("-20.0"), std::string::npos) << r.out;    // the peak of the signal
  auto q =
      run("/usr/bin/script",
          {"-qec", std::string(SOUNDCHECK_BIN) + " record -q -D virtual -d 0.3s --force " + out,
           "/dev/null"});
  EXPECT_EQ(q.out.find('\r'), std::string::npos) << q.out;
}

}  // namespace
}  // namespace sc::test

namespace sc::test {
namespace {

TEST(RecordStdout, RedirectedToAFileGetsItsRealSizes) {
  // `record -f caf - > take.caf`: a plain file every reader opens, libsndfile included.
  for (const char* fmt : {"caf", "wav"}) {
    SCOPED_TRACE(fmt);
    const std::string out = temp_dir() + "/redirected." + fmt;
    auto r = run("/bin/sh",
                 {"-c", "exec \"$0\" record -q -f \"$1\" -D virtual:speed=max -d 1s - > \"$2\"",
                  SOUNDCHECK_BIN, fmt, out});
    ASSERT_EQ(r.status, 0) << r.err;
    auto a = read_audio(out);
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_EQ(a.frames, 48000u);
    auto p = probe(out);
    EXPECT_EQ(p.status, 0) << p.errors;
  }
}

}  // namespace
}  // namespace sc::test
