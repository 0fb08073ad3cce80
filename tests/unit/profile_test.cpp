// Validity of every category x option and category x mode pair, against the tables of
// SESSION-MODEL.md transcribed here independently of core/session/profile.cpp.
#include "core/session/profile.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/session/codes.h"

namespace sc {
namespace {

const std::map<std::string, std::set<std::string>> kOptionTable = {
    {"mixWithOthers", {"playAndRecord", "playback", "multiRoute"}},
    {"duckOthers", {"ambient", "playAndRecord", "playback", "multiRoute"}},
    {"allowBluetooth", {"record", "playAndRecord"}},
    {"defaultToSpeaker", {"playAndRecord"}},
    {"interruptSpokenAudioAndMixWithOthers", {"playAndRecord", "playback", "multiRoute"}},
    {"allowBluetoothA2DP", {"playAndRecord"}},
    {"allowAirPlay", {"playAndRecord"}},
    {"overrideMutedMicrophoneInterruption", {"record", "playAndRecord"}},
};
const std::map<std::string, uint32_t> kOptionBits = {
    {"mixWithOthers", 0x1},
    {"duckOthers", 0x2},
    {"allowBluetooth", 0x4},
    {"defaultToSpeaker", 0x8},
    {"interruptSpokenAudioAndMixWithOthers", 0x11},
    {"allowBluetoothA2DP", 0x20},
    {"allowAirPlay", 0x40},
    {"overrideMutedMicrophoneInterruption", 0x80},
};
const std::set<std::string> kAllCategories = {"ambient", "soloAmbient",   "playback",
                                              "record",  "playAndRecord", "multiRoute"};
const std::map<std::string, std::set<std::string>> kModeTable = {
    {"default", kAllCategories},
    {"voiceChat", {"playAndRecord"}},
    {"videoChat", {"playAndRecord"}},
    {"gameChat", {"playAndRecord"}},
    {"videoRecording", {"record", "playAndRecord"}},
    {"measurement", {"record", "playAndRecord", "playback"}},
    {"moviePlayback", {"playback"}},
    {"spokenAudio", {"playback"}},
    {"voicePrompt", {"playback", "playAndRecord"}},
};

TEST(Profile, TablesCoverEveryName) {
  EXPECT_EQ(all_categories().size(), kAllCategories.size());
  EXPECT_EQ(all_options().size(), kOptionTable.size());
  EXPECT_EQ(all_modes().size(), kModeTable.size());
}

TEST(Profile, EveryCategoryOptionPair) {
  for (const auto& cat : kAllCategories) {
    for (const auto& [opt, valid] : kOptionTable) {
      SCOPED_TRACE("category " + cat + ", option " + opt);
      Profile p;
      p.category = *parse_category(cat);
      p.options = {*parse_option(opt)};
      EXPECT_EQ(p.options_value(), kOptionBits.at(opt));
      const bool expect_ok = valid.count(cat) > 0;
      auto s = validate(p);
      ASSERT_EQ(s.ok(), expect_ok);
      if (!expect_ok) {
        const Error& e = s.error();
        EXPECT_EQ(e.exit, Exit::usage);
        ASSERT_NE(e.session, nullptr);
        EXPECT_EQ(e.session->osstatus, -50);
        EXPECT_NE(e.message.find(opt), std::string::npos) << e.message;
        EXPECT_NE(e.message.find(cat), std::string::npos) << e.message;
        for (const auto& v : valid) EXPECT_NE(e.hint.find(v), std::string::npos) << e.hint;
      }
    }
  }
}

TEST(Profile, EveryCategoryModePair) {
  for (const auto& cat : kAllCategories) {
    for (const auto& [mode, valid] : kModeTable) {
      SCOPED_TRACE("category " + cat + ", mode " + mode);
      Profile p;
      p.category = *parse_category(cat);
      p.mode = *parse_mode(mode);
      const bool expect_ok = valid.count(cat) > 0;
      auto s = validate(p);
      ASSERT_EQ(s.ok(), expect_ok);
      if (!expect_ok) {
        EXPECT_EQ(s.error().session->osstatus, -50);
        EXPECT_NE(s.error().message.find("mode " + mode), std::string::npos);
        for (const auto& v : valid) EXPECT_NE(s.error().hint.find(v), std::string::npos);
      }
    }
  }
}

TEST(Profile, NamesInEverySpelling) {
  struct Case {
    std::string input;
    Category want;
  };
  for (const auto& c :
       std::vector<Case>{{"playAndRecord", Category::playAndRecord},
                         {"play-and-record", Category::playAndRecord},
                         {"PLAY_AND_RECORD", Category::playAndRecord},
                         {"playandrecord", Category::playAndRecord},
                         {"AVAudioSessionCategoryPlayAndRecord", Category::playAndRecord},
                         {"solo-ambient", Category::soloAmbient},
                         {"multiroute", Category::multiRoute}}) {
    SCOPED_TRACE(c.input);
    auto r = parse_category(c.input);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, c.want);
  }
  EXPECT_EQ(*parse_option("allow-bluetooth-a2dp"), CategoryOption::allowBluetoothA2DP);
  EXPECT_EQ(*parse_option("allowBluetoothHFP"), CategoryOption::allowBluetooth);
  EXPECT_EQ(*parse_option("AVAudioSessionCategoryOptionMixWithOthers"),
            CategoryOption::mixWithOthers);
  EXPECT_EQ(*parse_mode("voice-chat"), Mode::voiceChat);
  EXPECT_EQ(*parse_mode("AVAudioSessionModeMeasurement"), Mode::measurement);
  EXPECT_EQ(*parse_mode("Default"), Mode::defaultMode);
}

TEST(Profile, UnknownNamesAreBadParamWithSuggestion) {
  auto r = parse_category("playandrecrd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().exit, Exit::usage);
  EXPECT_EQ(r.error().session->osstatus, -50);
  EXPECT_NE(r.error().hint.find("did you mean playAndRecord"), std::string::npos) << r.error().hint;
  auto o = parse_options("mixWithOthers,duckOther");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("duckOther"), std::string::npos);
  EXPECT_NE(o.error().hint.find("duckOthers"), std::string::npos);
}

TEST(Profile, OptionListsKeepOrderAndDropDuplicates) {
  auto o = parse_options(" defaultToSpeaker, allow-bluetooth,,defaultToSpeaker ");
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->size(), 2u);
  EXPECT_EQ((*o)[0], CategoryOption::defaultToSpeaker);
  EXPECT_EQ((*o)[1], CategoryOption::allowBluetooth);
  EXPECT_TRUE(parse_options("")->empty());
}

TEST(Profile, MixableFollowsRuleOne) {
  struct Case {
    std::string cat, opts;
    bool mixable;
  };
  for (const auto& c :
       std::vector<Case>{{"ambient", "", true},
                         {"ambient", "duckOthers", true},
                         {"soloAmbient", "", false},
                         {"playback", "", false},
                         {"playback", "mixWithOthers", true},
                         {"playback", "duckOthers", true},
                         {"playback", "interruptSpokenAudioAndMixWithOthers", true},
                         {"playAndRecord", "defaultToSpeaker,allowBluetooth", false},
                         {"playAndRecord", "mixWithOthers,defaultToSpeaker", true},
                         {"record", "", false},
                         {"record", "allowBluetooth", false},
                         {"multiRoute", "duckOthers", true}}) {
    SCOPED_TRACE(c.cat + " " + c.opts);
    Profile p;
    p.category = *parse_category(c.cat);
    p.options = *parse_options(c.opts);
    ASSERT_TRUE(validate(p).ok());
    EXPECT_EQ(is_mixable(p), c.mixable);
  }
}

TEST(Profile, InputOutputPerCategory) {
  EXPECT_TRUE(has_input(Category::record) && !has_output(Category::record));
  EXPECT_TRUE(has_input(Category::playAndRecord) && has_output(Category::playAndRecord));
  EXPECT_TRUE(has_input(Category::multiRoute) && has_output(Category::multiRoute));
  for (auto c : {Category::ambient, Category::soloAmbient, Category::playback})
    EXPECT_TRUE(!has_input(c) && has_output(c));
}

TEST(Profile, Preferences) {
  EXPECT_EQ(*parse_rate("48000", "x"), 48000u);
  EXPECT_EQ(*parse_rate("44.1k", "x"), 44100u);
  EXPECT_EQ(*parse_rate("96kHz", "x"), 96000u);  // "kHz": k then Hz
  for (const char* bad : {"", "abc", "0", "-48000", "44.1", "1e9", "48000.5", "48k1"}) {
    SCOPED_TRACE(bad);
    auto r = parse_rate(bad, "--preferred-rate");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().exit, Exit::usage);
    EXPECT_NE(r.error().message.find("--preferred-rate"), std::string::npos);
  }
  EXPECT_EQ(*parse_io_buffer("5ms", "x"), std::chrono::milliseconds(5));
  EXPECT_EQ(*parse_io_buffer("0.005", "x"), std::chrono::milliseconds(5));
  EXPECT_FALSE(parse_io_buffer("2s", "x").ok());
  EXPECT_FALSE(parse_io_buffer("0", "x").ok());
}

}  // namespace
}  // namespace sc
