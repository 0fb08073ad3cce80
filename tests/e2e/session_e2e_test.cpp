// `soundcheck session check` and `session decode` run as a user would: exit statuses, the
// one-line message and hint, and JSON that parses with the fields CLI.md promises.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>

#include "tests/support/run.h"

namespace sc::test {
namespace {

using nlohmann::json;

json parse_json(const RunResult& r) {
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON: " << e.what() << "\n" << r.out;
    return {};
  }
}

// Every failure: the message is one line starting with "soundcheck", then one hint line.
void expect_one_line_error(const RunResult& r) {
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.rfind("soundcheck", 0), 0u) << r.err;
  const auto first_nl = r.err.find('\n');
  EXPECT_EQ(r.err.substr(first_nl + 1, 6), "hint: ") << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
}

TEST(SessionCheck, DefaultToSpeakerWithPlaybackIsBadParam) {
  auto r =
      soundcheck({"session", "check", "--category", "playback", "--options", "defaultToSpeaker"});
  EXPECT_EQ(r.status, 64);
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("-50"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("playAndRecord"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(SessionCheck, BadParamAsJson) {
  auto r = soundcheck(
      {"--json", "session", "check", "--category", "playback", "--options", "defaultToSpeaker"});
  EXPECT_EQ(r.status, 64);
  auto j = parse_json(r);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"]["code"], "badParam");
  EXPECT_EQ(j["error"]["osstatus"], -50);
  EXPECT_TRUE(j["error"]["fourcc"].is_null());
  EXPECT_EQ(j["error"]["exit"], 64);
  EXPECT_NE(j["error"]["hint"].get<std::string>().find("playAndRecord"), std::string::npos);
}

TEST(SessionCheck, ResolvedProfileAsJson) {
  auto r = soundcheck({"--json", "session", "check", "--category", "play-and-record", "--mode",
                       "voiceChat", "--options", "default-to-speaker,allowBluetooth"});
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = parse_json(r);
  EXPECT_EQ(j["ok"], true);
  const auto& p = j["profile"];
  EXPECT_EQ(p["category"], "playAndRecord");
  EXPECT_EQ(p["mode"], "voiceChat");
  EXPECT_EQ(p["options"], json({"defaultToSpeaker", "allowBluetooth"}));
  EXPECT_EQ(p["options_value"], 12);
  EXPECT_EQ(p["mixable"], false);
  EXPECT_EQ(p["input"], true);
  EXPECT_EQ(p["output"], true);
}

TEST(SessionCheck, TextOutputForPeople) {
  auto r = soundcheck({"session", "check", "--category", "playAndRecord", "--options",
                       "mixWithOthers", "--background"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("category     playAndRecord"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mixable      yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("setMode"), std::string::npos) << r.out;  // the iOS note
}

TEST(SessionCheck, BackgroundNonMixableGetsTheIntNote) {
  auto r =
      soundcheck({"--json", "session", "check", "--category", "playAndRecord", "--background"});
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = parse_json(r);
  EXPECT_NE(j["notes"].dump().find("560557684"), std::string::npos) << j.dump();
}

TEST(SessionCheck, NamedProfileFromConfig) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/c.toml") << "[profiles.talk]\ncategory = \"playAndRecord\"\n"
                                    "options = [\"mixWithOthers\"]\nio_buffer = \"10ms\"\n";
  auto r = soundcheck({"--json", "--config", dir + "/c.toml", "session", "check", "--profile",
                       "talk", "--mode", "videoChat"});
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = parse_json(r);
  EXPECT_EQ(j["profile"]["name"], "talk");
  EXPECT_EQ(j["profile"]["mode"], "videoChat");
  EXPECT_EQ(j["profile"]["mixable"], true);
  EXPECT_DOUBLE_EQ(j["profile"]["io_buffer_s"].get<double>(), 0.01);
}

TEST(SessionCheck, DefaultConfigFromXdg) {
  const std::string dir = temp_dir();
  std::filesystem::create_directories(dir + "/soundcheck");
  std::ofstream(dir + "/soundcheck/config.toml") << "[profiles.rec]\ncategory = \"record\"\n";
  auto r =
      soundcheck({"--json", "session", "check", "--profile", "rec"}, {{"XDG_CONFIG_HOME", dir}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(parse_json(r)["profile"]["category"], "record");
}

TEST(SessionCheck, ConfigErrors) {
  const std::string dir = temp_dir();
  auto missing = soundcheck({"--config", dir + "/nope.toml", "session", "check"});
  EXPECT_EQ(missing.status, 66);
  expect_one_line_error(missing);
  std::ofstream(dir + "/bad.toml") << "[profiles.x\n";
  auto bad = soundcheck({"--config", dir + "/bad.toml", "session", "check"});
  EXPECT_EQ(bad.status, 65);
  expect_one_line_error(bad);
  EXPECT_NE(bad.err.find("bad.toml:1:"), std::string::npos) << bad.err;
}

TEST(SessionDecode, FiveFormsInOrder) {
  auto r = soundcheck({"--json", "session", "decode", "560557684", "0x21707269", "!rec",
                       "insufficientPriority", "-50"});
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = parse_json(r);
  ASSERT_EQ(j["codes"].size(), 5u);
  const std::vector<std::string> names = {"cannotInterruptOthers", "insufficientPriority",
                                          "cannotStartRecording", "insufficientPriority",
                                          "badParam"};
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const auto& c = j["codes"][i];
    EXPECT_EQ(c["name"], names[i]);
    for (const char* key : {"fourcc", "osstatus", "meaning", "cause", "fix"})
      EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(j["codes"][0]["fourcc"], "!int");
  EXPECT_EQ(j["codes"][0]["osstatus"], 560557684);
  EXPECT_EQ(j["codes"][1]["osstatus"], 561017449);
  EXPECT_EQ(j["codes"][4]["osstatus"], -50);
}

TEST(SessionDecode, TextSaysCauseAndFix) {
  auto r = soundcheck({"session", "decode", "560557684"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("cannotInterruptOthers"), std::string::npos);
  EXPECT_NE(r.out.find("'!int'"), std::string::npos);
  EXPECT_NE(r.out.find("cause:"), std::string::npos);
  EXPECT_NE(r.out.find("mixWithOthers"), std::string::npos);  // the fix
}

TEST(SessionDecode, UnknownCodeIsUsage) {
  auto r = soundcheck({"session", "decode", "12345"});
  EXPECT_EQ(r.status, 64);
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("hex"), std::string::npos);
  auto j = soundcheck({"--json", "session", "decode", "!int", "bogus"});
  EXPECT_EQ(j.status, 64);
  auto doc = parse_json(j);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["codes"].size(), 1u);
  EXPECT_EQ(doc["error"]["code"], "usage");
}

TEST(SessionDecode, ListsEveryCode) {
  auto r = soundcheck({"--json", "session", "decode", "--list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(parse_json(r)["codes"].size(), 15u);
}

TEST(Cli, UsageErrorsExit64WithAHint) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"session", "check", "--bogus"},
                                             {"session", "check", "--category", "recrd"},
                                             {"session", "check", "--preferred-rate", "fast"},
                                             {"session", "check", "--io-buffer", "5q"},
                                             {"session", "check", "--category"},
                                             {"session", "frobnicate"},
                                             {"nonsense"},
                                             {}}) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    auto r = soundcheck(args);
    EXPECT_EQ(r.status, 64);
    expect_one_line_error(r);
    auto j = soundcheck([&] {
      auto a = args;
      a.insert(a.begin(), "--json");
      return a;
    }());
    EXPECT_EQ(j.status, 64);
    EXPECT_EQ(parse_json(j)["ok"], false);
  }
}

TEST(Cli, HelpAndVersionGoToStdoutWithZero) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"session", "--help"}, {"session", "check", "-h"}, {"--version"}}) {
    auto r = soundcheck(args);
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.out.empty());
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  auto vj = soundcheck({"--json", "--version"});
  EXPECT_EQ(vj.status, 0);
  for (const char* lib : {"libsndfile", "libavutil", "libswresample", "libavcodec", "libavformat",
                          "libpulse", "rtaudio"}) {
    const auto libs = parse_json(vj)["libraries"];
    ASSERT_TRUE(libs.contains(lib)) << lib;
    // A run-time version for each, not "not loadable".
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(libs[lib].get<std::string>()[0]))) << lib;
  }
  auto v = soundcheck({"--version"});
  EXPECT_EQ(v.out.rfind("soundcheck ", 0), 0u);
  for (const char* lib : {"libsndfile", "libavutil", "libswresample", "libpulse", "RtAudio"})
    EXPECT_NE(v.out.find(lib), std::string::npos) << lib;
}

}  // namespace
}  // namespace sc::test
