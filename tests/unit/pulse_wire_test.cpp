// PulseAudio's native protocol values as soundcheck writes and reads them (pulse_wire.h): the
// bytes libpulse's tagstruct.c writes for the same values, and a reader that stops at the first
// value that is not what it expects instead of reading past it.
#include "core/audio/pulse_wire.h"

#include <gtest/gtest.h>

#include <vector>

namespace sc::audio::pulse::wire {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(PulseWire, CommandsStartWithTheirNumberAndTag) {
  Tags t(kCorkRecordStream, 7);
  t.u32(3).boolean(false);
  EXPECT_EQ(t.bytes(), (Bytes{'L', 0, 0, 0, 58, 'L', 0, 0, 0, 7, 'L', 0, 0, 0, 3, '0'}));
}

TEST(PulseWire, ValuesAreTypedAndBigEndian) {
  Tags t(kAuth, 0);
  const uint8_t cookie[3] = {1, 2, 3};
  t.str("ab").arbitrary(cookie, 3).u8(9).sample_spec(kS16le, 2, 48000).cvolume_norm(1);
  const Bytes want = {'L', 0,   0,   0, 8, 'L',  0,    0, 0, 0,  // command, tag
                      't', 'a', 'b', 0,                          // string
                      'x', 0,   0,   0, 3, 1,    2,    3,        // arbitrary
                      'B', 9,                                    // u8
                      'a', 3,   2,   0, 0, 0xbb, 0x80,           // s16le 2 ch 48000
                      'v', 1,   0,   1, 0, 0};                   // one channel at norm
  EXPECT_EQ(t.bytes(), want);
}

TEST(PulseWire, ChannelMapsAreLibpulsesDefaults) {
  auto map = [](uint8_t n) {
    Tags t(0, 0);
    t.channel_map(n);
    return Bytes(t.bytes().begin() + 10, t.bytes().end());
  };
  EXPECT_EQ(map(1), (Bytes{'m', 1, 0}));                         // mono
  EXPECT_EQ(map(2), (Bytes{'m', 2, 1, 2}));                      // front-left, front-right
  EXPECT_EQ(map(4), (Bytes{'m', 4, 1, 3, 2, 4}));                // left, center, right, rear
  EXPECT_EQ(map(8), (Bytes{'m', 8, 1, 8, 3, 2, 9, 4, 12, 13}));  // aux0, aux1 after six
}

TEST(PulseWire, APropertyListIsKeysLengthsAndBytesEndedByANullString) {
  Tags t(0, 0);
  t.props({{"k", "v"}});
  const Bytes want = {'P', 't', 'k', 0, 'L', 0, 0, 0, 2, 'x', 0, 0, 0, 2, 'v', 0, 'N'};
  EXPECT_EQ(Bytes(t.bytes().begin() + 10, t.bytes().end()), want);
  Reader r(t.bytes().data() + 10, t.bytes().size() - 10);
  r.skip_proplist();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(PulseWire, TheReaderReadsWhatTheWriterWrote) {
  Tags t(kReply, 5);
  t.u32(0xdeadbeef).str("name").u8(200).boolean(true).sample_spec(kFloat32le, 6, 44100);
  Reader r(t.bytes().data(), t.bytes().size());
  EXPECT_EQ(r.u32(), uint32_t{kReply});
  EXPECT_EQ(r.u32(), 5u);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.str(), "name");
  EXPECT_EQ(r.u8(), 200);
  EXPECT_TRUE(r.boolean());
  const auto spec = r.sample_spec();
  EXPECT_EQ(spec.format, kFloat32le);
  EXPECT_EQ(spec.channels, 6);
  EXPECT_EQ(spec.rate, 44100u);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(PulseWire, ANullStringIsNotAnError) {
  const Bytes b = {'N', 'L', 0, 0, 0, 1};
  Reader r(b.data(), b.size());
  EXPECT_EQ(r.str(), std::nullopt);
  EXPECT_EQ(r.u32(), 1u);
  EXPECT_TRUE(r.ok());
}

TEST(PulseWire, AnUnexpectedTypeStopsTheReaderForGood) {
  const Bytes b = {'t', 'a', 0, 'L', 0, 0, 0, 1};
  Reader r(b.data(), b.size());
  EXPECT_EQ(r.u32(), 0u);  // a string where a u32 was expected
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u32(), 0u);  // and nothing after it is read
  EXPECT_FALSE(r.ok());
}

TEST(PulseWire, ATruncatedValueIsAnErrorNotAnOverread) {
  const Bytes u32 = {'L', 0, 0};
  Reader a(u32.data(), u32.size());
  a.u32();
  EXPECT_FALSE(a.ok());
  const Bytes unterminated = {'t', 'a', 'b'};
  Reader b(unterminated.data(), unterminated.size());
  EXPECT_EQ(b.str(), std::nullopt);
  EXPECT_FALSE(b.ok());
  const Bytes volumes = {'v', 4, 0, 1, 0, 0};  // 4 channels announced, 1 present
  Reader c(volumes.data(), volumes.size());
  c.skip_cvolume();
  EXPECT_FALSE(c.ok());
  const Bytes props = {'P', 't', 'k', 0, 'L', 0, 0, 0, 9, 'x', 0, 0, 0, 2, 'v', 0, 'N'};
  Reader d(props.data(), props.size());  // the length and the bytes' own length disagree
  d.skip_proplist();
  EXPECT_FALSE(d.ok());
}

TEST(PulseWire, TheDescriptorCarriesLengthAndChannel) {
  uint8_t d[kDescriptorBytes];
  descriptor(d, 0x01020304, kControl);
  EXPECT_EQ(be32(d), 0x01020304u);
  EXPECT_EQ(be32(d + 4), kControl);
  EXPECT_EQ(be32(d + 8), 0u);
  EXPECT_EQ(be32(d + 12), 0u);
  EXPECT_EQ(be32(d + 16), 0u);
}

}  // namespace
}  // namespace sc::audio::pulse::wire
