// `soundcheck route set` and `route show` as users run them, and the one device precedence
// (core/session/route_prefs.h) through record: -D, SOUNDCHECK_INPUT, the profile's own,
// route set's file, [route], the default. Every run has a config directory of its own (the
// stored preferences must not reach other tests' record runs). RouteShowSet runs without a
// server; PulseRouteShowSet starts a PulseAudio of its own (PrivatePulse).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Env = std::map<std::string, std::string>;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

json parse(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << "\n" << r.out;
    return json::object();
  }
}

class RouteShowSet : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = temp_dir();
    env_ = {{"XDG_CONFIG_HOME", home_},
            {"SOUNDCHECK_INPUT", ""},
            {"SOUNDCHECK_OUTPUT", ""},
            {"PULSE_SERVER", "unix:/nonexistent"}};
  }
  RunResult sc(const std::vector<std::string>& args, Env extra = {}) {
    Env env = env_;
    for (auto& [k, v] : extra) env[k] = v;
    return soundcheck(args, env);
  }
  std::string route_file() const { return home_ + "/soundcheck/route.toml"; }

  std::string home_;
  Env env_;
};

TEST_F(RouteShowSet, SetVirtualThenShowShowsThem) {
  auto set = parse(sc({"--json", "route", "set", "--input", "virtual", "--output", "virtual"}));
  EXPECT_EQ(set["ok"], true);
  EXPECT_EQ(set["command"], "route set");
  EXPECT_EQ(set["file"], route_file());
  EXPECT_EQ(set["changed"], true);
  EXPECT_EQ(set["input"]["spec"], "virtual");
  EXPECT_EQ(set["output"]["spec"], "virtual");
  EXPECT_EQ(set["input"]["name"], "soundcheck virtual device");
  ASSERT_TRUE(fs::exists(route_file()));

  auto show = parse(sc({"--json", "route", "show", "--category", "playAndRecord"}));
  EXPECT_EQ(show["command"], "route show");
  EXPECT_EQ(show["category"], "playAndRecord");
  ASSERT_EQ(show["route"]["inputs"].size(), 1u) << show.dump(2);
  ASSERT_EQ(show["route"]["outputs"].size(), 1u) << show.dump(2);
  const auto& in = show["route"]["inputs"][0];
  EXPECT_EQ(in["api"], "virtual");
  EXPECT_EQ(in["source"], "route set");
  EXPECT_EQ(in["port_type"], "Virtual");
  EXPECT_EQ(in["channels"], 2);
  EXPECT_EQ(in["measured"], true);
  const auto& out = show["route"]["outputs"][0];
  EXPECT_EQ(out["api"], "virtual");
  EXPECT_EQ(out["source"], "route set");
  for (const char* key :
       {"sample_rate", "preferred_sample_rate", "io_buffer_duration",
        "preferred_io_buffer_duration", "input_latency", "output_latency", "input_channels",
        "output_channels", "route", "category_options", "mode", "notes"})
    EXPECT_TRUE(show.contains(key)) << key;
  EXPECT_EQ(show["sample_rate"], 48000);
  EXPECT_EQ(show["preferred_sample_rate"], nullptr);
  EXPECT_EQ(show["input_channels"], 2);
  EXPECT_DOUBLE_EQ(show["io_buffer_duration"].get<double>(), 0.01);  // its buffer=480 at 48k

  // With no flags, route set prints what it stored.
  auto r = sc({"route", "set"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("input:  virtual (soundcheck virtual device)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(route_file()), std::string::npos) << r.out;
}

TEST_F(RouteShowSet, ShowTakesThePreferencesOfTheProfile) {
  auto show = parse(sc({"--json", "route", "show", "--category", "record", "--input",
                        "virtual:rate=44100", "--preferred-rate", "32000", "--io-buffer", "5ms"}));
  EXPECT_EQ(show["preferred_sample_rate"], 32000);
  EXPECT_EQ(show["sample_rate"], 32000);  // the virtual device runs at any rate asked
  EXPECT_DOUBLE_EQ(show["preferred_io_buffer_duration"].get<double>(), 0.005);
  EXPECT_DOUBLE_EQ(show["io_buffer_duration"].get<double>(), 0.005);  // 160 frames at 32k
  EXPECT_EQ(show["route"]["inputs"][0]["device_sample_rate"], 44100);
  EXPECT_EQ(show["route"]["inputs"][0]["io_buffer_frames"], 160);
  // measurement: the device's own rate, whatever is preferred.
  show = parse(sc({"--json", "route", "show", "--category", "record", "--mode", "measurement",
                   "--input", "virtual:rate=44100", "--preferred-rate", "32000"}));
  EXPECT_EQ(show["sample_rate"], 44100);
}

TEST_F(RouteShowSet, CategoryRecordShowsOnlyInputsAndPlaybackOnlyOutputs) {
  auto show = parse(sc({"--json", "route", "show", "--category", "record", "--input", "virtual"}));
  EXPECT_EQ(show["route"]["inputs"].size(), 1u);
  EXPECT_TRUE(show["route"]["outputs"].empty()) << show.dump(2);
  EXPECT_EQ(show["output_channels"], 0);
  EXPECT_EQ(show["output_latency"], nullptr);
  EXPECT_TRUE(show["input_latency"].is_number());

  show = parse(sc({"--json", "route", "show", "--category", "playback", "--output", "virtual"}));
  EXPECT_TRUE(show["route"]["inputs"].empty()) << show.dump(2);
  ASSERT_EQ(show["route"]["outputs"].size(), 1u);
  EXPECT_EQ(show["input_channels"], 0);
  EXPECT_EQ(show["input_latency"], nullptr);
  // The virtual device plays (open_playback): the output is measured from a stream.
  EXPECT_EQ(show["route"]["outputs"][0]["measured"], true) << show.dump(2);
  EXPECT_TRUE(show["output_latency"].is_number()) << show.dump(2);
  EXPECT_EQ(show["output_channels"], 2);

  auto text = sc({"route", "show", "--category", "record", "--input", "virtual"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("input:"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("output:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("input latency:"), std::string::npos) << text.out;
  // Aligned: every value starts in the same column.
  size_t column = std::string::npos;
  size_t start = 0;
  while (start < text.out.size()) {
    const size_t end = text.out.find('\n', start);
    const std::string line = text.out.substr(start, end - start);
    start = end == std::string::npos ? text.out.size() : end + 1;
    const size_t colon = line.find(": ");
    ASSERT_NE(colon, std::string::npos) << line;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    if (column == std::string::npos) column = value;
    EXPECT_EQ(value, column) << line;
  }
}

TEST_F(RouteShowSet, TheEnvironmentWinsOverTheStoredAndTheFlagOverBoth) {
  ASSERT_EQ(sc({"route", "set", "--input", "virtual:rate=44100"}).status, 0);
  auto show = parse(sc({"--json", "route", "show", "--category", "record"}));
  EXPECT_EQ(show["sample_rate"], 44100);
  EXPECT_EQ(show["route"]["inputs"][0]["source"], "route set");

  const Env env = {{"SOUNDCHECK_INPUT", "virtual:rate=32000"}};
  show = parse(sc({"--json", "route", "show", "--category", "record"}, env));
  EXPECT_EQ(show["sample_rate"], 32000);
  EXPECT_EQ(show["route"]["inputs"][0]["source"], "environment");
  EXPECT_EQ(show["route"]["inputs"][0]["spec"], "virtual:rate=32000");

  show = parse(sc(
      {"--json", "route", "show", "--category", "record", "--input", "virtual:rate=22050"}, env));
  EXPECT_EQ(show["sample_rate"], 22050);
  EXPECT_EQ(show["route"]["inputs"][0]["source"], "flag");

  // route set says when the environment hides what it stored.
  auto r = sc({"route", "set"}, env);
  EXPECT_NE(r.err.find("SOUNDCHECK_INPUT='virtual:rate=32000'"), std::string::npos) << r.err;
}

TEST_F(RouteShowSet, RecordUsesTheStoredInputAndDashDWinsOverTheEnvironment) {
  const std::string dir = temp_dir();
  ASSERT_EQ(sc({"route", "set", "--input", "virtual:speed=max,rate=44100"}).status, 0);
  auto rec = parse(sc({"--json", "record", "-d", "0.2", dir + "/stored.wav"}));
  EXPECT_EQ(rec["rate"], 44100) << rec.dump(2);

  // An environment that names nothing: record fails naming the variable...
  const Env env = {{"SOUNDCHECK_INPUT", "no-such-device-anywhere"}};
  auto r = sc({"record", "-d", "0.2", dir + "/env.wav"}, env);
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_NE(r.err.find("SOUNDCHECK_INPUT='no-such-device-anywhere'"), std::string::npos) << r.err;
  // ...and -D wins over it.
  rec = parse(
      sc({"--json", "record", "-D", "virtual:speed=max,rate=22050", "-d", "0.2", dir + "/flag.wav"},
         env));
  EXPECT_EQ(rec["rate"], 22050) << rec.dump(2);
  EXPECT_EQ(rec["device"]["api"], "virtual");
}

TEST_F(RouteShowSet, TheProfilesOwnDeviceWinsOverTheStoredAndLegacyRouteIsLast) {
  fs::create_directories(home_ + "/soundcheck");
  std::ofstream(home_ + "/soundcheck/config.toml")
      << "[route]\ninput = \"virtual:rate=16000\"\n"
         "[profiles.studio]\ncategory = \"record\"\ninput = \"virtual:rate=24000\"\n";
  auto show = parse(sc({"--json", "route", "show", "--category", "record"}));
  EXPECT_EQ(show["sample_rate"], 16000);  // [route]
  EXPECT_EQ(show["route"]["inputs"][0]["source"], "config [route]");
  ASSERT_EQ(sc({"route", "set", "--input", "virtual:rate=44100"}).status, 0);
  show = parse(sc({"--json", "route", "show", "--category", "record"}));
  EXPECT_EQ(show["sample_rate"], 44100);  // route set wins over [route]
  show = parse(sc({"--json", "route", "show", "--profile", "studio"}));
  EXPECT_EQ(show["sample_rate"], 24000);  // the profile's own wins over route set
  EXPECT_EQ(show["route"]["inputs"][0]["source"], "profile");
}

TEST_F(RouteShowSet, TheConfigFileAndItsCommentsAreNeverTouched) {
  fs::create_directories(home_ + "/soundcheck");
  const std::string config = home_ + "/soundcheck/config.toml";
  const std::string text =
      "# mine\n[route]  # legacy, by hand\ninput = \"virtual\"   # keep\n\n"
      "[profiles.a]\ncategory = \"record\" # note\n";
  std::ofstream(config) << text;
  ASSERT_EQ(sc({"route", "set", "--input", "virtual:rate=32000", "--output", "default"}).status, 0);
  ASSERT_EQ(sc({"route", "set", "--clear", "--input", "virtual"}).status, 0);
  EXPECT_EQ(read(config), text);
  // Beside an explicit --config, too.
  const std::string other = temp_dir();
  std::ofstream(other + "/mine.toml") << text;
  auto set =
      parse(sc({"--json", "--config", other + "/mine.toml", "route", "set", "--input", "virtual"}));
  EXPECT_EQ(set["file"], other + "/route.toml");
  EXPECT_EQ(read(other + "/mine.toml"), text);
  EXPECT_EQ(std::distance(fs::directory_iterator(other), {}), 2);  // no temporary left
}

TEST_F(RouteShowSet, ClearForgetsAndRemovesTheFile) {
  ASSERT_EQ(sc({"route", "set", "--input", "virtual", "--output", "default"}).status, 0);
  auto set = parse(sc({"--json", "route", "set"}));
  EXPECT_EQ(set["changed"], false);
  EXPECT_EQ(set["output"]["spec"], "default");
  set = parse(sc({"--json", "route", "set", "--clear"}));
  EXPECT_EQ(set["input"], nullptr);
  EXPECT_EQ(set["output"], nullptr);
  EXPECT_FALSE(fs::exists(route_file()));
}

TEST_F(RouteShowSet, RefusesWhatItCannotStoreAndStoresNothing) {
  auto r = sc({"route", "set", "--input", "virtual", "--output", "99"});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_FALSE(fs::exists(route_file())) << "one bad SPEC must store nothing";
  r = sc({"route", "set", "--input", "virtual:bogus=1"});
  EXPECT_EQ(r.status, 64) << r.err;
  r = sc({"--json", "route", "set", "--input", ""});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_EQ(json::parse(r.out)["ok"], false);
  EXPECT_FALSE(fs::exists(route_file()));
}

TEST_F(RouteShowSet, AnUnwritablePlaceIsCannotCreateWithAHint) {
  // /sys takes no new files, even from root.
  auto r = sc({"--config", "/sys/config.toml", "route", "set", "--input", "virtual"});
  EXPECT_EQ(r.status, 73) << r.err;
  EXPECT_NE(r.err.find("/sys/route.toml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  // An explicit --config in a directory that does not exist is not created.
  r = sc({"--config", temp_dir() + "/no/such/config.toml", "route", "set", "--input", "virtual"});
  EXPECT_EQ(r.status, 73) << r.err;
}

TEST_F(RouteShowSet, AStoredDeviceThatIsGoneAndNoDefaultSaysBoth) {
  fs::create_directories(home_ + "/soundcheck");
  std::ofstream(route_file()) << "[input]\nspec = \"pulse:gone.monitor\"\n";
  auto r = sc({"route", "show", "--category", "record"});
  EXPECT_EQ(r.status, 66) << r.err;
  EXPECT_NE(r.err.find("pulse:gone.monitor"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("default"), std::string::npos) << r.err;
}

// With a PulseAudio of the test's own: devices stored by name, a stored device that goes
// away, port types from the server.
class PulseRouteShowSet : public RouteShowSet {
 protected:
  void SetUp() override {
    RouteShowSet::SetUp();
    server_ = std::make_unique<PrivatePulse>("pulseaudio");
    if (!server_->ok()) GTEST_SKIP() << server_->error();
    env_["PULSE_SERVER"] = server_->address();
    keep_module_ = server_->load_null_sink("sc_keep");
    gone_module_ = server_->load_null_sink("sc_gone");
    ASSERT_FALSE(keep_module_.empty() || gone_module_.empty()) << server_->error();
    ASSERT_EQ(server_->pactl({"set-default-source", "sc_keep.monitor"}).status, 0);
  }
  std::unique_ptr<PrivatePulse> server_;
  std::string keep_module_, gone_module_;
};

TEST_F(PulseRouteShowSet, DevicesAreStoredByNameEvenWhenGivenByIndex) {
  const auto list = parse(sc({"--json", "route", "list", "--api", "pulse"}));
  int index = -1;
  for (const auto& d : list["devices"])
    if (d["id"] == "sc_gone.monitor") index = d["index"];
  ASSERT_GE(index, 0) << list.dump(2);
  auto set = parse(sc(
      {"--json", "route", "set", "--input", std::to_string(index), "--output", "pulse:sc_gone"}));
  EXPECT_EQ(set["input"]["spec"], "pulse:sc_gone.monitor");
  EXPECT_EQ(set["input"]["id"], "sc_gone.monitor");
  EXPECT_EQ(set["output"]["spec"], "pulse:sc_gone");
  EXPECT_EQ(read(route_file()).find("spec = " + std::to_string(index)), std::string::npos);
  // Two matches are refused, listing them.
  auto r = sc({"route", "set", "--input", "pulse:sc_"});
  EXPECT_EQ(r.status, 64) << r.err;

  auto show = parse(sc({"--json", "route", "show", "--category", "playAndRecord"}));
  const auto& in = show["route"]["inputs"][0];
  EXPECT_EQ(in["id"], "sc_gone.monitor");
  EXPECT_EQ(in["port_type"], "Virtual") << in["port_type_reason"];
  EXPECT_EQ(in["measured"], true) << in.dump(2);
  EXPECT_TRUE(in["latency"].is_number());
  const auto& out = show["route"]["outputs"][0];
  EXPECT_EQ(out["id"], "sc_gone");
  EXPECT_EQ(out["port_type"], "Virtual") << out["port_type_reason"];
  EXPECT_EQ(out["channels"], 2);
}

TEST_F(PulseRouteShowSet, AStoredDeviceThatIsGoneGivesTheDefaultWithANotice) {
  ASSERT_EQ(sc({"route", "set", "--input", "pulse:sc_gone.monitor"}).status, 0);
  ASSERT_EQ(server_->pactl({"unload-module", gone_module_}).status, 0);

  auto r = sc({"--json", "route", "show", "--category", "record"});
  auto show = parse(r);
  const auto& in = show["route"]["inputs"][0];
  EXPECT_EQ(in["id"], "sc_keep.monitor") << show.dump(2);
  EXPECT_EQ(in["source"], "default");
  EXPECT_EQ(in["unavailable_preference"], "pulse:sc_gone.monitor");
  EXPECT_NE(r.err.find("preferred input 'pulse:sc_gone.monitor'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("using the default input"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  const std::string dir = temp_dir();
  r = sc({"--json", "record", "-d", "0.3", dir + "/take.wav"});
  auto rec = parse(r);
  EXPECT_EQ(rec["device"]["id"], "sc_keep.monitor") << rec.dump(2);
  EXPECT_NE(r.err.find("soundcheck record: preferred input 'pulse:sc_gone.monitor'"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace sc::test
