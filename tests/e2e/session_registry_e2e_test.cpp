// `session list`, `watch`, `activate` and `interrupt` across processes, as users run them:
// each test has a registry of its own (SOUNDCHECK_RUNTIME_DIR in a fresh directory), starts
// holders in the background, reads what they print as it comes, and signals them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace sc::test {
namespace {

using nlohmann::json;
using Stream = Process::Stream;
using Env = std::map<std::string, std::string>;

// A registry of the test's own.
struct Registry {
  TempDir tmp;
  std::string dir = tmp.file("registry");
  Env env() const { return {{"SOUNDCHECK_RUNTIME_DIR", dir}}; }
};

json parse_line(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << text;
    return {};
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// Starts `soundcheck --json ARGS...` and returns it once its activation line is printed
// (the session is active then); `first` gets that line.
std::unique_ptr<Process> start_active(const Registry& reg, std::vector<std::string> args,
                                      json& first) {
  args.insert(args.begin(), "--json");
  auto p = start_soundcheck(args, reg.env());
  auto line = p->read_line(Stream::out);
  if (!line) {
    auto r = p->wait();
    ADD_FAILURE() << "no activation line; exit " << r.status << "\n" << r.err;
    return p;
  }
  first = parse_line(*line);
  EXPECT_EQ(first["ok"], true) << *line;
  EXPECT_TRUE(first.contains("activated_at")) << *line;
  return p;
}

// Reads a holder's stderr until a line contains `what`; false when it never comes.
bool stderr_says(Process& p, const std::string& what, std::string* seen = nullptr) {
  while (auto line = p.read_line(Stream::err)) {
    if (seen) *seen += *line + "\n";
    if (contains(*line, what)) return true;
  }
  return false;
}

json list_json(const Registry& reg) {
  auto r = soundcheck({"--json", "session", "list"}, reg.env());
  EXPECT_EQ(r.status, 0) << r.err;
  return parse_line(r.out);
}

const json* find_pid(const json& list, int pid) {
  for (const auto& s : list["sessions"])
    if (s["pid"] == pid) return &s;
  return nullptr;
}

// SESSION-MODEL.md seed scenario 2.
TEST(SessionCommands, CallRefusesPlayAndRecordWithPriUntilItEnds) {
  Registry reg;
  json on;
  auto call = start_active(reg, {"session", "interrupt", "--reason", "call", "--for", "3s"}, on);
  EXPECT_EQ(on["command"], "session interrupt");
  EXPECT_EQ(on["reason"], "call");
  EXPECT_EQ(on["session"]["pid"], call->pid());
  EXPECT_EQ(on["session"]["category"], "playAndRecord");
  EXPECT_EQ(on["session"]["mode"], "voiceChat");

  auto refused = soundcheck(
      {"--json", "session", "activate", "--category", "playAndRecord", "--for", "0"}, reg.env());
  EXPECT_EQ(refused.status, 69) << refused.err;
  auto err = parse_line(refused.out)["error"];
  EXPECT_EQ(err["code"], "insufficientPriority");
  EXPECT_EQ(err["osstatus"], 561017449);
  EXPECT_EQ(err["fourcc"], "!pri");
  EXPECT_TRUE(contains(refused.err, "!pri 561017449")) << refused.err;
  EXPECT_EQ(lines_of(refused.err).size(), 2u) << refused.err;  // the message and its hint

  auto done = call->wait();
  EXPECT_EQ(done.status, 0) << done.err;
  auto lines = lines_of(done.out);
  ASSERT_EQ(lines.size(), 2u) << done.out;
  auto off = parse_line(lines[1]);
  EXPECT_EQ(off["command"], "session interrupt");
  ASSERT_TRUE(off["deactivated_at"].is_string()) << lines[1];
  EXPECT_GT(off["deactivated_at"].get<std::string>(), on["activated_at"].get<std::string>());
  EXPECT_GE(off["held_s"].get<double>(), 2.9);

  auto after =
      soundcheck({"session", "activate", "--category", "playAndRecord", "--for", "0"}, reg.env());
  EXPECT_EQ(after.status, 0) << after.err;
}

TEST(SessionCommands, MixableSessionInterruptsNobody) {
  Registry reg;
  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  auto mix = soundcheck({"session", "activate", "--category", "playback", "--options",
                         "mixWithOthers", "--for", "200ms"},
                        reg.env());
  EXPECT_EQ(mix.status, 0) << mix.err;
  const auto list = list_json(reg);
  const json* entry = find_pid(list, holder->pid());
  ASSERT_TRUE(entry) << list.dump(2);
  EXPECT_EQ((*entry)["state"], "active");
  holder->signal(SIGINT);
  auto r = holder->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "interrupted")) << r.err;
}

TEST(SessionCommands, SiriRefusesRecording) {
  Registry reg;
  json on;
  auto siri = start_active(reg, {"session", "interrupt", "--reason", "siri"}, on);
  EXPECT_EQ(on["reason"], "siri");
  auto refused = soundcheck({"--json", "session", "activate", "--category", "record", "--for", "0"},
                            reg.env());
  EXPECT_EQ(refused.status, 69) << refused.err;
  auto err = parse_line(refused.out)["error"];
  EXPECT_EQ(err["code"], "siriIsRecording");
  EXPECT_EQ(err["fourcc"], "siri");
  EXPECT_EQ(err["osstatus"], 1936290409);
  siri->signal(SIGTERM);
  EXPECT_EQ(siri->wait().status, 0);
}

TEST(SessionCommands, KilledHolderLeavesNoEntry) {
  Registry reg;
  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  EXPECT_TRUE(find_pid(list_json(reg), holder->pid()));
  holder->signal(SIGKILL);
  EXPECT_EQ(holder->wait().status, 128 + SIGKILL);
  const auto list = list_json(reg);
  EXPECT_TRUE(list["sessions"].empty()) << list.dump(2);
  auto again =
      soundcheck({"session", "activate", "--category", "playAndRecord", "--for", "0"}, reg.env());
  EXPECT_EQ(again.status, 0) << again.err;
}

TEST(SessionCommands, KilledCallEndsTheInterruption) {
  Registry reg;
  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  json call_on;
  auto call = start_active(reg, {"session", "interrupt"}, call_on);
  EXPECT_TRUE(stderr_says(*holder, "interrupted"));
  call->signal(SIGKILL);
  call->wait();
  std::string seen;
  EXPECT_TRUE(stderr_says(*holder, "active again", &seen)) << seen;
  holder->signal(SIGINT);
  EXPECT_EQ(holder->wait().status, 0);
}

TEST(SessionCommands, ListShowsWhoIsInterrupted) {
  Registry reg;
  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  json call_on;
  auto call = start_active(reg, {"session", "interrupt", "--reason", "call"}, call_on);
  auto list = list_json(reg);
  const json* h = find_pid(list, holder->pid());
  const json* c = find_pid(list, call->pid());
  ASSERT_TRUE(h && c) << list.dump(2);
  EXPECT_EQ((*h)["state"], "interrupted");
  EXPECT_EQ((*h)["command"], "session activate");
  EXPECT_EQ((*h)["category"], "playAndRecord");
  EXPECT_EQ((*h)["mixable"], false);
  EXPECT_EQ((*c)["state"], "active");
  EXPECT_EQ((*c)["cause"], "call");
  for (const auto* s : {h, c})
    for (const char* key : {"pid", "command", "category", "mode", "options", "mixable", "state",
                            "background", "since"})
      EXPECT_TRUE(s->contains(key)) << key;

  auto text = soundcheck({"session", "list"}, reg.env());
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "PID")) << text.out;
  EXPECT_TRUE(contains(text.out, std::to_string(holder->pid()))) << text.out;
  EXPECT_TRUE(contains(text.out, "interrupted")) << text.out;

  call->signal(SIGINT);
  EXPECT_EQ(call->wait().status, 0);
  std::string seen;
  EXPECT_TRUE(stderr_says(*holder, "active again", &seen)) << seen;
  list = list_json(reg);
  h = find_pid(list, holder->pid());
  ASSERT_TRUE(h) << list.dump(2);
  EXPECT_EQ((*h)["state"], "active");
  holder->signal(SIGINT);
  EXPECT_EQ(holder->wait().status, 0);
  EXPECT_EQ(soundcheck({"session", "list"}, reg.env()).out, "no sessions\n");
}

TEST(SessionCommands, NoNotifyLeavesTheHolderInterrupted) {
  Registry reg;
  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  auto alarm = soundcheck(
      {"session", "interrupt", "--reason", "alarm", "--for", "100ms", "--no-notify"}, reg.env());
  EXPECT_EQ(alarm.status, 0) << alarm.err;
  std::string seen;
  EXPECT_TRUE(stderr_says(*holder, "shouldResume no", &seen)) << seen;
  EXPECT_TRUE(stderr_says(*holder, "not resuming", &seen)) << seen;
  const json* h = nullptr;
  auto list = list_json(reg);
  h = find_pid(list, holder->pid());
  ASSERT_TRUE(h) << list.dump(2);
  EXPECT_EQ((*h)["state"], "interrupted");
  holder->signal(SIGTERM);
  EXPECT_EQ(holder->wait().status, 0);
}

TEST(SessionCommands, ForeignRegistryIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the directory to another user";
  Registry reg;
  ASSERT_EQ(mkdir(reg.dir.c_str(), 0700), 0);
  ASSERT_EQ(chown(reg.dir.c_str(), 65534, 65534), 0);
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"session", "list"},
                                             {"session", "watch", "--for", "1s"},
                                             {"session", "activate", "--for", "0"},
                                             {"session", "interrupt", "--for", "0"}}) {
    SCOPED_TRACE(args[1]);
    auto r = soundcheck(args, reg.env());
    EXPECT_EQ(r.status, 69) << r.err;
    const auto lines = lines_of(r.err);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("soundcheck session " + args[1] + ": ", 0), 0u) << r.err;
    EXPECT_TRUE(contains(lines[0], reg.dir)) << r.err;
    EXPECT_LE(lines.size(), 2u) << r.err;
    if (lines.size() == 2) {
      EXPECT_EQ(lines[1].rfind("hint: ", 0), 0u) << r.err;
    }
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(SessionCommands, WatchPrintsBeganAndEndedAsJsonLines) {
  Registry reg;
  auto watch = start_soundcheck({"--json", "session", "watch"}, reg.env());
  auto hello = watch->read_line(Stream::err);
  ASSERT_TRUE(hello && contains(*hello, "watching")) << watch->wait().err;

  json on;
  auto holder = start_active(reg, {"session", "activate", "--category", "playAndRecord"}, on);
  auto alarm =
      soundcheck({"session", "interrupt", "--reason", "alarm", "--for", "200ms"}, reg.env());
  EXPECT_EQ(alarm.status, 0) << alarm.err;

  std::vector<json> notes;
  bool ended = false;
  while (!ended) {
    auto line = watch->read_line(Stream::out);
    if (!line) break;
    notes.push_back(parse_line(*line));
    const auto& n = notes.back();
    ended = n["type"] == "ended" && n["session"]["pid"] == holder->pid();
  }
  ASSERT_TRUE(ended) << "no ended for the holder";
  auto about_holder = [&](const char* type) -> const json* {
    for (const auto& n : notes)
      if (n["type"] == type && n["session"]["pid"] == holder->pid()) return &n;
    return nullptr;
  };
  const json* began = about_holder("began");
  ASSERT_TRUE(began);
  EXPECT_EQ((*began)["cause"], "alarm");
  EXPECT_EQ((*began)["session"]["command"], "session activate");
  EXPECT_TRUE((*began)["at"].is_string());
  EXPECT_EQ((*about_holder("ended"))["should_resume"], true);
  EXPECT_TRUE(about_holder("activated"));

  std::string seen;
  EXPECT_TRUE(stderr_says(*holder, "active again", &seen)) << seen;
  holder->signal(SIGINT);
  EXPECT_EQ(holder->wait().status, 0);
  watch->signal(SIGINT);
  auto r = watch->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  for (const auto& line : lines_of(r.out)) parse_line(line);  // every line is JSON
}

TEST(SessionCommands, WatchStopsAfterFor) {
  Registry reg;
  auto r = soundcheck({"session", "watch", "--for", "200ms"}, reg.env());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(SessionCommands, ListVerboseNamesTheRegistryAndItsSource) {
  Registry reg;
  auto r = soundcheck({"session", "list", "-v"}, reg.env());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, reg.dir + " (from SOUNDCHECK_RUNTIME_DIR)")) << r.err;
  EXPECT_EQ(r.out, "no sessions\n");

  TempDir xdg;
  chmod(xdg.path().c_str(), 0700);
  const Env from_xdg{{"SOUNDCHECK_RUNTIME_DIR", ""}, {"XDG_RUNTIME_DIR", xdg.path().string()}};
  r = soundcheck({"session", "list", "-v"}, from_xdg);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, xdg.file("soundcheck") + " (from XDG_RUNTIME_DIR)")) << r.err;

  auto j = soundcheck({"--json", "session", "list"}, from_xdg);
  auto doc = parse_line(j.out);
  EXPECT_EQ(doc["command"], "session list");
  EXPECT_EQ(doc["registry"]["path"], xdg.file("soundcheck"));
  EXPECT_EQ(doc["registry"]["from"], "XDG_RUNTIME_DIR");
  EXPECT_TRUE(doc["sessions"].is_array());
}

TEST(SessionCommands, UsageErrorsAre64WithAHint) {
  Registry reg;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"session", "activate", "--for", "5x"},
           {"session", "watch", "--for", "soon"},
           {"session", "interrupt", "--for", "-1s"},
           {"session", "interrupt", "--reason", "meeting"},
           {"session", "activate", "--category", "playback", "--options", "defaultToSpeaker"}}) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    auto r = soundcheck(args, reg.env());
    EXPECT_EQ(r.status, 64) << r.err;
    EXPECT_TRUE(contains(r.err, "\nhint: ")) << r.err;
  }
}

}  // namespace
}  // namespace sc::test
