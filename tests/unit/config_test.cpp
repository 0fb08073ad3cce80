// The config file: named profiles, [route] preferences, resolution order, and errors that
// name the file, line and column.
#include "core/session/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/session/codes.h"

namespace sc {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sc-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& text) {
    const auto path = (dir_ / "config.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(ConfigTest, MissingDefaultFileIsEmpty) {
  auto c = load_config((dir_ / "none.toml").string(), false);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->profiles.empty());
}

TEST_F(ConfigTest, MissingExplicitFileIsNoInput) {
  auto c = load_config((dir_ / "none.toml").string(), true);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().exit, Exit::no_input);
  EXPECT_NE(c.error().message.find("none.toml"), std::string::npos);
}

TEST_F(ConfigTest, ProfilesAndRouteResolveInOrder) {
  auto path = write(R"(
[route]
input = "pulse:loop.monitor"

[profiles.interview]
category = "play-and-record"
mode = "voiceChat"
options = ["allowBluetooth", "defaultToSpeaker"]
preferred_rate = 48000
io_buffer = "5ms"
output = "pulse:Null"

[profiles.podcast]
category = "record"
options = "allowBluetooth"
preferred-rate = "44.1k"
)");
  auto c = load_config(path, true);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->profiles.size(), 2u);

  ProfileRequest req;
  req.profile_name = "interview";
  auto p = resolve_profile(*c, req, Category::record);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "interview");
  EXPECT_EQ(p->category, Category::playAndRecord);
  EXPECT_EQ(p->mode, Mode::voiceChat);
  EXPECT_EQ(p->options_value(), 0xcu);
  EXPECT_EQ(p->preferred_rate, 48000u);
  EXPECT_EQ(p->io_buffer, std::chrono::milliseconds(5));
  EXPECT_EQ(p->preferred_input, "pulse:loop.monitor");  // from [route]
  EXPECT_EQ(p->preferred_output, "pulse:Null");         // the profile's own

  // Flags override the profile's fields, one by one.
  req.flags.options = "mixWithOthers";
  req.flags.preferred_rate = "96000";
  req.background = true;
  p = resolve_profile(*c, req, Category::record);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->mode, Mode::voiceChat);
  EXPECT_EQ(p->options_value(), 0x1u);
  EXPECT_TRUE(is_mixable(*p));
  EXPECT_EQ(p->preferred_rate, 96000u);
  EXPECT_TRUE(p->background);

  ProfileRequest pod;
  pod.profile_name = "podcast";
  p = resolve_profile(*c, pod, Category::soloAmbient);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->preferred_rate, 44100u);
}

TEST_F(ConfigTest, FlagThatBreaksAProfileNamesBoth) {
  auto c = load_config(
      write("[profiles.talk]\ncategory = \"playAndRecord\"\noptions = \"defaultToSpeaker\"\n"),
      true);
  ProfileRequest req;
  req.profile_name = "talk";
  req.flags.category = "playback";
  auto p = resolve_profile(*c, req, Category::record);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().session->osstatus, -50);
  EXPECT_NE(p.error().message.find("defaultToSpeaker"), std::string::npos);
  EXPECT_NE(p.error().message.find("'talk'"), std::string::npos);
}

TEST_F(ConfigTest, UnknownProfileListsTheOthers) {
  auto c = load_config(write("[profiles.interview]\ncategory = \"record\"\n"), true);
  ProfileRequest req;
  req.profile_name = "intervew";
  auto p = resolve_profile(*c, req, Category::record);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().exit, Exit::usage);
  EXPECT_NE(p.error().hint.find("did you mean interview"), std::string::npos) << p.error().hint;
}

TEST_F(ConfigTest, BadValuesInTheFileNameTheirPlace) {
  auto rate = load_config(write("[profiles.x]\n\npreferred_rate = \"fast\"\n"), true);
  ProfileRequest rate_req;
  rate_req.profile_name = "x";
  auto rp = resolve_profile(*rate, rate_req, Category::record);
  ASSERT_FALSE(rp.ok());
  EXPECT_NE(rp.error().message.find("config.toml:3:1: profiles.x.preferred_rate: 'fast'"),
            std::string::npos)
      << rp.error().message;
  EXPECT_EQ(rp.error().message.find("--preferred-rate"), std::string::npos);
  auto c = load_config(write("[profiles.x]\ncategory = \"recrd\"\n"), true);
  ASSERT_TRUE(c.ok());
  ProfileRequest req;
  req.profile_name = "x";
  auto p = resolve_profile(*c, req, Category::record);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("profiles.x"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().hint.find("record"), std::string::npos);
}

TEST_F(ConfigTest, SyntaxErrorsAndUnknownKeysAreBadData) {
  struct Case {
    std::string text, expect;
  };
  for (const auto& c : std::vector<Case>{{"[profiles.x\ncategory = 1\n", ":1:"},
                                         {"[profiles.x]\ncatgory = \"record\"\n", ":2:"},
                                         {"[other]\n", "unknown section"},
                                         {"profiles = 3\n", "unknown section"},
                                         {"[profiles]\nx = 1\n", "not a table"},
                                         {"[route]\ncategory = \"record\"\n", "unknown key"},
                                         {"[profiles.x]\noptions = [1, 2]\n", "wrong type"}}) {
    SCOPED_TRACE(c.text);
    auto cfg = load_config(write(c.text), true);
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.error().exit, Exit::data);
    EXPECT_NE(cfg.error().message.find(c.expect), std::string::npos) << cfg.error().message;
    EXPECT_NE(cfg.error().message.find("config.toml"), std::string::npos);
  }
}

TEST_F(ConfigTest, DefaultPathFollowsXdg) {
  setenv("XDG_CONFIG_HOME", "/xdg", 1);
  EXPECT_EQ(default_config_path(), "/xdg/soundcheck/config.toml");
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_config_path(), "/home/u/.config/soundcheck/config.toml");
}

}  // namespace
}  // namespace sc
