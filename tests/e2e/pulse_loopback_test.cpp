// `soundcheck route loopback up|down|status` and `soundcheck route watch`, the real binary
// against servers of each test's own (support/private_pulse.h): `up` changes a server's
// defaults and `down` unloads modules, which must never happen on the shared servers other
// tests record from. As root `up` also makes the server listen on /var/run/pulse/native: every
// run here points SOUNDCHECK_PULSE_SYSTEM_SOCKET at a private path instead. The server start is
// tried in a sandbox (its own XDG_RUNTIME_DIR, HOME and PULSE_SERVER), and the absence of
// pulseaudio with a PATH that lacks it.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/eventually.h"
#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line, nullptr, false));
  return lines;
}

json parse(const RunResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

bool contains(const json& array, const std::string& s) {
  for (const auto& e : array)
    if (e == s) return true;
  return false;
}

// Each test against PulseAudio and pipewire-pulse, on a private server.
class PulseLoopback : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    ASSERT_TRUE(server_->ok()) << server_->error();
    system_socket_ = temp_dir() + "/system/native";
    // scripts/start-pipewire loads a soundcheck_loop of its own (not by `up`): gone, so the
    // tests start from a server without one, as with PulseAudio.
    if (pipewire()) {
      std::istringstream modules(server_->pactl({"list", "short", "modules"}).out);
      for (std::string line; std::getline(modules, line);)
        if (line.find("sink_name=soundcheck_loop ") != std::string::npos)
          server_->pactl({"unload-module", line.substr(0, line.find('\t'))});
      ASSERT_TRUE(eventually(5s, [&] { return !server_->has_source("soundcheck_loop.monitor"); }));
    }
  }
  // pipewire-pulse applies a new default a moment after it answered.
  bool default_is(const char* what, const std::string& name) const {
    return eventually(5s, [&] { return pactl_line({what}) == name; });
  }
  std::map<std::string, std::string> env() const {
    auto e = server_->env();
    e["SOUNDCHECK_PULSE_SYSTEM_SOCKET"] = system_socket_;
    return e;
  }
  RunResult sc(const std::vector<std::string>& args) const { return soundcheck(args, env()); }
  std::string pactl_line(const std::vector<std::string>& args) const {
    auto r = server_->pactl(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  bool has_module(const std::string& what) const {
    return server_->pactl({"list", "short", "modules"}).out.find(what) != std::string::npos;
  }
  bool pipewire() const { return GetParam() == "pipewire"; }

  std::unique_ptr<PrivatePulse> server_;
  std::string system_socket_;
};

INSTANTIATE_TEST_SUITE_P(Servers, PulseLoopback, ::testing::Values("pulseaudio", "pipewire"));

// up, up, status, down, down, up: the second of each changes nothing and says so; down
// restores the defaults up found and unloads only what up loaded; the server keeps running.
TEST_P(PulseLoopback, UpDownAreIdempotentAndRestoreTheDefaults) {
  ASSERT_FALSE(server_->load_null_sink("lbt_other").empty()) << server_->error();
  pactl_line({"set-default-sink", "lbt_other"});
  pactl_line({"set-default-source", "lbt_other.monitor"});
  ASSERT_TRUE(default_is("get-default-sink", "lbt_other"));
  ASSERT_TRUE(default_is("get-default-source", "lbt_other.monitor"));

  auto r = sc({"--json", "route", "loopback", "up"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["command"], "route loopback up");
  EXPECT_EQ(j["started_server"], false);
  EXPECT_EQ(j["server"]["address"], server_->address()) << r.out;
  EXPECT_EQ(j["sink"], "soundcheck_loop");
  EXPECT_EQ(j["source"], "soundcheck_loop.monitor");
  EXPECT_TRUE(contains(j["loaded"], "module-null-sink")) << r.out;
  EXPECT_EQ(contains(j["loaded"], "module-role-cork"), !pipewire()) << r.out;
  EXPECT_EQ(j["previous_defaults"]["sink"], "lbt_other") << r.out;
  EXPECT_EQ(j["previous_defaults"]["source"], "lbt_other.monitor") << r.out;
  EXPECT_EQ(j["changed"], true);
  EXPECT_TRUE(default_is("get-default-sink", "soundcheck_loop"));
  EXPECT_TRUE(default_is("get-default-source", "soundcheck_loop.monitor"));
  EXPECT_TRUE(server_->has_source("soundcheck_loop.monitor"));
  if (geteuid() == 0 && !pipewire()) {
    EXPECT_EQ(j["listening_on"], system_socket_) << r.out;
    auto via = run("/usr/bin/pactl", {"info"}, {{"PULSE_SERVER", "unix:" + system_socket_}});
    EXPECT_EQ(via.status, 0) << "the system socket does not answer: " << via.err;
  }

  // Again: nothing to do.
  r = sc({"route", "loopback", "up"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("null sink soundcheck_loop present"), std::string::npos) << r.out;
  j = parse(sc({"--json", "route", "loopback", "up"}));
  EXPECT_EQ(j["changed"], false) << j.dump();
  EXPECT_TRUE(j["loaded"].empty()) << j.dump();
  EXPECT_EQ(j["previous_defaults"]["sink"], "lbt_other") << "the memory must survive a 2nd up";

  r = sc({"--json", "route", "loopback", "status"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = parse(r);
  EXPECT_EQ(j["sink"]["exists"], true);
  EXPECT_EQ(j["sink"]["default"], true);
  EXPECT_EQ(j["source"]["exists"], true);
  EXPECT_EQ(j["source"]["default"], true);
  EXPECT_EQ(j["role_cork"], !pipewire());
  EXPECT_EQ(j["made_by_up"], true);
  EXPECT_FALSE(j["server"]["name"].get<std::string>().empty());
  r = sc({"route", "loopback", "status"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("sink soundcheck_loop: present, default"), std::string::npos) << r.out;

  r = sc({"--json", "route", "loopback", "down"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  j = parse(r);
  EXPECT_TRUE(contains(j["unloaded"], "module-null-sink")) << r.out;
  EXPECT_EQ(contains(j["unloaded"], "module-role-cork"), !pipewire()) << r.out;
  EXPECT_TRUE(contains(j["restored"], "sink lbt_other")) << r.out;
  EXPECT_TRUE(contains(j["restored"], "source lbt_other.monitor")) << r.out;
  EXPECT_TRUE(eventually(5s, [&] { return !server_->has_source("soundcheck_loop.monitor"); }));
  EXPECT_TRUE(default_is("get-default-sink", "lbt_other"));
  EXPECT_TRUE(default_is("get-default-source", "lbt_other.monitor"));
  if (!pipewire()) {
    EXPECT_FALSE(has_module("module-role-cork"));
  }
  EXPECT_TRUE(server_->has_source("lbt_other.monitor")) << "down unloaded what it did not load";
  EXPECT_EQ(server_->pactl({"info"}).status, 0) << "down stopped the server";

  r = sc({"route", "loopback", "down"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to take down"), std::string::npos) << r.out;
  EXPECT_EQ(parse(sc({"--json", "route", "loopback", "down"}))["changed"], false);

  r = sc({"--json", "route", "loopback", "up"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(parse(r)["loaded"], "module-null-sink")) << r.out;
  EXPECT_TRUE(default_is("get-default-sink", "soundcheck_loop"));
}

// A soundcheck_loop that up did not load: up uses it without memory, down leaves it.
TEST_P(PulseLoopback, DownLeavesASinkUpDidNotLoad) {
  ASSERT_FALSE(server_->load_null_sink("soundcheck_loop").empty()) << server_->error();
  auto r = sc({"--json", "route", "loopback", "up"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = parse(r);
  EXPECT_FALSE(contains(j["loaded"], "module-null-sink")) << r.out;
  EXPECT_TRUE(j["previous_defaults"].is_null()) << r.out;
  EXPECT_TRUE(default_is("get-default-sink", "soundcheck_loop"));
  r = sc({"route", "loopback", "down"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("not loaded by 'route loopback up'"), std::string::npos) << r.out;
  EXPECT_TRUE(server_->has_source("soundcheck_loop.monitor"));
}

// `route watch --json --for 3s` sees a null sink that pactl loads and unloads: the sink and its
// monitor come (newDeviceAvailable) and go (oldDeviceUnavailable), in that order; a new default
// is an override.
TEST_P(PulseLoopback, RouteWatchSeesANullSinkComeAndGo) {
  auto watch = start_soundcheck({"--json", "route", "watch", "--for", "3s"}, env());
  auto watching = watch->read_line(Process::Stream::err);
  ASSERT_TRUE(watching && watching->find("watching") != std::string::npos)
      << watching.value_or("(nothing)");
  const std::string module = server_->load_null_sink("lbt_watch");
  ASSERT_FALSE(module.empty()) << server_->error();
  pactl_line({"set-default-sink", "lbt_watch"});
  EXPECT_TRUE(default_is("get-default-sink", "lbt_watch"));  // pipewire-pulse: a moment later
  pactl_line({"unload-module", module});
  auto w = watch->wait();
  EXPECT_EQ(w.status, 0) << w.err;

  int came = -1, went = -1, monitor_came = -1, override_at = -1;
  const auto lines = json_lines(w.out);
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    const json& l = lines[i];
    ASSERT_FALSE(l.is_discarded()) << w.out;
    EXPECT_EQ(l["type"], "routeChange");
    EXPECT_TRUE(l["at"].is_string());
    EXPECT_EQ(l["device"]["api"], "pulse");
    const std::string id = l["device"]["id"], reason = l["reason"];
    if (id == "lbt_watch" && reason == "newDeviceAvailable") {
      came = i;
      EXPECT_EQ(l["device"]["direction"], "output");
      EXPECT_EQ(l["device"]["name"], "lbt_watch");  // its description (load_null_sink)
      EXPECT_EQ(l["reason_value"], 1);
    }
    if (id == "lbt_watch" && reason == "oldDeviceUnavailable") went = i;
    if (id == "lbt_watch.monitor" && reason == "newDeviceAvailable") {
      monitor_came = i;
      EXPECT_EQ(l["device"]["direction"], "input");
    }
    if (id == "lbt_watch" && reason == "override") override_at = i;
  }
  EXPECT_GE(came, 0) << w.out;
  EXPECT_GE(monitor_came, 0) << w.out;
  EXPECT_GT(went, came) << w.out;
  EXPECT_GT(override_at, came) << w.out;
  EXPECT_LT(override_at, went) << w.out;
}

// The server dies under a watch: one mediaServicesWereLost line, exit 69.
TEST_P(PulseLoopback, RouteWatchReportsTheServersDeath) {
  auto watch = start_soundcheck({"--json", "route", "watch"}, env());
  auto watching = watch->read_line(Process::Stream::err);
  ASSERT_TRUE(watching && watching->find("watching") != std::string::npos)
      << watching.value_or("(nothing)");
  server_->kill();
  auto line = watch->read_line(Process::Stream::out, 10s);
  ASSERT_TRUE(line) << "no line after the server died";
  const json j = json::parse(*line, nullptr, false);
  EXPECT_EQ(j["type"], "mediaServicesWereLost") << *line;
  EXPECT_EQ(j["reason"], "serverLost") << *line;
  auto w = watch->wait();
  EXPECT_EQ(w.status, 69) << w.err;
  EXPECT_NE(w.err.find("went away"), std::string::npos) << w.err;
}

// No server, and no pulseaudio on PATH: 69 with the message and hint of the contract.
TEST(RouteLoopback, NoServerAndNoPulseaudioIs69WithAHint) {
  const std::string empty_bin = temp_dir();
  const std::map<std::string, std::string> env = {
      {"PATH", empty_bin}, {"PULSE_SERVER", "unix:" + temp_dir() + "/nothing"}};
  auto r = soundcheck({"route", "loopback", "up"}, env);
  EXPECT_EQ(r.status, 69);
  EXPECT_NE(r.err.find("no PulseAudio server and pulseaudio is not installed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("hint: apt-get install pulseaudio (or start PipeWire with pipewire-pulse)"),
            std::string::npos)
      << r.err;
  r = soundcheck({"--json", "route", "loopback", "up"}, env);
  EXPECT_EQ(r.status, 69);
  const json j = json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["ok"], false) << r.out;
  EXPECT_EQ(j["error"]["exit"], 69) << r.out;

  // Without a server status and down have nothing to report or do: exit 0.
  r = soundcheck({"--json", "route", "loopback", "status"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(json::parse(r.out, nullptr, false)["server"].is_null()) << r.out;
  r = soundcheck({"route", "loopback", "down"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to take down"), std::string::npos) << r.out;
}

TEST(RouteWatch, NoServerIs69WithTheLoopbackHint) {
  auto r = soundcheck({"route", "watch", "--for", "1s"},
                      {{"PULSE_SERVER", "unix:" + temp_dir() + "/nothing"}});
  EXPECT_EQ(r.status, 69);
  EXPECT_NE(r.err.find("soundcheck route loopback up"), std::string::npos) << r.err;
}

TEST(RouteWatch, ABadDurationIsAUsageError) {
  auto r = soundcheck({"route", "watch", "--for", "soon"});
  EXPECT_EQ(r.status, 64) << r.err;
}

// `up` with no server reachable starts one (pulseaudio -D), in a sandbox of its own: its
// runtime directory (so the daemon's socket is SANDBOX/pulse/native, where PULSE_SERVER
// points), its HOME (cookie, state) and its system socket. The daemon is stopped at the end.
class PulseLoopbackStart : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = temp_dir();
    chmod(sandbox_.c_str(), 0700);
    env_ = {{"PULSE_SERVER", "unix:" + sandbox_ + "/pulse/native"},
            {"XDG_RUNTIME_DIR", sandbox_},
            {"HOME", sandbox_},
            {"XDG_CONFIG_HOME", sandbox_ + "/config"},
            {"PULSE_RUNTIME_PATH", ""},
            {"PULSE_STATE_PATH", ""},
            {"SOUNDCHECK_PULSE_SYSTEM_SOCKET", sandbox_ + "/system/native"}};
  }
  void TearDown() override {
    std::ifstream pidfile(sandbox_ + "/pulse/pid");
    int pid = 0;
    if (pidfile >> pid && pid > 1) {
      ::kill(pid, SIGTERM);
      eventually(5s, [&] { return ::kill(pid, 0) != 0; });
    }
  }
  std::string sandbox_;
  std::map<std::string, std::string> env_;
};

TEST_F(PulseLoopbackStart, UpStartsAServerWhenNoneAnswers) {
  auto r = soundcheck({"--json", "route", "loopback", "up"}, env_);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = parse(r);
  EXPECT_EQ(j["started_server"], true) << r.out;
  EXPECT_EQ(j["server"]["address"], "unix:" + sandbox_ + "/pulse/native") << r.out;
  EXPECT_EQ(j["default_sink"], "soundcheck_loop") << r.out;
  auto info = run("/usr/bin/pactl", {"info"}, env_);
  EXPECT_EQ(info.status, 0) << info.err;

  r = soundcheck({"route", "loopback", "up"}, env_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("PulseAudio is running"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("started PulseAudio"), std::string::npos) << r.out;

  // down keeps the server.
  r = soundcheck({"route", "loopback", "down"}, env_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("the server keeps running"), std::string::npos) << r.out;
  EXPECT_EQ(run("/usr/bin/pactl", {"info"}, env_).status, 0);
}

// scripts/start-pulse is `route loopback up` with its one-line contract: "(ADDRESS); monitor
// source: soundcheck_loop.monitor", and "PulseAudio is running" / "null sink soundcheck_loop
// present" the second time.
TEST_F(PulseLoopbackStart, StartPulseKeepsItsOneLine) {
  auto env = env_;
  env["SOUNDCHECK_BIN"] = SOUNDCHECK_BIN;
  auto r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"}, env);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string address = "unix:" + sandbox_ + "/pulse/native";
  EXPECT_NE(r.out.find("start-pulse: started PulseAudio"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(" + address + "); monitor source: soundcheck_loop.monitor"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"}, env);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PulseAudio is running"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("null sink soundcheck_loop present"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sc::test
