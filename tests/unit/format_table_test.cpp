// The format table and choose_format (formats/format_table.h).
#include "formats/format_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sc::formats {
namespace {

TEST(FormatTable, EveryContainerIsInItsOwnRowWithItsExtensionAndDefault) {
  ASSERT_EQ(containers().size(), 4u);
  for (size_t i = 0; i < containers().size(); ++i) {
    const ContainerInfo& c = containers()[i];
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(static_cast<size_t>(c.container), i);
    EXPECT_EQ(&info(c.container), &c);
    ASSERT_FALSE(c.extensions.empty());
    EXPECT_EQ(c.extensions.front(), "." + std::string(c.name));
    EXPECT_NE(std::find(c.codecs.begin(), c.codecs.end(), c.default_codec), c.codecs.end());
    EXPECT_FALSE(c.library.empty());
    EXPECT_FALSE(c.description.empty());
  }
  EXPECT_EQ(info(Container::wav).codecs.size(), pcm_codecs().size());
  EXPECT_EQ(info(Container::caf).codecs.size(), all_codecs().size());
  EXPECT_EQ(info(Container::m4a).default_codec, Codec::aac);
}

TEST(FormatTable, CodecNamesAndBits) {
  struct Case {
    Codec codec;
    const char* name;
    unsigned bits;
    bool pcm;
  };
  const Case cases[] = {{Codec::pcm16, "pcm16", 16, true},   {Codec::pcm24, "pcm24", 24, true},
                        {Codec::pcm32, "pcm32", 32, true},   {Codec::float32, "float32", 32, true},
                        {Codec::aac, "aac", 0, false},       {Codec::alac, "alac", 16, false},
                        {Codec::alac24, "alac24", 24, false}};
  ASSERT_EQ(all_codecs().size(), std::size(cases));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(name(c.codec), c.name);
    EXPECT_EQ(bits(c.codec), c.bits);
    EXPECT_EQ(is_pcm(c.codec), c.pcm);
  }
}

TEST(FormatTable, AacBitrateRangeFollowsRateAndChannels) {
  EXPECT_EQ(aac_bitrate_range(22050, 1).max, 132300u);  // the seed's AVAudioRecorder settings
  EXPECT_EQ(aac_bitrate_range(22050, 1).min, 8000u);
  EXPECT_EQ(aac_bitrate_range(48000, 2).max, 576000u);
  EXPECT_EQ(aac_bitrate(0, 48000, 2), 128000u);  // 64k per channel
  EXPECT_EQ(aac_bitrate(0, 8000, 1), 48000u);    // clamped to what 8 kHz carries
  EXPECT_EQ(aac_bitrate(96000, 48000, 1), 96000u);
}

TEST(FormatTable, CheckFormatNamesWhatIsAllowed) {
  const FormatChoice aac{Container::m4a, Codec::aac, 0};
  EXPECT_TRUE(check_format(aac, 22050, 1, "'a.m4a'").ok());
  auto high = check_format({Container::m4a, Codec::aac, 320000}, 22050, 1, "'a.m4a'");
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().exit, Exit::usage);
  EXPECT_EQ(high.error().message,
            "cannot write 'a.m4a': aac at 22050 Hz with 1 channel takes 8000 to 132300 b/s, not "
            "320000");
  EXPECT_EQ(high.error().hint, "give -b from 8k to 132k");
  EXPECT_FALSE(check_format({Container::m4a, Codec::aac, 7000}, 48000, 1, "x").ok());
  auto rate = check_format(aac, 44000, 1, "x");
  ASSERT_FALSE(rate.ok());
  EXPECT_NE(rate.error().hint.find("44100"), std::string::npos) << rate.error().hint;
  EXPECT_FALSE(check_format({Container::caf, Codec::alac, 0}, 48000, 9, "x").ok());
  EXPECT_TRUE(check_format({Container::caf, Codec::alac24, 0}, 44100, 8, "x").ok());
  EXPECT_TRUE(check_format({Container::wav, Codec::pcm16, 0}, 44100, 64, "x").ok());
}

TEST(FormatTable, ParseBitrate) {
  EXPECT_EQ(*parse_bitrate("64k"), 64000u);
  EXPECT_EQ(*parse_bitrate("128000"), 128000u);
  EXPECT_EQ(*parse_bitrate("96.5K"), 96500u);
  for (const char* bad : {"", "k", "-64k", "64kb", "1e9", "0", "0.5"}) {
    SCOPED_TRACE(bad);
    auto r = parse_bitrate(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().exit, Exit::usage);
  }
}

struct ChoiceCase {
  const char* path;
  const char* format;
  const char* codec;
  Container container;
  Codec want_codec;
};

TEST(FormatChoose, Accepts) {
  const ChoiceCase cases[] = {
      {"take.wav", "", "", Container::wav, Codec::pcm16},
      {"take.WAV", "", "", Container::wav, Codec::pcm16},
      {"dir.caf/take.Rf64", "", "", Container::rf64, Codec::pcm16},
      {"x/y/take.caf", "", "float32", Container::caf, Codec::float32},
      {"take.caf", "wav", "", Container::wav, Codec::pcm16},  // -f wins over the name
      {"take", "RF64", "PCM24", Container::rf64, Codec::pcm24},
      {"-", "caf", "pcm32", Container::caf, Codec::pcm32},
      {"-", "Wav", "pcm-16", Container::wav, Codec::pcm16},
      {"take.wav", "", "Float32", Container::wav, Codec::float32},
      {"take.m4a", "", "", Container::m4a, Codec::aac},
      {"take.mp4", "", "alac", Container::m4a, Codec::alac},
      {"take.caf", "", "aac", Container::caf, Codec::aac},
      {"take.caf", "", "alac24", Container::caf, Codec::alac24},
      {"-", "m4a", "", Container::m4a, Codec::aac},
  };
  for (const ChoiceCase& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "path '" << c.path << "' -f '" << c.format << "' -e '" << c.codec << "'");
    auto r = choose_format(c.path, c.format, c.codec);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->container, c.container);
    EXPECT_EQ(r->codec, c.want_codec);
  }
}

TEST(FormatChoose, RejectsWithMessageAndHint) {
  struct Case {
    const char* path;
    const char* format;
    const char* codec;
    const char* message;
    const char* hint;
  };
  const Case cases[] = {
      {"-", "", "", "writing to stdout needs --format", "give --format wav, rf64, caf or m4a"},
      {"take.mp3", "", "", "cannot tell the format of 'take.mp3': unknown extension '.mp3'",
       "give --format wav|rf64|caf|m4a or a name ending in .wav, .rf64, .caf, .m4a or .mp4"},
      {"my.dir/take", "", "", "cannot tell the format of 'my.dir/take': it has no extension",
       "give --format wav|rf64|caf|m4a or a name ending in .wav, .rf64, .caf, .m4a or .mp4"},
      {"take.wav", "mp3", "", "unknown format 'mp3'", "valid formats: wav, rf64, caf or m4a"},
      {"take.wav", "", "pcm8", "unknown codec 'pcm8'", "wav takes pcm16, pcm24, pcm32 or float32"},
      {"take.wav", "", "aac", "format wav does not take codec aac",
       "wav takes pcm16, pcm24, pcm32 or float32"},
      {"take.m4a", "", "float32", "format m4a does not take codec float32",
       "m4a takes aac, alac or alac24"},
      {"-", "caf", "aac",
       "an aac CAF cannot go to stdout: no reader plays it without the packet table written at "
       "its end",
       "use -f m4a (fragmented MP4 plays from a pipe), a PCM codec, or record to a file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "path '" << c.path << "' -f '" << c.format << "' -e '" << c.codec << "'");
    auto r = choose_format(c.path, c.format, c.codec);
    ASSERT_FALSE(r.ok()) << name(r->codec);
    EXPECT_EQ(r.error().exit, Exit::usage);
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().hint, c.hint);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(r.error().hint.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace sc::formats
