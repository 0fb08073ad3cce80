// The format table and choose_format (formats/format_table.h).
#include "formats/format_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sc::formats {
namespace {

TEST(FormatTable, EveryContainerIsInItsOwnRowWithItsExtensionAndDefault) {
  ASSERT_EQ(containers().size(), 3u);
  for (size_t i = 0; i < containers().size(); ++i) {
    const ContainerInfo& c = containers()[i];
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(static_cast<size_t>(c.container), i);
    EXPECT_EQ(&info(c.container), &c);
    ASSERT_FALSE(c.extensions.empty());
    EXPECT_EQ(c.extensions.front(), "." + std::string(c.name));
    EXPECT_EQ(c.codecs.size(), all_codecs().size());
    EXPECT_EQ(c.default_codec, Codec::pcm16);
    EXPECT_EQ(c.library, "libsndfile");
    EXPECT_FALSE(c.description.empty());
  }
}

TEST(FormatTable, CodecNamesAndBits) {
  struct Case {
    Codec codec;
    const char* name;
    unsigned bits;
  };
  const Case cases[] = {{Codec::pcm16, "pcm16", 16},
                        {Codec::pcm24, "pcm24", 24},
                        {Codec::pcm32, "pcm32", 32},
                        {Codec::float32, "float32", 32}};
  ASSERT_EQ(all_codecs().size(), std::size(cases));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(name(c.codec), c.name);
    EXPECT_EQ(bits(c.codec), c.bits);
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
      {"-", "", "", "writing to stdout needs --format", "give --format wav, rf64 or caf"},
      {"take.mp3", "", "", "cannot tell the format of 'take.mp3': unknown extension '.mp3'",
       "give --format wav|rf64|caf or a name ending in .wav, .rf64 or .caf"},
      {"my.dir/take", "", "", "cannot tell the format of 'my.dir/take': it has no extension",
       "give --format wav|rf64|caf or a name ending in .wav, .rf64 or .caf"},
      {"take.wav", "mp3", "", "unknown format 'mp3'", "valid formats: wav, rf64 or caf"},
      {"take.wav", "", "pcm8", "unknown codec 'pcm8'", "wav takes pcm16, pcm24, pcm32 or float32"},
      {"-", "caf", "aac", "unknown codec 'aac'", "caf takes pcm16, pcm24, pcm32 or float32"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "path '" << c.path << "' -f '" << c.format << "' -e '" << c.codec << "'");
    auto r = choose_format(c.path, c.format, c.codec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().exit, Exit::usage);
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().hint, c.hint);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(r.error().hint.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace sc::formats
