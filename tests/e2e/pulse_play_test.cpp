// Real playback: `soundcheck play` into a null sink on PulseAudio and on PipeWire's
// pipewire-pulse while an independent recorder (parecord) captures the sink's monitor; the
// capture must hold the source. The counter signal (tests/support/counter.h) lets the capture
// say which frames were heard, once each and in order, also across an interruption and a cork.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/counter.h"
#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int kRate = 48000;
constexpr size_t kLead = kRate / 10;  // silence before each file's signal

// Writes interleaved stereo float samples as a 16-bit WAV, each sample x as x * 32768 (the
// counter's values exactly; libsndfile's own float conversion scales by 32767), after 100 ms
// of silence: a null sink's monitor misses the first 10 to 40 ms of a new stream.
std::string write_wav(const std::string& path, const std::vector<float>& stereo) {
  SF_INFO info{};
  info.samplerate = kRate;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
  if (f) {
    std::vector<short> pcm(kLead * 2, 0);
    for (float x : stereo)
      pcm.push_back(static_cast<short>(std::clamp(std::lround(x * 32768.0f), -32768L, 32767L)));
    sf_writef_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size() / 2));
    sf_close(f);
  }
  return path;
}

std::vector<float> read_raw_s16(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int16_t v;
    std::memcpy(&v, &bytes[2 * i], 2);
    out[i] = static_cast<float>(v) / 32768.0f;
  }
  return out;
}

// Each test has a server of its own (tests/support/private_pulse.h): its phone streams, and the
// phone stream a `session interrupt --reason call` plays, are calls for every player on the
// server, which would refuse another test's play with !pri.
class PulsePlay : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    ASSERT_TRUE(server_->ok()) << server_->error();
    ASSERT_FALSE(server_->load_null_sink(sink_).empty()) << server_->error();
  }
  std::map<std::string, std::string> env() const { return server_->env(); }

  // parecord on the sink's monitor: raw 16-bit stereo at 48 kHz, with 200 ms of buffer, so
  // that a loaded machine (the sanitizer build) does not make it overrun and lose frames.
  std::unique_ptr<Process> capture(const std::string& raw) const {
    return std::make_unique<Process>(
        "/usr/bin/parecord",
        std::vector<std::string>{"--raw", "--format=s16le", "--rate=48000", "--channels=2",
                                 "--latency-msec=200", "--device=" + sink_ + ".monitor", raw},
        env());
  }
  // Runs soundcheck play with `args` into the sink while parecord captures; returns the run
  // and the capture.
  RunResult play_captured(const std::vector<std::string>& args, std::vector<float>& captured,
                          const std::function<void()>& meanwhile = {}) {
    const std::string dir = temp_dir(), raw = dir + "/capture.raw";
    // On PulseAudio, a stream of silence keeps the sink running at a low latency. An idle
    // null sink there has rendered up to 2 s ahead when a stream starts and does not rewind:
    // it would hear soundcheck's stream only that much later (and an interruption in those
    // 2 s would not show in the capture at all). PipeWire's null sink does not render ahead,
    // and there the keeper's 20 ms would set the graph's quantum to 256 frames (5.3 ms): on a
    // loaded 2-core machine a cycle was then missed in 1 of 6 runs, and the sink rendered 256
    // frames of silence in place of 256 frames soundcheck had delivered (its xruns 0). Without
    // it the quantum is 512 frames, and such a cycle rarer (expect_lost_by_the_server_...).
    std::optional<Process> keeper;
    if (GetParam() == "pulseaudio") {
      const auto quiet = write_wav(dir + "/keep.wav", std::vector<float>(2 * 30 * kRate, 0.0f));
      keeper.emplace("/usr/bin/paplay",
                     std::vector<std::string>{"--device=" + sink_, "--latency-msec=20",
                                              "--property=media.role=event", quiet},
                     env());
    }
    auto rec = capture(raw);
    // parecord is connected, and an idle PulseAudio null sink has played out the 2 s it
    // rendered ahead and runs at the keeper's latency.
    std::this_thread::sleep_for(GetParam() == "pulseaudio" ? 2200ms : 400ms);
    std::vector<std::string> all{"--json", "play", "-D", "pulse:" + sink_};
    all.insert(all.end(), args.begin(), args.end());
    auto player = start_soundcheck(all, env());
    if (meanwhile) meanwhile();
    auto r = player->wait();
    std::this_thread::sleep_for(500ms);  // the last frames reach the monitor
    rec->signal(SIGINT);
    rec->wait();
    if (keeper) {
      keeper->signal(SIGTERM);
      keeper->wait();
    }
    captured = read_raw_s16(raw);
    return r;
  }

  // What the server may have lost of what soundcheck delivered in time (its xruns 0):
  // nothing on PulseAudio; on PipeWire one graph cycle rendered empty (CounterRun), of up to
  // 1024 frames, which a loaded 2-core machine (the sanitizer build in CI) makes happen.
  void expect_lost_by_the_server_at_most_a_cycle(const CounterRun& c, const json& j) const {
    EXPECT_EQ(j["xruns"], 0) << "soundcheck's writes came late";
    if (GetParam() == "pipewire") {
      EXPECT_LE(c.empty_cycles, 1u);
      EXPECT_LE(c.empty_cycle_frames, 1024u);
    } else {
      EXPECT_EQ(c.empty_cycles, 0u);
    }
  }

  static inline const std::string sink_ = "sc_play";
  std::unique_ptr<PrivatePulse> server_;
};
INSTANTIATE_TEST_SUITE_P(Server, PulsePlay, ::testing::Values("pulseaudio", "pipewire"),
                         [](const auto& p) { return p.param; });

// Lossless files reach the sink frame for frame: every frame of the source heard once, in
// order, nothing else.
TEST_P(PulsePlay, WavAndFlacArriveFrameForFrame) {
  const std::string dir = temp_dir();
  const size_t frames = 2 * kRate;
  const auto wav = write_wav(dir + "/count.wav", counter_signal(frames));
  const std::string flac = dir + "/count.flac";
  auto made = run("/usr/bin/ffmpeg", {"-v", "error", "-i", wav, "-c:a", "flac", flac});
  ASSERT_EQ(made.status, 0) << made.err;
  for (const auto& file : {wav, flac}) {
    SCOPED_TRACE(file);
    std::vector<float> cap;
    auto r = play_captured({file}, cap);
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = json::parse(r.out);
    EXPECT_NEAR(j["duration_s"].get<double>(), 2.1, 1e-9);  // the lead silence and the signal
    EXPECT_EQ(j["outputs"][0]["api"], "pulse");
    const auto c = read_counter(cap);
    SCOPED_TRACE("worst jump " + std::to_string(c.worst_jump) + ", empty cycles " +
                 std::to_string(c.empty_cycles) + " (" + std::to_string(c.empty_cycle_frames) +
                 " frames)");
    EXPECT_EQ(c.first, 0);
    EXPECT_EQ(c.last, static_cast<int64_t>(frames) - 1);
    EXPECT_EQ(c.heard + c.empty_cycle_frames, frames);
    EXPECT_EQ(c.breaks, 0u);
    expect_lost_by_the_server_at_most_a_cycle(c, j);
    EXPECT_EQ(c.other, 0u);
  }
}

// AAC is lossy: the tone arrives at its frequency and level, as long as the file.
TEST_P(PulsePlay, M4aArrivesAsTheSameTone) {
  const std::string dir = temp_dir(), wav = dir + "/tone.wav", m4a = dir + "/tone.m4a";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", wav, "synth", "2",
                                   "sine", "997", "gain", "-12", "pad", "0.1", "0"});
  ASSERT_EQ(made.status, 0) << made.err;
  made = run("/usr/bin/ffmpeg", {"-v", "error", "-i", wav, "-c:a", "aac", m4a});
  ASSERT_EQ(made.status, 0) << made.err;
  std::vector<float> cap;
  auto r = play_captured({m4a}, cap);
  ASSERT_EQ(r.status, 0) << r.err;
  // The span of the tone in the capture, its zero crossings and its peak.
  size_t first = SIZE_MAX, last = 0;
  for (size_t i = 0; i < cap.size() / 2; ++i)
    if (std::fabs(cap[2 * i]) > 0.01f) {
      first = std::min(first, i);
      last = i;
    }
  ASSERT_NE(first, SIZE_MAX) << "nothing captured";
  EXPECT_NEAR(static_cast<double>(last - first) / kRate, 2.0, 0.03);  // after 100 ms of silence
  // The frequency from the median interval between rising zero crossings (robust to a
  // glitch of a loaded server), and the peak.
  std::vector<double> crossings, intervals;
  float peak = 0;
  const size_t a = first + kRate / 4, b = last - kRate / 4;
  for (size_t i = a + 1; i < b; ++i) {
    const float x0 = cap[2 * (i - 1)], x1 = cap[2 * i];
    if (x0 < 0 && x1 >= 0) crossings.push_back(static_cast<double>(i - 1) + x0 / (x0 - x1));
    peak = std::max(peak, std::fabs(x1));
  }
  for (size_t i = 1; i < crossings.size(); ++i)
    intervals.push_back(crossings[i] - crossings[i - 1]);
  ASSERT_FALSE(intervals.empty());
  std::nth_element(intervals.begin(), intervals.begin() + intervals.size() / 2, intervals.end());
  EXPECT_NEAR(kRate / intervals[intervals.size() / 2], 997.0, 2.0);
  EXPECT_NEAR(20 * std::log10(peak), -12.0, 1.0);
}

// The stream says what it is to the server's policy: media.role=music.
TEST_P(PulsePlay, TheStreamCarriesMediaRoleMusic) {
  const std::string dir = temp_dir();
  const auto wav = write_wav(dir + "/count.wav", counter_signal(3 * kRate));
  auto player = start_soundcheck({"play", "-q", "-D", "pulse:" + sink_, wav}, env());
  std::string inputs;
  for (int i = 0; i < 50 && inputs.find("soundcheck") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    inputs = run("/usr/bin/pactl", {"list", "sink-inputs"}, env()).out;
  }
  player->signal(SIGINT);
  auto r = player->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(inputs.find("media.role = \"music\""), std::string::npos) << inputs;
}

// A session interruption pauses and its end resumes: the capture shows every frame once, in
// order, with one pause whose two sides meet within 10 ms.
TEST_P(PulsePlay, AnInterruptionSkipsAndRepeatsNothing) {
  const std::string dir = temp_dir();
  const size_t frames = 3 * kRate;
  const auto wav = write_wav(dir + "/count.wav", counter_signal(frames));
  std::vector<float> cap;
  auto r = play_captured({wav}, cap, [env = env()] {
    wait_for_sessions(1);
    std::this_thread::sleep_for(800ms);
    auto call = soundcheck({"session", "interrupt", "--reason", "call", "--for", "700ms"}, env);
    EXPECT_EQ(call.status, 0) << call.err;
  });
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  // One, or more where the server's call flickers (a phone stream corked as it starts).
  ASSERT_GE(j["interruptions"].size(), 1u) << r.out;
  for (const auto& i : j["interruptions"]) EXPECT_EQ(i["resumed"], true) << r.out;
  const auto c = read_counter(cap);
  EXPECT_EQ(c.first, 0);
  EXPECT_EQ(c.last, static_cast<int64_t>(frames) - 1);
  EXPECT_LE(std::llabs(c.worst_jump), kRate / 100) << "frames skipped (+) or repeated (-)";
  EXPECT_GE(c.longest_gap, static_cast<size_t>(kRate / 2)) << "no pause in the capture";
  expect_lost_by_the_server_at_most_a_cycle(c, j);
  EXPECT_EQ(c.other, 0u);
}

// A phone-role stream on the same sink: the server asks soundcheck to cork (module-role-cork)
// and sees a call; playback pauses while the phone plays and resumes after it, nothing lost.
TEST_P(PulsePlay, APhoneStreamOnTheSinkCorksAndThenResumes) {
  const std::string dir = temp_dir();
  const size_t frames = 3 * kRate;
  const auto wav = write_wav(dir + "/count.wav", counter_signal(frames));
  // The phone plays silence, so the monitor carries only the counter.
  const auto quiet = write_wav(dir + "/phone.wav", std::vector<float>(3 * kRate, 0.0f));
  if (GetParam() == "pulseaudio") {
    auto modules = run("/usr/bin/pactl", {"list", "short", "modules"}, env());
    if (modules.out.find("module-role-cork") == std::string::npos)
      run("/usr/bin/pactl", {"load-module", "module-role-cork"}, env());
  }
  std::vector<float> cap;
  auto r = play_captured({wav}, cap, [&] {
    std::this_thread::sleep_for(1200ms);
    auto phone =
        run("/usr/bin/paplay", {"--device=" + sink_, "--property=media.role=phone", quiet}, env());
    EXPECT_EQ(phone.status, 0) << phone.err;
  });
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  ASSERT_GE(j["interruptions"].size(), 1u) << r.out;
  EXPECT_EQ(j["interruptions"][0]["resumed"], true);
  const auto c = read_counter(cap);
  EXPECT_EQ(c.first, 0);
  EXPECT_EQ(c.last, static_cast<int64_t>(frames) - 1);
  // module-role-cork corks the sink input on the server's side as well as asking soundcheck
  // to: the two meet within what a monitor shows of an uncork (its first few milliseconds
  // are lost to it, as for paplay's streams).
  EXPECT_LE(std::llabs(c.worst_jump), kRate / 40);
  EXPECT_GE(c.longest_gap, static_cast<size_t>(kRate / 4));
  expect_lost_by_the_server_at_most_a_cycle(c, j);
}

// A session with duckOthers lowers the output by 20 dB while it is active, and its end
// restores it (rule 4): the capture's level steps down by 20 dB and back up.
TEST_P(PulsePlay, DuckLowersTheOutputBy20dBAndUnduckRestoresIt) {
  const std::string dir = temp_dir(), wav = dir + "/tone.wav";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", wav, "synth", "6",
                                   "sine", "997", "gain", "-12", "pad", "0.1", "0"});
  ASSERT_EQ(made.status, 0) << made.err;
  std::vector<float> cap;
  auto r = play_captured({wav}, cap, [env = env()] {
    wait_for_sessions(1);
    std::this_thread::sleep_for(1500ms);
    auto ducker = soundcheck({"session", "activate", "--category", "playback", "--options",
                              "mixWithOthers,duckOthers", "--for", "1200ms"},
                             env);
    EXPECT_EQ(ducker.status, 0) << ducker.err;
  });
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["ducks"], 1);
  // The peak of each 50 ms window with the tone in it, in dBFS.
  std::vector<double> level;
  const size_t w = kRate / 20;
  for (size_t at = 0; at + w <= cap.size() / 2; at += w) {
    float peak = 0;
    for (size_t i = at; i < at + w; ++i) peak = std::max(peak, std::fabs(cap[2 * i]));
    if (peak > 0.001f) level.push_back(20 * std::log10(peak));
  }
  // Full level, then a ducked stretch of at least 0.5 s, then full level again.
  size_t ducked = 0, longest = 0, loud_before = 0, loud_after = 0;
  for (double db : level) {
    if (std::fabs(db - (-32.0)) < 1.5) {
      longest = std::max(longest, ++ducked);
    } else {
      ducked = 0;
      if (std::fabs(db - (-12.0)) < 1.0) (longest ? loud_after : loud_before)++;
    }
  }
  std::string seen;
  for (double db : level) seen += std::to_string(static_cast<int>(std::lround(db))) + " ";
  EXPECT_GE(longest, 10u) << "no 0.5 s at -32 dBFS: " << seen;
  EXPECT_GE(loud_before, 10u) << seen;
  EXPECT_GE(loud_after, 10u) << seen;
}

}  // namespace
}  // namespace sc::test
