// SPEC resolution (core/audio/device_match.h) over a fixed listing: no devices needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/audio/device_match.h"

namespace sc::audio {
namespace {

DeviceInfo dev(std::string api, std::string name, std::string id, unsigned in, unsigned out,
               bool def_in = false, bool def_out = false) {
  DeviceInfo d;
  d.api = std::move(api);
  d.name = std::move(name);
  d.id = std::move(id);
  d.input_channels = in;
  d.output_channels = out;
  d.default_input = def_in;
  d.default_output = def_out;
  return d;
}

// A machine with PulseAudio (two null sinks and speakers), an ALSA card and JACK.
std::vector<DeviceInfo> machine() {
  std::vector<DeviceInfo> v = {
      dev("pulse", "Monitor of Null Output", "loop.monitor", 2, 0, true),  // 0
      dev("pulse", "Null Output", "loop", 0, 2, false, true),              // 1
      dev("pulse", "Monitor of Null Output 2", "loop.monitor2", 2, 0),     // 2
      dev("pulse", "Monitor of Speakers", "speakers.monitor", 2, 0),       // 3
      dev("pulse", "Speakers", "speakers", 0, 2),                          // 4
      dev("alsa", "hw:HDA Intel PCH,0", "hw:0,0", 2, 2),                   // 5
      dev("alsa", "hw:HDA Intel HDMI,3", "hw:0,3", 0, 8),                  // 6
      dev("alsa", "default", "default", 32, 32, true, true),               // 7
      dev("jack", "system", "", 2, 2, true, true),                         // 8
      dev("virtual", "soundcheck virtual device", "virtual", 2, 2),        // 9
  };
  for (size_t i = 0; i < v.size(); ++i) v[i].index = static_cast<int>(i);
  return v;
}

// The devices of `apis` only, keeping their indexes.
std::vector<DeviceInfo> only(const std::vector<std::string>& apis) {
  std::vector<DeviceInfo> out;
  for (const auto& d : machine())
    if (std::find(apis.begin(), apis.end(), d.api) != apis.end()) out.push_back(d);
  return out;
}

struct Found {
  const char* spec;
  Direction dir;
  int index;  // DeviceInfo::index of the device chosen
};

std::ostream& operator<<(std::ostream& os, const Found& c) {
  return os << "'" << c.spec << "' for " << direction_name(c.dir);
}

class RegistrySpecFound : public ::testing::TestWithParam<Found> {};

TEST_P(RegistrySpecFound, ResolvesToTheDevice) {
  const auto devices = machine();
  auto r = match_device(devices, GetParam().spec, GetParam().dir);
  ASSERT_TRUE(r.ok()) << GetParam() << ": " << r.error().message << " / " << r.error().hint;
  EXPECT_EQ(devices[*r].index, GetParam().index) << GetParam();
}

constexpr auto in = Direction::input;
constexpr auto out = Direction::output;

INSTANTIATE_TEST_SUITE_P(
    Registry, RegistrySpecFound,
    ::testing::Values(
        // An exact name or id wins over the devices it is a substring of.
        Found{"Monitor of Null Output", in, 0}, Found{"monitor of null output", in, 0},
        Found{"loop.monitor", in, 0}, Found{"LOOP.MONITOR2", in, 2}, Found{"Speakers", out, 4},
        Found{"default", out, 1},
        // A unique substring of a name or of an id.
        Found{"speak", in, 3}, Found{"speak", out, 4}, Found{"PCH", in, 5}, Found{"hw:0,0", in, 5},
        Found{"hw:0", in, 5}, Found{"hdmi", out, 6}, Found{"  speak  ", in, 3},
        Found{"soundcheck virtual", in, 9},
        // Only devices that can do the direction: the sink's name finds its monitor.
        Found{"Null Output 2", in, 2}, Found{"Speakers", in, 3},
        // API:substring; an empty rest is that API's default.
        Found{"alsa:default", in, 7}, Found{"ALSA:hw:0", in, 5}, Found{"pulse:speak", in, 3},
        Found{"alsa:hw:0,0", out, 5}, Found{"jack:system", out, 8}, Found{"jack:", in, 8},
        Found{"pulse:", in, 0}, Found{"pulse:", out, 1}, Found{"alsa:", in, 7},
        Found{"virtual:soundcheck", in, 9},
        // An index.
        Found{"5", in, 5}, Found{"6", out, 6}, Found{"9", in, 9}, Found{"007", in, 7},
        // default: pulse's.
        Found{"default", in, 0}, Found{"DEFAULT", in, 0}));

TEST(RegistrySpecDefault, TakesTheFirstApiInOrderPulseJackAlsa) {
  auto no_pulse = only({"alsa", "jack", "virtual"});
  auto r = match_device(no_pulse, "default", Direction::input);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(no_pulse[*r].api, "jack");
  auto alsa = only({"alsa", "virtual"});
  r = match_device(alsa, "default", Direction::output);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(alsa[*r].name, "default");
}

TEST(RegistrySpecDefault, WithoutAFlaggedDefaultTakesTheApisFirstDevice) {
  auto v = only({"alsa", "virtual"});
  for (auto& d : v) d.default_input = d.default_output = false;
  auto r = match_device(v, "default", Direction::input);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(v[*r].id, "hw:0,0");
  r = match_device(v, "default", Direction::output);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(v[*r].id, "hw:0,0");
}

TEST(RegistrySpecDefault, NeverTheVirtualDevice) {
  auto r = match_device(only({"virtual"}), "default", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "no input device found");
  EXPECT_NE(r.error().hint.find("scripts/start-pulse"), std::string::npos) << r.error().hint;
  EXPECT_NE(r.error().hint.find("-D virtual"), std::string::npos) << r.error().hint;
}

TEST(RegistrySpecAmbiguous, IsAUsageErrorListingTheCandidates) {
  const auto devices = machine();
  auto r = match_device(devices, "Null", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::usage);
  EXPECT_EQ(r.error().message,
            "'Null' matches 2 input devices: [0] Monitor of Null Output (pulse, loop.monitor), "
            "[2] Monitor of Null Output 2 (pulse, loop.monitor2)");
  EXPECT_EQ(r.error().hint, "give more of the name, the index, or API:name");
}

TEST(RegistrySpecAmbiguous, AcrossApisAndWithAnApiPrefix) {
  const auto devices = machine();
  auto r = match_device(devices, "monitor", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::usage);
  EXPECT_NE(r.error().message.find("matches 3 input devices"), std::string::npos)
      << r.error().message;
  r = match_device(devices, "pulse:null", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::usage);
}

TEST(RegistrySpecAmbiguous, TwoExactMatchesAreAmbiguousToo) {
  auto devices = machine();
  devices.push_back(dev("alsa", "Monitor of Speakers", "", 2, 0));
  devices.back().index = 10;
  auto r = match_device(devices, "monitor of speakers", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::usage);
  EXPECT_NE(r.error().message.find("[3] Monitor of Speakers (pulse, speakers.monitor), [10] "
                                   "Monitor of Speakers (alsa)"),
            std::string::npos)
      << r.error().message;
  // The API prefix tells them apart.
  r = match_device(devices, "alsa:monitor of speakers", Direction::input);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(devices[*r].index, 10);
}

TEST(RegistrySpecNoMatch, IsNoInputWithCloseNames) {
  auto r = match_device(machine(), "speekers", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "no input device matches 'speekers'");
  EXPECT_NE(r.error().hint.find("did you mean"), std::string::npos) << r.error().hint;
  EXPECT_NE(r.error().hint.find("speakers.monitor"), std::string::npos) << r.error().hint;
  EXPECT_NE(r.error().hint.find("see 'soundcheck route list --input'"), std::string::npos)
      << r.error().hint;
}

TEST(RegistrySpecNoMatch, NothingCloseStillPointsToRouteList) {
  auto r = match_device(machine(), "xyz", Direction::output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "no output device matches 'xyz'");
  EXPECT_EQ(r.error().hint, "see 'soundcheck route list --output'");
}

TEST(RegistrySpecNoMatch, AnApiWithoutDevicesSaysSo) {
  auto r = match_device(only({"pulse", "virtual"}), "jack:system", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_NE(r.error().hint.find("there is no jack input device here"), std::string::npos)
      << r.error().hint;
}

TEST(RegistrySpecDirection, ADeviceThatCannotDoItIsNamedInTheHint) {
  auto r = match_device(machine(), "hw:HDA Intel HDMI,3", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "no input device matches 'hw:HDA Intel HDMI,3'");
  EXPECT_NE(r.error().hint.find("'hw:HDA Intel HDMI,3' (alsa) has no input channels"),
            std::string::npos)
      << r.error().hint;
}

TEST(RegistrySpecDirection, AnIndexOfASinkPointsToItsMonitor) {
  auto r = match_device(machine(), "1", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "device 1 'Null Output' (pulse) has no input channels");
  EXPECT_EQ(r.error().hint,
            "'Null Output' (pulse) has no input channels; its monitor 'Monitor of Null Output' "
            "does (-D loop.monitor)");
}

TEST(RegistrySpecDirection, AMonitorHasNoOutput) {
  auto r = match_device(machine(), "loop.monitor", Direction::output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_NE(r.error().hint.find("has no output channels"), std::string::npos) << r.error().hint;
}

TEST(RegistrySpecIndex, OutOfRangeIsNoInput) {
  auto r = match_device(machine(), "42", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_EQ(r.error().message, "no device has index 42");
  EXPECT_EQ(r.error().hint, "indexes go from 0 to 9; see 'soundcheck route list --input'");
  r = match_device(machine(), "99999999999999999999", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
}

TEST(RegistrySpecEmpty, IsAUsageError) {
  for (const char* spec : {"", "   "}) {
    auto r = match_device(machine(), spec, Direction::input);
    ASSERT_FALSE(r.ok()) << "'" << spec << "'";
    EXPECT_EQ(r.error().exit, Exit::usage);
  }
}

TEST(RegistrySpecEmpty, AnEmptyListingFindsNothing) {
  const std::vector<DeviceInfo> none;
  auto r = match_device(none, "anything", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
  EXPECT_NE(r.error().hint.find("scripts/start-pulse"), std::string::npos) << r.error().hint;
  r = match_device(none, "0", Direction::input);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::no_input);
}

}  // namespace
}  // namespace sc::audio
