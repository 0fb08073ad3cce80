// AAC and ALAC in CAF (formats/caf/caf_packet_writer.cpp): round trips decoded by FFmpeg in
// this process and by libsndfile, ALAC bit-exact to the PCM quantization, AAC's pitch and
// level, ffprobe/ffmpeg clean, the packet table and the journal's life.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "formats/caf/packet_journal.h"
#include "formats/inspect/modules.h"
#include "formats/new_file.h"
#include "formats/pcm_encode.h"
#include "formats/writer.h"
#include "tests/support/decode.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/caf_test_util.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;
using sc::test::TempDir;

struct Case {
  Codec codec;
  unsigned channels;
  unsigned rate;
};

std::string name_of(const Case& c) {
  return fmt::format("{} {}ch {} Hz", name(c.codec), c.channels, c.rate);
}

// The sample the PCM writers would store for `x`, as FFmpeg's decoder gives it back (alac:
// 16-bit; alac24: the 24 bits in the top of an int32).
int32_t quantized(Codec codec, float x) {
  return codec == Codec::alac ? (to_int32(x) >> 16) : ((to_int32(x) >> 8) * 256);
}

TEST(WriterCafPackets, RoundTripsThroughFfmpegAndLibsndfile) {
  std::vector<Case> cases;
  for (Codec codec : {Codec::aac, Codec::alac, Codec::alac24})
    for (unsigned channels : {1u, 2u})
      for (unsigned rate : {22050u, 44100u, 48000u}) cases.push_back({codec, channels, rate});
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(name_of(c));
    const std::string path =
        dir.file(fmt::format("{}-{}-{}.caf", name(c.codec), c.channels, c.rate));
    const size_t frames = c.rate + 1234;  // not a whole number of packets
    const std::vector<float> signal = test::caf_signal(frames, c.channels, c.rate);
    {
      auto w = create_file_writer(path, test::caf_spec(c.codec, c.rate, c.channels), false);
      ASSERT_TRUE(w) << w.error().message;
      EXPECT_TRUE(being_written(path));
      EXPECT_TRUE(fs::exists(caf::journal_path(path)));
      ASSERT_TRUE(test::feed(**w, signal, c.channels));
      EXPECT_EQ((*w)->frames_written(), frames);
      Status closed = (*w)->close();
      ASSERT_TRUE(closed) << closed.error().message;
      EXPECT_TRUE((*w)->close());  // idempotent
      EXPECT_FALSE(being_written(path));
      EXPECT_FALSE(fs::exists(caf::journal_path(path)));
    }
    auto info = inspect_caf(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->codec, name(c.codec));
    EXPECT_EQ(info->frames, frames);
    EXPECT_TRUE(info->finalized);
    EXPECT_FALSE(info->repair.has_value());
    EXPECT_EQ(info->rate, c.rate);
    EXPECT_EQ(info->channels, c.channels);
    EXPECT_GT(info->bitrate, 0);

    const test::Decoded d = test::decode_ffmpeg(path);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.container, "caf");
    EXPECT_EQ(d.rate, c.rate);
    EXPECT_EQ(d.channels, c.channels);
    EXPECT_EQ(test::ffmpeg_complaints(path), "");
    if (c.codec == Codec::aac) {
      // FFmpeg 5.1's CAF demuxer ignores mPrimingFrames: the 1024 priming frames are
      // decoded too, and the last packet is whole.
      EXPECT_EQ(d.codec, "aac");
      EXPECT_GE(d.frames, frames + 1024);
      EXPECT_LT(d.frames, frames + 1024 + 1024);
      continue;
    }
    EXPECT_EQ(d.codec, "alac");
    ASSERT_EQ(d.frames, frames);
    size_t mismatches = 0;
    for (size_t i = 0; i < signal.size(); ++i)
      mismatches += d.ints[i] != quantized(c.codec, signal[i]);
    EXPECT_EQ(mismatches, 0u) << "FFmpeg's samples differ from the PCM quantization";

    const test::SndInts s = test::read_sndfile_ints(path);
    ASSERT_TRUE(s.ok) << "libsndfile: " << s.error;
    EXPECT_EQ(s.info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_CAF);
    EXPECT_EQ(s.info.format & SF_FORMAT_SUBMASK,
              c.codec == Codec::alac ? SF_FORMAT_ALAC_16 : SF_FORMAT_ALAC_24);
    ASSERT_EQ(static_cast<size_t>(s.info.frames), frames);
    const int shift = c.codec == Codec::alac ? 16 : 8;
    mismatches = 0;
    for (size_t i = 0; i < signal.size(); ++i)
      mismatches += (s.ints[i] >> shift) != (to_int32(signal[i]) >> shift);
    EXPECT_EQ(mismatches, 0u) << "libsndfile's samples differ from the PCM quantization";
  }
}

TEST(WriterCafPackets, AacKeepsPitchAndLevel) {
  TempDir dir;
  const std::string path = dir.file("sine.caf");
  constexpr unsigned kRate = 48000;
  std::vector<float> sine(kRate * 2 * 2);
  for (size_t f = 0; f < kRate * 2; ++f)
    sine[2 * f] = sine[2 * f + 1] =
        static_cast<float>(0.5 * std::sin(2 * M_PI * 1000.0 * f / kRate));
  auto w = create_file_writer(path, test::caf_spec(Codec::aac, kRate, 2), false);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(test::feed(**w, sine, 2));
  ASSERT_TRUE((*w)->close());
  const test::Decoded d = test::decode_ffmpeg(path);
  ASSERT_TRUE(d.ok) << d.error;
  // One second from the middle (after the 1024 priming frames FFmpeg keeps).
  const size_t from = 1024 + kRate / 2, to = from + kRate;
  ASSERT_GE(d.frames, to);
  double sum = 0;
  size_t crossings = 0;
  for (size_t f = from; f < to; ++f) {
    const float x = d.samples[2 * f];
    sum += double(x) * x;
    crossings += (d.samples[2 * (f - 1)] < 0) != (x < 0);
  }
  const double rms_db = 20 * std::log10(std::sqrt(sum / kRate) / (0.5 / std::sqrt(2.0)));
  EXPECT_LT(std::abs(rms_db), 1.0) << "level off by " << rms_db << " dB";
  EXPECT_NEAR(crossings / 2.0, 1000.0, 2.0) << "pitch";
}

TEST(WriterCafPackets, EmptyFileIsValid) {
  TempDir dir;
  for (Codec codec : {Codec::aac, Codec::alac}) {
    SCOPED_TRACE(name(codec));
    const std::string path = dir.file(fmt::format("empty-{}.caf", name(codec)));
    auto w = create_file_writer(path, test::caf_spec(codec, 44100, 2), false);
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE((*w)->close());
    auto info = inspect_caf(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(info->finalized);
    EXPECT_EQ(info->frames, 0u);
    EXPECT_FALSE(fs::exists(caf::journal_path(path)));
  }
}

TEST(WriterCafPackets, ReplacesAStaleJournalOnlyWhenItCreatesTheFile) {
  TempDir dir;
  const std::string path = dir.file("take.caf");
  const std::string journal = caf::journal_path(path);
  std::ofstream(journal) << "stale";
  auto w = create_file_writer(path, test::caf_spec(Codec::alac, 44100, 1), false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(fs::file_size(journal), caf::kJournalHeaderBytes);
  // Another recorder asking for the same name fails and leaves both files alone.
  auto second = create_file_writer(path, test::caf_spec(Codec::alac, 44100, 1), false);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().exit, Exit::cannot_create);
  EXPECT_TRUE(fs::exists(journal));
  ASSERT_TRUE((*w)->close());
  EXPECT_FALSE(fs::exists(journal));

  // --force: the old file and a journal of that name are replaced.
  std::ofstream(journal) << "stale";
  auto forced = create_file_writer(path, test::caf_spec(Codec::aac, 44100, 1), true);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ(fs::file_size(journal), caf::kJournalHeaderBytes);
  ASSERT_TRUE((*forced)->close());
  EXPECT_FALSE(fs::exists(journal));
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(WriterCafPackets, StreamsAreRefused) {
  auto w = create_stream_writer(1, "stdout", test::caf_spec(Codec::aac, 48000, 2));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().exit, Exit::usage);
}

}  // namespace
}  // namespace sc::formats
