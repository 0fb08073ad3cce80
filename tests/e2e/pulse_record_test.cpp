// Real I/O: PulseAudio with a null sink (scripts/start-pulse). An independent player
// (paplay) plays a tone into the sink while `soundcheck record` captures the sink's monitor;
// the recording must hold that tone at its frequency and level.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "tests/support/audio.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;

// The server comes from scripts/start-pulse; the sink is this test's own, so nothing else
// playing into soundcheck_loop (a benchmark, another run) can reach the capture.
class PulseServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"});
    ASSERT_EQ(r.status, 0) << "scripts/start-pulse failed:\n" << r.out << r.err;
    sink_ = "sc_test_" + std::to_string(getpid());
    auto m = run("/usr/bin/pactl", {"load-module", "module-null-sink", "sink_name=" + sink_,
                                    "rate=48000", "sink_properties=device.description=" + sink_});
    ASSERT_EQ(m.status, 0) << m.err;
    module_ = m.out.substr(0, m.out.find('\n'));
  }
  static void TearDownTestSuite() {
    if (!module_.empty()) run("/usr/bin/pactl", {"unload-module", module_});
  }
  static std::string sink_, module_;
};
std::string PulseServer::sink_, PulseServer::module_;

// Each test with either of soundcheck's PulseAudio clients: its own, over the native protocol
// (the default), and libpulse (SOUNDCHECK_PULSE=libpulse, also what it falls back to).
class PulseRecord : public PulseServer, public ::testing::WithParamInterface<std::string> {
 protected:
  std::map<std::string, std::string> client() const { return {{"SOUNDCHECK_PULSE", GetParam()}}; }
};
INSTANTIATE_TEST_SUITE_P(Client, PulseRecord, ::testing::Values("native", "libpulse"),
                         [](const auto& p) { return p.param; });

// Frequency from the median interval between rising zero crossings (robust to a short gap
// when a starved server underruns), and the peak in dBFS, of channel 0 in [from, to).
void analyse(const Audio& a, size_t from, size_t to, double& freq, double& peak_db) {
  std::vector<double> crossings;
  double peak = 0;
  for (size_t i = from + 1; i < to; ++i) {
    const float x0 = a.samples[(i - 1) * a.channels], x1 = a.samples[i * a.channels];
    peak = std::max(peak, static_cast<double>(std::fabs(x1)));
    if (x0 < 0 && x1 >= 0) crossings.push_back(static_cast<double>(i - 1) + x0 / (x0 - x1));
  }
  std::vector<double> intervals;
  for (size_t i = 1; i < crossings.size(); ++i)
    intervals.push_back(crossings[i] - crossings[i - 1]);
  freq = 0;
  if (!intervals.empty()) {
    std::nth_element(intervals.begin(), intervals.begin() + intervals.size() / 2, intervals.end());
    freq = a.rate / intervals[intervals.size() / 2];
  }
  peak_db = peak > 0 ? 20 * std::log10(peak) : -200;
}

TEST_P(PulseRecord, CapturesAToneFromTheNullSinkMonitor) {
  const std::string dir = temp_dir();
  const std::string tone = dir + "/tone.wav", out = dir + "/captured.wav";
  // 997 Hz at -12 dBFS, 8 s, made by an independent tool.
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", tone, "synth", "8",
                                   "sine", "997", "gain", "-12"});
  ASSERT_EQ(made.status, 0) << made.err;
  // A low latency, so the monitor has the tone at once (paplay's default buffers ~2 s).
  Process player("/usr/bin/paplay", {"--device=" + sink_, "--latency-msec=100", tone});
  std::this_thread::sleep_for(500ms);  // the tone is flowing before the capture starts
  auto r = soundcheck({"--json", "record", "-D", "pulse:" + sink_ + ".monitor", "-d", "2s", out},
                      client());
  player.signal(SIGTERM);
  player.wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"]["api"], "pulse");
  EXPECT_EQ(j["device"]["id"], sink_ + ".monitor");
  EXPECT_EQ(j["xruns"], 0);
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_NEAR(static_cast<double>(a.frames), 2.0 * a.rate, 0.05 * a.rate);
  double freq = 0, peak_db = 0;
  analyse(a, a.frames / 4, a.frames * 3 / 4, freq, peak_db);
  EXPECT_NEAR(freq, 997.0, 2.0);
  EXPECT_NEAR(peak_db, -12.0, 1.0);
}

// What a recording in progress has mapped (/proc/PID/maps), read once its file `out` exists:
// the device is open by then, and libpulse, if it is used, loaded.
std::string mappings_once_open(const Process& rec, const std::string& out) {
  for (int i = 0; i < 100 && !std::filesystem::exists(out); ++i) std::this_thread::sleep_for(20ms);
  std::ifstream in("/proc/" + std::to_string(rec.pid()) + "/maps");
  std::stringstream maps;
  maps << in.rdbuf();
  return maps.str();
}

// A setup soundcheck's own client leaves to libpulse (here a client.conf that names the
// server) is recorded from through libpulse, as if SOUNDCHECK_PULSE said so.
TEST_F(PulseServer, WhatTheNativeClientDoesNotHandleGoesThroughLibpulse) {
  const std::string dir = temp_dir(), out = dir + "/conf.wav";
  std::filesystem::create_directories(dir + "/config/pulse");
  std::ofstream(dir + "/config/pulse/client.conf")
      << "default-server = unix:/var/run/pulse/native\n";
  auto rec =
      start_soundcheck({"record", "-q", "-D", "pulse:" + sink_ + ".monitor", "-d", "1s", out},
                       {{"XDG_CONFIG_HOME", dir + "/config"}, {"PULSE_SERVER", ""}});
  const std::string maps = mappings_once_open(*rec, out);
  auto r = rec->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(maps.find("libpulse.so"), std::string::npos) << maps;
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.frames, 48000u);
}

// A tone file for the player: 997 Hz at -12 dBFS, `seconds` long, made by an independent tool.
std::string make_tone(const std::string& dir, int seconds) {
  const std::string tone = dir + "/tone.wav";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", tone, "synth",
                                   std::to_string(seconds), "sine", "997", "gain", "-12"});
  EXPECT_EQ(made.status, 0) << made.err;
  return tone;
}

TEST_P(PulseRecord, Float32CarriesTheToneToo) {
  // pcm16 asks the server for 16-bit samples; every other encoding for float.
  const std::string dir = temp_dir();
  const std::string tone = make_tone(dir, 6), out = dir + "/captured.caf";
  Process player("/usr/bin/paplay", {"--device=" + sink_, "--latency-msec=100", tone});
  std::this_thread::sleep_for(500ms);
  auto r = soundcheck(
      {"record", "-q", "-D", "pulse:" + sink_ + ".monitor", "-e", "float32", "-d", "1500ms", out},
      client());
  player.signal(SIGTERM);
  player.wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.frames, 72000u);
  double freq = 0, peak_db = 0;
  analyse(a, a.frames / 4, a.frames * 3 / 4, freq, peak_db);
  EXPECT_NEAR(freq, 997.0, 2.0);
  EXPECT_NEAR(peak_db, -12.0, 1.0);
}

// An idle null sink renders in 2 s blocks and takes up to that long to follow a new latency:
// a player with a short one, given that time, keeps its monitor delivering at once.
constexpr auto kSinkSettles = 2500ms;

TEST_P(PulseRecord, SigintKeepsWhatWasCapturedBeforeTheSignal) {
  // The server sends a fragment every 2 s: what it captured since the last one is still on
  // its way when the signal comes, and must reach the file all the same.
  const std::string dir = temp_dir();
  const std::string tone = make_tone(dir, 10), out = dir + "/captured.wav";
  Process player("/usr/bin/paplay", {"--device=" + sink_, "--latency-msec=100", tone});
  std::this_thread::sleep_for(kSinkSettles);
  const auto started = std::chrono::steady_clock::now();
  auto rec = start_soundcheck({"record", "-q", "-D", "pulse:" + sink_ + ".monitor", out}, client());
  std::this_thread::sleep_until(started + 2500ms);
  rec->signal(SIGINT);
  auto r = rec->wait();
  player.signal(SIGTERM);
  player.wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  // Everything up to the signal (less the start-up), and not much more.
  EXPECT_GE(a.frames, static_cast<size_t>(2.2 * a.rate));
  EXPECT_LE(a.frames, static_cast<size_t>(4.0 * a.rate));
  // The tone runs to the end: the last 100 ms before the signal are not silence.
  double freq = 0, peak_db = 0;
  const size_t before_signal = static_cast<size_t>(2.2 * a.rate);
  analyse(a, before_signal - a.rate / 10, before_signal, freq, peak_db);
  EXPECT_NEAR(peak_db, -12.0, 1.0);
}

TEST_P(PulseRecord, ASourceThatGoesAwayEndsTheRecordingWithAValidFile) {
  const std::string name = "sc_gone_" + std::to_string(getpid());
  auto m = run("/usr/bin/pactl", {"load-module", "module-null-sink", "sink_name=" + name,
                                  "rate=48000", "sink_properties=device.description=" + name});
  ASSERT_EQ(m.status, 0) << m.err;
  const std::string module = m.out.substr(0, m.out.find('\n'));
  const std::string dir = temp_dir(), out = dir + "/gone.wav";
  Process player("/usr/bin/paplay", {"--device=" + name, "--latency-msec=100", make_tone(dir, 10)});
  std::this_thread::sleep_for(kSinkSettles);
  auto rec =
      start_soundcheck({"--json", "record", "-D", "pulse:" + name + ".monitor", out}, client());
  std::this_thread::sleep_for(2500ms);
  auto u = run("/usr/bin/pactl", {"unload-module", module});
  ASSERT_EQ(u.status, 0) << u.err;
  auto r = rec->wait();
  EXPECT_EQ(r.status, 75) << r.err;
  EXPECT_NE(r.err.find("went away"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stopped_by"], "device");
  EXPECT_EQ(j["finalized"], true);
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  // What came before it went; what the server held then (up to a fragment) went with it.
  EXPECT_GE(a.frames, static_cast<size_t>(1.5 * a.rate));
}

// RtAudio's ALSA API, through the PulseAudio ALSA plugin (libasound2-plugins) whose
// "default" device reads the source PULSE_SOURCE names: the RtAudio backend
// (core/audio/rtaudio/) carries the tone as well.
TEST_F(PulseServer, RtAudioAlsaDefaultThroughThePulsePluginCarriesTheTone) {
  const std::string dir = temp_dir();
  const std::string tone = make_tone(dir, 6), out = dir + "/captured.wav";
  Process player("/usr/bin/paplay", {"--device=" + sink_, "--latency-msec=100", tone});
  std::this_thread::sleep_for(500ms);
  auto r = soundcheck({"--json", "record", "-D", "alsa:default", "-c", "2", "-d", "1500ms", out},
                      {{"PULSE_SOURCE", sink_ + ".monitor"}});
  player.signal(SIGTERM);
  player.wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"]["api"], "alsa");
  EXPECT_EQ(j["device"]["id"], "default");
  auto a = read_audio(out);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.frames, 72000u);
  double freq = 0, peak_db = 0;
  analyse(a, a.frames / 2, a.frames, freq, peak_db);
  EXPECT_NEAR(freq, 997.0, 2.0);
  EXPECT_NEAR(peak_db, -12.0, 1.0);
}

}  // namespace
}  // namespace sc::test
