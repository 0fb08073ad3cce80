// `soundcheck play` run as a user would, on the virtual device: what it plays (the JSON
// summary against the files), the errors it gives before any device opens, and what it does
// under sessions (interrupted and resumed, a refused resume with the position to go on from).
// Real servers are pulse_play_test.cpp's.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/counter.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A 16-bit stereo WAV of the counter signal, `frames` long at `rate`.
std::string counter_wav(const std::string& dir, const std::string& name, size_t frames,
                        int rate = 48000) {
  const std::string path = dir + "/" + name;
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
  if (!f) return path;
  const auto samples = counter_signal(frames);
  sf_writef_float(f, samples.data(), static_cast<sf_count_t>(frames));
  sf_close(f);
  return path;
}

json parse(const RunResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.out << r.err;
  return j;
}

const std::string kFast = "virtual:speed=max";

// A position as play prints it: seconds with three decimals.
std::string fmt_position(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", s);
  return b;
}

TEST(Play, PlaysAFileToTheEndAndSaysSo) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 96000);
  auto r = soundcheck({"--json", "play", "-D", kFast, wav});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["command"], "play");
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 2.0);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(j["files"][0]["file"], wav);
  EXPECT_EQ(j["files"][0]["rate"], 48000);
  EXPECT_EQ(j["files"][0]["channels"], 2);
  EXPECT_DOUBLE_EQ(j["files"][0]["played_s"].get<double>(), 2.0);
  EXPECT_EQ(j["xruns"], 0);
  EXPECT_EQ(j["stopped_by"], "end");
  EXPECT_EQ(j["interruptions"].size(), 0u);
  EXPECT_EQ(j["outputs"][0]["api"], "virtual");
  EXPECT_EQ(j["profile"]["category"], "playback");
}

TEST(Play, FilesFollowEachOtherAndStartAndDurationCut) {
  const std::string dir = temp_dir();
  const auto a = counter_wav(dir, "a.wav", 48000), b = counter_wav(dir, "b.wav", 24000, 24000);
  auto r = soundcheck({"--json", "play", "-D", kFast, a, b});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 2.0);  // b resampled to 48 kHz
  EXPECT_DOUBLE_EQ(j["files"][1]["played_s"].get<double>(), 1.0);

  r = soundcheck({"--json", "play", "-D", kFast, "--start", "250ms", "--duration", "1s", a, b});
  ASSERT_EQ(r.status, 0) << r.err;
  j = parse(r);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["files"][0]["played_s"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["files"][1]["played_s"].get<double>(), 0.25);
  EXPECT_EQ(j["position"]["file"], b);
  EXPECT_NEAR(j["position"]["at_s"].get<double>(), 0.25, 1e-9);
}

TEST(Play, AMissingFileIs66AndAnUndecodableOne65BeforeAnyDevice) {
  const std::string dir = temp_dir();
  const auto good = counter_wav(dir, "good.wav", 4800);
  // The device named does not exist: the file's error must come first.
  auto r = soundcheck({"play", "-D", "no-such-device-anywhere", good, dir + "/missing.wav"});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_NE(r.err.find("missing.wav"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;

  std::ofstream(dir + "/junk.wav") << std::string(4096, 'x');
  r = soundcheck({"--json", "play", "-D", "no-such-device-anywhere", dir + "/junk.wav"});
  EXPECT_EQ(r.status, 65) << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["ok"], false);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("junk.wav"), std::string::npos);
}

TEST(Play, BadFlagsAre64WithAHint) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 4800);
  for (const auto& v : {"loud", "-6", "+30dB", "20"}) {
    auto r = soundcheck({"play", "-D", kFast, "--volume", v, wav});
    EXPECT_EQ(r.status, 64) << v << ": " << r.err;
    EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  }
  auto r = soundcheck({"play", "-D", kFast, "--start", "5s", wav});
  EXPECT_EQ(r.status, 64) << r.err;
  r = soundcheck({"play", "-D", kFast, "-D", kFast, wav});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("multiRoute"), std::string::npos) << r.err;
  r = soundcheck({"play", "-D", kFast, "--category", "record", wav});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cannot play"), std::string::npos) << r.err;
}

TEST(Play, VolumeTakesDecibelsAndFactors) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 4800);
  for (const auto& v : {"-6dB", "+3 dB", "0.5", "2", "0"}) {
    auto r = soundcheck({"play", "-q", "-D", kFast, "--volume", v, wav});
    EXPECT_EQ(r.status, 0) << v << ": " << r.err;
  }
}

TEST(Play, MultiRouteWithTwoDevicesPlaysToBoth) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 48000);
  auto r = soundcheck({"--json", "play", "--category", "multiRoute", "-D", kFast, "-D",
                       "virtual:speed=max,rate=44100", wav});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["outputs"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 1.0);
}

// An interruption pauses playback and its end resumes it: every frame is heard once, and the
// summary books the interruption as resumed.
TEST(Play, AnInterruptionPausesAndItsEndResumes) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 3 * 48000);
  auto player = start_soundcheck({"--json", "play", "-D", "virtual", wav});
  wait_for_sessions(1);
  std::this_thread::sleep_for(700ms);
  auto call = soundcheck({"session", "interrupt", "--reason", "call", "--for", "600ms"});
  EXPECT_EQ(call.status, 0) << call.err;
  auto r = player->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = parse(r);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 3.0);
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  EXPECT_EQ(j["interruptions"][0]["resumed"], true);
  EXPECT_EQ(j["interruptions"][0]["should_resume"], true);
  EXPECT_GT(j["interruptions"][0]["position_s"].get<double>(), 0.3);
  EXPECT_LT(j["interruptions"][0]["position_s"].get<double>(), 2.0);
}

// An interruption that ends without shouldResume stops playback: 75, and the position for
// --start, which the hint spells out.
TEST(Play, AnEndWithoutShouldResumeIs75WithThePosition) {
  const std::string dir = temp_dir();
  const auto wav = counter_wav(dir, "a.wav", 5 * 48000);
  auto player = start_soundcheck({"--json", "play", "-D", "virtual", wav});
  wait_for_sessions(1);
  std::this_thread::sleep_for(500ms);
  auto call = soundcheck({"session", "interrupt", "--no-notify", "--for", "300ms"});
  EXPECT_EQ(call.status, 0) << call.err;
  auto r = player->wait();
  EXPECT_EQ(r.status, 75) << r.err;
  EXPECT_NE(r.err.find("--start "), std::string::npos) << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["ok"], false);
  const double at = j["position"]["at_s"].get<double>();
  EXPECT_GT(at, 0.2);
  EXPECT_LT(at, 2.0);
  EXPECT_NE(r.err.find(fmt_position(at)), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sc::test
