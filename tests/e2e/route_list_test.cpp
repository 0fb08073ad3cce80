// `soundcheck route list` as users and scripts run it: the virtual device is always there,
// filters, --json, and nothing on stderr from the audio libraries whether or not a server
// runs. PulseRouteList needs PulseAudio (scripts/start-pulse starts it).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace sc::test {
namespace {

using json = nlohmann::json;

// Environments where no PulseAudio server can be reached.
const std::map<std::string, std::string> kNoPulse = {{"PULSE_SERVER", "unix:/nonexistent"}};

json devices_of(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["command"], "route list");
  EXPECT_TRUE(j["devices"].is_array());
  return j["devices"];
}

const json* find_api(const json& devices, const std::string& api) {
  for (const auto& d : devices)
    if (d["api"] == api) return &d;
  return nullptr;
}

TEST(RouteList, JsonListsEveryFieldAndTheVirtualDeviceLast) {
  const auto devices = devices_of(soundcheck({"--json", "route", "list"}));
  ASSERT_FALSE(devices.empty());
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    SCOPED_TRACE(d.dump());
    EXPECT_EQ(d["index"], i);
    for (const char* key : {"api", "name", "id", "input_channels", "output_channels", "rates",
                            "preferred_rate", "default_input", "default_output"})
      EXPECT_TRUE(d.contains(key)) << key;
    EXPECT_TRUE(d["rates"].is_array());
  }
  EXPECT_EQ(devices.back()["api"], "virtual");
  EXPECT_GT(devices.back()["input_channels"], 0);
}

TEST(RouteList, ApiVirtualListsOnlyIt) {
  for (const char* api : {"virtual", "VIRTUAL"}) {
    const auto devices = devices_of(soundcheck({"route", "list", "--api", api, "--json"}));
    ASSERT_EQ(devices.size(), 1u) << api;
    EXPECT_EQ(devices[0]["api"], "virtual");
  }
}

TEST(RouteList, AnUnknownApiIsAUsageErrorNamingTheApis) {
  auto r = soundcheck({"route", "list", "--api", "bogus"});
  EXPECT_EQ(r.status, 64);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unknown API 'bogus'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("virtual"), std::string::npos) << r.err;
  r = soundcheck({"route", "list", "--api", "pulsee"});
  EXPECT_EQ(r.status, 64);
  EXPECT_NE(r.err.find("did you mean pulse?"), std::string::npos) << r.err;
  r = soundcheck({"--json", "route", "list", "--api", "bogus"});
  EXPECT_EQ(r.status, 64);
  auto j = json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"]["code"], "usage");
}

TEST(RouteList, InputAndOutputFilter) {
  const auto all = devices_of(soundcheck({"--json", "route", "list"}));
  const auto inputs = devices_of(soundcheck({"--json", "route", "list", "--input"}));
  const auto outputs = devices_of(soundcheck({"--json", "route", "list", "--output"}));
  const auto both = devices_of(soundcheck({"--json", "route", "list", "--input", "--output"}));
  for (const auto& d : inputs) EXPECT_GT(d["input_channels"], 0) << d.dump();
  for (const auto& d : outputs) EXPECT_GT(d["output_channels"], 0) << d.dump();
  size_t n_in = 0;
  for (const auto& d : all) n_in += d["input_channels"] > 0;
  EXPECT_EQ(inputs.size(), n_in);
  EXPECT_EQ(both.size(), all.size());
  EXPECT_NE(find_api(inputs, "virtual"), nullptr);  // the virtual device has input
}

TEST(RouteList, TextIsATableOnStdout) {
  auto r = soundcheck({"route", "list"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("#  API", 0), 0u) << r.out;
  for (const char* column : {"NAME", "ID", "IN", "OUT", "RATES", "DEFAULT"})
    EXPECT_NE(r.out.find(column), std::string::npos) << column;
  EXPECT_NE(r.out.find("virtual"), std::string::npos) << r.out;
}

TEST(RouteList, WithoutAServerListsQuietly) {
  for (auto args : {std::vector<std::string>{"route", "list"},
                    std::vector<std::string>{"--json", "route", "list"}}) {
    auto r = soundcheck(args, kNoPulse);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "") << "the audio libraries printed on stderr";
  }
  const auto devices = devices_of(soundcheck({"--json", "route", "list"}, kNoPulse));
  EXPECT_EQ(find_api(devices, "pulse"), nullptr);
  EXPECT_NE(find_api(devices, "virtual"), nullptr);
}

TEST(RouteList, AnEmptyListSaysSoWithAHint) {
  auto r = soundcheck({"route", "list", "--api", "pulse"}, kNoPulse);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("no pulse devices"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scripts/start-pulse"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-D virtual"), std::string::npos) << r.out;
  const auto devices =
      devices_of(soundcheck({"--json", "route", "list", "--api", "pulse"}, kNoPulse));
  EXPECT_TRUE(devices.empty());
}

class PulseRouteList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"});
    ASSERT_EQ(r.status, 0) << "scripts/start-pulse failed:\n" << r.out << r.err;
    ASSERT_NE(r.out.find("soundcheck_loop.monitor"), std::string::npos) << r.out;
  }
};

TEST_F(PulseRouteList, TheNullSinksMonitorIsAnInput) {
  auto r = soundcheck({"--json", "route", "list", "--input", "--api", "pulse"});
  EXPECT_EQ(r.err, "");
  const auto devices = devices_of(r);
  const json* monitor = nullptr;
  for (const auto& d : devices)
    if (d["id"] == "soundcheck_loop.monitor") monitor = &d;
  ASSERT_NE(monitor, nullptr) << r.out;
  const json& m = *monitor;
  EXPECT_EQ(m["api"], "pulse");
  EXPECT_EQ(m["name"], "Monitor of soundcheck loopback");
  EXPECT_EQ(m["input_channels"], 2);
  EXPECT_EQ(m["output_channels"], 0);
  EXPECT_GT(m["preferred_rate"], 0);
}

TEST_F(PulseRouteList, TheNullSinkIsAnOutput) {
  const auto devices = devices_of(soundcheck({"--json", "route", "list", "--output"}));
  bool found = false;
  for (const auto& d : devices)
    if (d["id"] == "soundcheck_loop") {
      found = true;
      EXPECT_EQ(d["name"], "soundcheck loopback");
      EXPECT_EQ(d["output_channels"], 2);
    }
  EXPECT_TRUE(found);
}

TEST_F(PulseRouteList, TextShowsTheMonitorAndNothingOnStderr) {
  auto r = soundcheck({"route", "list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("soundcheck_loop.monitor"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Monitor of soundcheck loopback"), std::string::npos) << r.out;
}

TEST_F(PulseRouteList, StartPulseIsIdempotent) {
  auto r = run("/bin/bash", {source_dir() + "/scripts/start-pulse"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("PulseAudio is running"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("null sink soundcheck_loop present"), std::string::npos) << r.out;
  size_t sinks = 0;
  for (const auto& d : devices_of(soundcheck({"--json", "route", "list", "--output"})))
    sinks += d["id"] == "soundcheck_loop";
  EXPECT_EQ(sinks, 1u);
}

}  // namespace
}  // namespace sc::test
