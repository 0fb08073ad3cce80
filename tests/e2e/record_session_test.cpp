// Recordings under sessions, with real processes (SESSION-MODEL.md "Seed scenarios"): a
// recorder of the virtual device in real time, interrupted by `soundcheck session interrupt`
// run beside it. All of one test's processes share the test's registry (run.h).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/audio.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// The document a command printed (record's is indented), or the last of its JSON lines.
json last_json(const RunResult& r) {
  const std::string& out = r.out;
  if (auto whole = json::parse(out, nullptr, false); !whole.is_discarded()) return whole;
  size_t end = out.find_last_not_of('\n');
  if (end == std::string::npos) return json();
  size_t start = out.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return json::parse(out.substr(start, end - start + 1), nullptr, false);
}

// Every JSON line of stdout.
std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line, nullptr, false));
  return lines;
}

// "2026-12-03T14:55:01.123456Z" as seconds since the epoch.
double iso_seconds(const std::string& iso) {
  std::tm tm{};
  std::istringstream in(iso.substr(0, 19));
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  double s = static_cast<double>(timegm(&tm));
  if (iso.size() > 20 && iso[19] == '.') s += std::stod("0" + iso.substr(19, iso.size() - 20));
  return s;
}

// The interrupter's own account of how long it held the audio: activated_at to
// deactivated_at, from its JSON lines.
double held_seconds(const RunResult& r) {
  double on = -1, off = -1;
  for (const auto& j : json_lines(r.out)) {
    if (j.contains("activated_at")) on = iso_seconds(j["activated_at"]);
    if (j.contains("deactivated_at")) off = iso_seconds(j["deactivated_at"]);
  }
  EXPECT_GE(on, 0) << r.out;
  EXPECT_GE(off, on) << r.out;
  return off - on;
}

// Waits until the registry lists `n` sessions (a started process has activated).
std::unique_ptr<Process> start_recorder(const std::vector<std::string>& extra,
                                        const std::string& out, const std::string& duration) {
  std::vector<std::string> args{"--json", "record", "-D", "virtual:rate=48000", "-d", duration};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(out);
  return start_soundcheck(args);
}

// Scenario 1: a background recorder that is not mixable is interrupted by a call; its resume
// is refused with !int, it says so with the fix, finalizes and exits 75. Mixable, it resumes
// and the file holds both parts.
TEST(RecordSession, BackgroundRecorderCannotResumeUnlessMixable) {
  const std::string dir = temp_dir();
  {
    auto rec =
        start_recorder({"--background", "--category", "playAndRecord"}, dir + "/bg.wav", "5s");
    wait_for_sessions(1);
    std::this_thread::sleep_for(500ms);
    auto call = soundcheck({"--json", "session", "interrupt", "--reason", "call", "--for", "1s"});
    EXPECT_EQ(call.status, 0) << call.err;
    auto r = rec->wait();
    EXPECT_EQ(r.status, 75) << r.err;
    EXPECT_NE(r.err.find("!int 560557684"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("mixWithOthers"), std::string::npos) << r.err;
    auto j = last_json(r);
    EXPECT_EQ(j["error"]["osstatus"], 560557684) << r.out;
    EXPECT_EQ(j["finalized"], true);
    ASSERT_EQ(j["interruptions"].size(), 1u);
    EXPECT_EQ(j["interruptions"][0]["outcome"], "refused");
    EXPECT_EQ(j["interruptions"][0]["code"], "!int");
    auto a = read_audio(dir + "/bg.wav");
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_GT(a.frames, 48000u / 4);  // what came before the call
  }
  {
    auto rec =
        start_recorder({"--background", "--category", "playAndRecord", "--options=mixWithOthers"},
                       dir + "/mix.wav", "3s");
    wait_for_sessions(1);
    std::this_thread::sleep_for(500ms);
    auto call = soundcheck({"--json", "session", "interrupt", "--reason", "call", "--for", "1s"});
    EXPECT_EQ(call.status, 0) << call.err;
    const double held = held_seconds(call);
    auto r = rec->wait();
    EXPECT_EQ(r.status, 0) << r.err;
    auto j = last_json(r);
    ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
    EXPECT_EQ(j["interruptions"][0]["outcome"], "resumed");
    EXPECT_EQ(j["interruptions"][0]["cause"], "call");
    auto a = read_audio(dir + "/mix.wav");
    ASSERT_TRUE(a.ok) << a.error;
    // Both parts: 3 s on the session clock less the call.
    EXPECT_NEAR(static_cast<double>(a.frames) / 48000, 3.0 - held, 0.1);
  }
}

// --no-notify: the interrupter deactivates without shouldResume; the recorder stops with 75.
TEST(RecordSession, NoNotifyStopsTheRecorderWith75) {
  const std::string dir = temp_dir();
  auto rec = start_recorder({}, dir + "/n.wav", "5s");
  wait_for_sessions(1);
  std::this_thread::sleep_for(300ms);
  auto alarm = soundcheck(
      {"--json", "session", "interrupt", "--reason", "alarm", "--for", "300ms", "--no-notify"});
  EXPECT_EQ(alarm.status, 0) << alarm.err;
  auto r = rec->wait();
  EXPECT_EQ(r.status, 75) << r.err;
  EXPECT_NE(r.err.find("shouldResume"), std::string::npos) << r.err;
  auto j = last_json(r);
  EXPECT_EQ(j["interruptions"][0]["outcome"], "not resumed");
  EXPECT_EQ(j["interruptions"][0]["should_resume"], false);
  EXPECT_EQ(j["finalized"], true);
  EXPECT_TRUE(read_audio(dir + "/n.wav").ok);
}

// --reason siri refuses recording with `siri`, and leaves no file.
TEST(RecordSession, SiriRefusesRecording) {
  const std::string dir = temp_dir();
  auto siri = start_soundcheck({"session", "interrupt", "--reason", "siri", "--for", "5s"});
  wait_for_sessions(1);
  auto r = soundcheck({"--json", "record", "-D", "virtual", "-d", "1s", dir + "/s.wav"});
  EXPECT_EQ(r.status, 69) << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["error"]["fourcc"], "siri") << r.out;
  EXPECT_EQ(j["error"]["osstatus"], 1936290409);
  EXPECT_FALSE(std::filesystem::exists(dir + "/s.wav"));
  siri->signal(SIGTERM);
  EXPECT_EQ(siri->wait().status, 0);
}

// Two recorders started at the same instant: exactly one interrupts the other. The registry
// shows one active and one interrupted; when the winner stops, the other resumes, and both
// files are whole.
TEST(RecordSession, TwoRecordersAtOnceExactlyOneInterruptsTheOther) {
  const std::string dir = temp_dir();
  auto a = start_recorder({}, dir + "/a.wav", "4s");
  auto b = start_recorder({}, dir + "/b.wav", "4s");
  wait_for_sessions(2);
  std::this_thread::sleep_for(500ms);
  auto list = json::parse(soundcheck({"--json", "session", "list"}).out, nullptr, false);
  ASSERT_EQ(list["sessions"].size(), 2u) << list.dump();
  int active = 0, winner = 0;
  for (const auto& s : list["sessions"])
    if (s["state"] == "active") ++active, winner = s["pid"].get<int>();
  EXPECT_EQ(active, 1) << list.dump();
  Process& first = winner == a->pid() ? *a : *b;
  Process& second = winner == a->pid() ? *b : *a;
  first.signal(SIGINT);
  auto r1 = first.wait(), r2 = second.wait();
  EXPECT_EQ(r1.status, 0) << r1.err;
  EXPECT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(last_json(r1)["interruptions"].size(), 0u) << r1.out;
  const auto j2 = last_json(r2);
  ASSERT_EQ(j2["interruptions"].size(), 1u) << r2.out;
  EXPECT_EQ(j2["interruptions"][0]["outcome"], "resumed");
  EXPECT_TRUE(read_audio(dir + "/a.wav").ok);
  EXPECT_TRUE(read_audio(dir + "/b.wav").ok);
}

// A storm: 50 interruptions of one recorder within a minute. The file holds the active time,
// measured from the interrupters' own activation and deactivation times, within 20 ms per
// interruption; no registry entry is left.
TEST(RecordSession, AnInterruptionStormKeepsExactlyTheActiveTime) {
  const std::string dir = temp_dir();
  const double total = 25.0;
  auto rec = start_recorder({}, dir + "/storm.wav", "25s");
  wait_for_sessions(1);
  double gaps = 0;
  int done = 0;
  for (int i = 0; i < 50; ++i) {
    auto r = soundcheck({"--json", "session", "interrupt", "--reason", "alarm", "--for", "100ms"});
    ASSERT_EQ(r.status, 0) << r.err;
    gaps += held_seconds(r);
    ++done;
    std::this_thread::sleep_for(100ms);
  }
  auto r = rec->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = last_json(r);
  EXPECT_EQ(j["interruptions"].size(), static_cast<size_t>(done));
  auto a = read_audio(dir + "/storm.wav");
  ASSERT_TRUE(a.ok) << a.error;
  const double active = total - gaps;
  const double held = static_cast<double>(a.frames) / 48000;
  std::printf(
      "[ measured ] %d interruptions, %.3f s held by interrupters; file %.3f s, active "
      "%.3f s, difference %.1f ms (%.2f ms each)\n",
      done, gaps, held, active, (held - active) * 1000, (held - active) * 1000 / done);
  EXPECT_NEAR(held, active, 0.020 * done);
  auto list = json::parse(soundcheck({"--json", "session", "list"}).out, nullptr, false);
  EXPECT_EQ(list["sessions"].size(), 0u) << list.dump();
}

// A holder killed by SIGKILL while it interrupts a recorder: the recorder resumes, nobody is
// blocked, no entry is left.
TEST(RecordSession, AnInterrupterKilledBySigkillEndsItsInterruption) {
  const std::string dir = temp_dir();
  auto rec = start_recorder({}, dir + "/k.wav", "3s");
  wait_for_sessions(1);
  std::this_thread::sleep_for(300ms);
  auto holder = start_soundcheck({"session", "interrupt", "--reason", "alarm", "--for", "1m"});
  wait_for_sessions(2);
  std::this_thread::sleep_for(300ms);
  holder->signal(SIGKILL);
  holder->wait();
  auto r = rec->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = last_json(r);
  ASSERT_EQ(j["interruptions"].size(), 1u) << r.out;
  EXPECT_EQ(j["interruptions"][0]["outcome"], "resumed");
  auto list = json::parse(soundcheck({"--json", "session", "list"}).out, nullptr, false);
  EXPECT_EQ(list["sessions"].size(), 0u) << list.dump();
}

// --on-interrupt split: the part after the interruption is the next numbered file.
TEST(RecordSession, SplitOpensTheNextNumberedFileAtTheResume) {
  const std::string dir = temp_dir();
  auto rec = start_recorder({"--on-interrupt", "split"}, dir + "/s.wav", "2s");
  wait_for_sessions(1);
  std::this_thread::sleep_for(300ms);
  auto alarm = soundcheck({"session", "interrupt", "--reason", "alarm", "--for", "300ms"});
  EXPECT_EQ(alarm.status, 0) << alarm.err;
  auto r = rec->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = last_json(r);
  EXPECT_EQ(j["files"].size(), 2u) << r.out;
  EXPECT_TRUE(read_audio(dir + "/s.wav").ok);
  EXPECT_TRUE(read_audio(dir + "/s-002.wav").ok);
}

}  // namespace
}  // namespace sc::test
