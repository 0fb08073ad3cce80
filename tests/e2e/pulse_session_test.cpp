// `soundcheck record` under its session when the audio server takes part (SESSION-MODEL.md
// "What record and play do with notifications"): another application's phone call, soundcheck's
// own call, the server dying and coming back, the default input moving, a source that never
// comes back. The real binary, on a private server of each test's own (support/private_pulse.h):
// a phone stream is a call for every recorder on its server, and a killed server or a new
// default source is everyone's, so none of it may happen on the shared servers other tests
// record from at the same time. All of a test's soundcheck processes share its registry (run.h).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/audio.h"
#include "tests/support/eventually.h"
#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// Every JSON line of a stdout (session watch).
std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line, nullptr, false));
  return lines;
}

// A tone file, `seconds` long, made by an independent tool.
std::string make_tone(const std::string& dir, double seconds) {
  const std::string tone = dir + "/tone.wav";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", tone, "synth",
                                   std::to_string(seconds), "sine", "440", "gain", "-20"});
  EXPECT_EQ(made.status, 0) << made.err;
  return tone;
}

// The file a recording reported is whole: libsndfile reads it, ffprobe and a full decode say
// nothing, and it holds the frames the JSON says, in one finalized file.
void expect_whole(const std::string& path, const json& j) {
  EXPECT_EQ(j["finalized"], true) << j.dump();
  EXPECT_EQ(j["files"].size(), 1u) << j.dump();
  auto a = read_audio(path);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(j["frames"], a.frames);
  const auto p = probe(path);
  EXPECT_EQ(p.status, 0) << p.errors;
  EXPECT_EQ(p.errors, "");
  EXPECT_NEAR(p.duration_s, static_cast<double>(a.frames) / a.rate, 0.001);
}

// Each test against PulseAudio and against pipewire-pulse, on a private server with a null sink.
class PulseSession : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    ASSERT_TRUE(server_->ok()) << server_->error();
    ASSERT_FALSE(server_->load_null_sink(sink_).empty()) << server_->error();
    dir_ = temp_dir();
  }

  std::map<std::string, std::string> env() const { return server_->env(); }
  RunResult pactl(const std::vector<std::string>& args) const { return server_->pactl(args); }
  // `soundcheck --json record -D pulse:SOURCE -d DURATION EXTRA... FILE` on the private server.
  std::unique_ptr<Process> record(const std::string& source, const std::string& duration,
                                  const std::string& file,
                                  const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"--json", "record", "-D", "pulse:" + source, "-d", duration};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return start_soundcheck(args, env());
  }
  // paplay playing `file` into `sink` with media.role `role`.
  std::unique_ptr<Process> play(const std::string& sink, const std::string& file,
                                const std::string& role) const {
    return std::make_unique<Process>(
        "/usr/bin/paplay",
        std::vector<std::string>{"--device=" + sink, "--latency-msec=100",
                                 "--property=media.role=" + role, file},
        env());
  }
  // The state `session list` shows for the one session of the registry ("" while none).
  static std::string session_state() {
    auto j = json::parse(soundcheck({"--json", "session", "list"}).out, nullptr, false);
    if (j.is_discarded() || j["sessions"].size() != 1) return "";
    return j["sessions"][0]["state"].get<std::string>();
  }
  // Waits until the recording's file holds audio: the session is active and frames come.
  static bool recording(const std::string& file) {
    return eventually(10s, [&] {
      std::error_code ec;
      return std::filesystem::file_size(file, ec) > 4096 && !ec;
    });
  }

  static inline const std::string sink_ = "sc_session";
  std::unique_ptr<PrivatePulse> server_;
  std::string dir_;
};
INSTANTIATE_TEST_SUITE_P(Server, PulseSession, ::testing::Values("pulseaudio", "pipewire"),
                         [](const auto& p) { return p.param; });

// Another application's call (paplay with media.role=phone) interrupts the recording, which
// resumes into the same file when the call ends.
TEST_P(PulseSession, APhoneStreamInterruptsTheRecordingUntilItEnds) {
  const std::string out = dir_ + "/call.wav", tone = make_tone(dir_, 2.5);
  auto rec = record(sink_ + ".monitor", "6s", out);
  ASSERT_TRUE(recording(out)) << "the recording never started";
  ASSERT_EQ(session_state(), "active");
  auto call = play(sink_, tone, "phone");
  ASSERT_TRUE(eventually(5s, [] { return session_state() == "interrupted"; }))
      << "the call did not interrupt the recorder";
  auto played = call->wait();
  EXPECT_EQ(played.status, 0) << played.err;
  auto r = rec->wait();

  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  const auto& i = j["interruptions"][0];
  const std::string cause = i["cause"];
  EXPECT_NE(cause.find("phone stream"), std::string::npos) << cause;
  EXPECT_NE(cause.find("pid " + std::to_string(call->pid())), std::string::npos) << cause;
  EXPECT_EQ(i["outcome"], "resumed");
  EXPECT_EQ(i["should_resume"], true);
  expect_whole(out, j);
}

// While another application's call plays, a playAndRecord activation is refused with !pri
// (rule 5): `session activate` asks the server before it decides, as record does.
TEST_P(PulseSession, AnActivationDuringAPhoneStreamIsRefusedWithPri) {
  const std::string tone = make_tone(dir_, 30);
  auto call = play(sink_, tone, "phone");
  ASSERT_TRUE(eventually(5s, [&] {
    return pactl({"list", "short", "sink-inputs"}).out.find('\t') != std::string::npos;
  })) << "the phone stream never reached the server";
  auto activate =
      soundcheck({"session", "activate", "--category", "playAndRecord", "--for", "100ms"}, env());
  EXPECT_EQ(activate.status, 69) << "session activate during a call on the server:\n"
                                 << activate.out << activate.err;
  EXPECT_NE(activate.err.find("!pri"), std::string::npos) << activate.err;
  // A recorder is refused alike (it does ask the server).
  auto rec = soundcheck(
      {"record", "-D", "pulse:" + sink_ + ".monitor", "-d", "1s", dir_ + "/refused.wav"}, env());
  EXPECT_EQ(rec.status, 69) << rec.err;
  EXPECT_NE(rec.err.find("!pri"), std::string::npos) << rec.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/refused.wav"));
}

// soundcheck's own call (`session interrupt --reason call`) on a server with module-role-cork:
// one interruption, the registry's; the phone stream it plays is recognised as its own, so the
// server's view of it is no second interruption.
TEST_P(PulseSession, OurOwnCallIsOneInterruption) {
  if (GetParam() == "pulseaudio") {
    auto m = pactl({"load-module", "module-role-cork"});
    ASSERT_EQ(m.status, 0) << m.err;
  }  // pipewire-pulse has no module-role-cork; the call is the same
  const std::string out = dir_ + "/ours.wav";
  auto rec = record(sink_ + ".monitor", "5s", out);
  ASSERT_TRUE(recording(out)) << "the recording never started";
  auto call = soundcheck({"-v", "session", "interrupt", "--reason", "call", "--for", "2s"}, env());
  EXPECT_EQ(call.status, 0) << call.err;
  // It played its phone stream on this server (said with -v).
  EXPECT_NE(call.err.find("media.role=phone"), std::string::npos) << call.err;
  auto r = rec->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  EXPECT_EQ(j["interruptions"][0]["cause"], "call");
  EXPECT_EQ(j["interruptions"][0]["outcome"], "resumed");
  expect_whole(out, j);
}

// The server dies (SIGKILL) and comes back on the same address with the same sink: the
// recording reconnects and carries on in the same file; mediaServicesWereLost and
// mediaServicesWereReset reach a watcher of the registry.
TEST_P(PulseSession, ARecordingOutlivesItsServer) {
  auto watch = start_soundcheck({"--json", "session", "watch"}, env());
  auto watching = watch->read_line(Process::Stream::err);
  ASSERT_TRUE(watching && watching->find("watching") != std::string::npos)
      << watching.value_or("(nothing)");
  const std::string out = dir_ + "/lost.wav";
  const auto started = std::chrono::steady_clock::now();
  auto rec = record(sink_ + ".monitor", "8s", out);
  ASSERT_TRUE(recording(out)) << "the recording never started";
  std::this_thread::sleep_until(started + 1500ms);
  server_->kill();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(server_->restart()) << server_->error();
  ASSERT_FALSE(server_->load_null_sink(sink_).empty()) << server_->error();
  auto r = rec->wait();
  watch->signal(SIGTERM);
  auto w = watch->wait();

  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["media_services"].size(), 1u) << r.out;
  const auto& m = j["media_services"][0];
  ASSERT_TRUE(m["lost_s"].is_number()) << r.out;
  ASSERT_TRUE(m["reset_s"].is_number()) << r.out;
  EXPECT_GT(m["reset_s"].get<double>(), m["lost_s"].get<double>());
  EXPECT_NE(r.err.find("mediaServicesWereReset"), std::string::npos) << r.err;
  expect_whole(out, j);

  bool lost = false, reset = false;
  for (const auto& line : json_lines(w.out)) {
    const std::string type = line.value("type", "");
    lost = lost || type == "mediaServicesWereLost";
    reset = reset || (lost && type == "mediaServicesWereReset");
  }
  EXPECT_TRUE(lost) << w.out;
  EXPECT_TRUE(reset) << "no mediaServicesWereReset after the loss:\n" << w.out;
}

// After the server came back, its calls still interrupt: the recorder watches the new server's
// streams, not only the dead one's.
TEST_P(PulseSession, ACallOnTheServerThatCameBackInterruptsToo) {
  const std::string out = dir_ + "/after.wav", tone = make_tone(dir_, 1);
  auto rec = record(sink_ + ".monitor", "8s", out);
  ASSERT_TRUE(recording(out)) << "the recording never started";
  server_->kill();
  ASSERT_TRUE(server_->restart()) << server_->error();
  ASSERT_FALSE(server_->load_null_sink(sink_).empty()) << server_->error();
  bool reset = false;
  while (auto line = rec->read_line(Process::Stream::err))
    if ((reset = line->find("mediaServicesWereReset") != std::string::npos)) break;
  ASSERT_TRUE(reset) << "the recorder never said the server was back";
  auto call = play(sink_, tone, "phone");
  EXPECT_TRUE(eventually(5s, [] { return session_state() == "interrupted"; }))
      << "the call on the new server did not interrupt the recorder";
  call->wait();
  auto r = rec->wait();

  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["media_services"].size(), 1u) << r.out;
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  EXPECT_NE(j["interruptions"][0]["cause"].get<std::string>().find("phone stream"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(j["interruptions"][0]["outcome"], "resumed");
  expect_whole(out, j);
}

// --follow-default: the source goes away after the default input moved to another; the
// recording carries on from the new default, into the same file.
TEST_P(PulseSession, FollowDefaultCarriesOnFromTheNewDefaultSource) {
  const std::string a = "sc_first", b = "sc_second";
  const std::string module_a = server_->load_null_sink(a);
  ASSERT_FALSE(module_a.empty()) << server_->error();
  ASSERT_FALSE(server_->load_null_sink(b).empty()) << server_->error();
  const std::string out = dir_ + "/follow.wav";
  auto rec = record(a + ".monitor", "5s", out, {"--follow-default"});
  ASSERT_TRUE(recording(out)) << "the recording never started";
  auto d = pactl({"set-default-source", b + ".monitor"});
  ASSERT_EQ(d.status, 0) << d.err;
  auto u = pactl({"unload-module", module_a});
  ASSERT_EQ(u.status, 0) << u.err;
  auto r = rec->wait();

  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["route_changes"].size(), 2u) << r.out;
  EXPECT_EQ(j["route_changes"][0]["reason"], "oldDeviceUnavailable");
  EXPECT_NE(j["route_changes"][0]["device"].get<std::string>().find(a), std::string::npos) << r.out;
  EXPECT_EQ(j["route_changes"][1]["reason"], "newDeviceAvailable");
  EXPECT_NE(j["route_changes"][1]["device"].get<std::string>().find(b), std::string::npos) << r.out;
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  EXPECT_EQ(j["interruptions"][0]["outcome"], "resumed");
  expect_whole(out, j);
}

// --device-wait 1s and a source that never comes back: the recording ends with 75 once the wait
// has run out (long before its -d), says which wait ran out, and leaves its file finalized.
TEST_P(PulseSession, ADeviceWaitThatRunsOutEndsTheRecording) {
  const std::string gone = "sc_gone";
  const std::string module = server_->load_null_sink(gone);
  ASSERT_FALSE(module.empty()) << server_->error();
  const std::string out = dir_ + "/gone.wav";
  auto rec = record(gone + ".monitor", "20s", out, {"--device-wait", "1s"});
  ASSERT_TRUE(recording(out)) << "the recording never started";
  auto u = pactl({"unload-module", module});
  ASSERT_EQ(u.status, 0) << u.err;
  const auto unloaded = std::chrono::steady_clock::now();
  auto r = rec->wait();
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - unloaded).count();
  std::printf("[ measured ] %s: exit %.3f s after the unload\n", GetParam().c_str(), after);

  EXPECT_EQ(r.status, 75) << r.err;
  EXPECT_NE(r.err.find("within 1s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--device-wait"), std::string::npos) << r.err;
  // The wait was kept, and ended the recording rather than its 20 s duration.
  EXPECT_GE(after, 0.9);
  EXPECT_LT(after, 15.0);
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["stopped_by"], "device");
  EXPECT_EQ(j["error"]["exit"], 75);
  expect_whole(out, j);
}

}  // namespace
}  // namespace sc::test
