// Decoder (formats/decoder.h): every container and codec play reads, through FFmpeg and
// through libsndfile, compared sample by sample with what was written; the resampler (rate,
// mono to stereo, downmix), sample-exact starts, durations, AAC's priming, a packet that does
// not decode, and the errors users meet (66, 65, 64).
#include <sndfile.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "formats/decoder.h"
#include "formats/ffmpeg/decoder_base.h"
#include "formats/writer.h"

namespace sc::formats {
namespace {

using namespace std::chrono_literals;
using sc::test::TempDir;

// Deterministic noise, pcm16 values (a linear congruential generator).
std::vector<int16_t> noise16(size_t frames, unsigned channels, uint32_t seed = 1) {
  std::vector<int16_t> s(frames * channels);
  for (auto& v : s) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<int16_t>(seed >> 16);
  }
  return s;
}

// What a pcm16 sample is as float (libsndfile and FFmpeg both divide by 32768).
std::vector<float> as_float(const std::vector<int16_t>& ints) {
  std::vector<float> f(ints.size());
  for (size_t i = 0; i < ints.size(); ++i) f[i] = static_cast<float>(ints[i]) / 32768.0f;
  return f;
}

// A sine of `freq` Hz at `amp` on every channel, silent before frame `onset`.
std::vector<float> sine(size_t frames, unsigned channels, unsigned rate, double freq = 1000,
                        double amp = 0.5, size_t onset = 0) {
  std::vector<float> s(frames * channels);
  for (size_t f = onset; f < frames; ++f)
    for (unsigned c = 0; c < channels; ++c)
      s[f * channels + c] = static_cast<float>(
          amp * std::sin(2 * M_PI * freq * static_cast<double>(f - onset) / rate));
  return s;
}

// Writes a file with libsndfile: pcm16 values through sf_writef_short (exact for any
// integer subformat of 16 bits or more), else floats through sf_writef_float.
void write_sf(const std::string& path, int format, unsigned rate, unsigned channels,
              const std::vector<int16_t>* ints, const std::vector<float>* floats) {
  SF_INFO info{};
  info.samplerate = static_cast<int>(rate);
  info.channels = static_cast<int>(channels);
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << path << ": " << sf_strerror(nullptr);
  if (ints) sf_writef_short(f, ints->data(), static_cast<sf_count_t>(ints->size() / channels));
  if (floats)
    sf_writef_float(f, floats->data(), static_cast<sf_count_t>(floats->size() / channels));
  sf_close(f);
}

// What `cmd` prints on stdout and stderr together, and whether it succeeded.
bool run(const std::string& cmd, std::string* out = nullptr) {
  std::string text;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return false;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) text += buf;
  const int status = pclose(p);
  if (out) *out = text;
  return status == 0;
}

void ffmpeg(const std::string& args) {
  std::string out;
  ASSERT_TRUE(run("ffmpeg -nostdin -v error -y " + args, &out)) << args << "\n" << out;
}

// Which library opens the file.
enum class Via { any, ffmpeg, sndfile };

const char* via_name(Via v) {
  return v == Via::any ? "open_decoder" : v == Via::ffmpeg ? "FFmpeg" : "libsndfile";
}

Result<std::unique_ptr<Decoder>> open_via(Via via, const std::string& path,
                                          const DecodeSpec& spec = {}) {
  if (via == Via::any) return open_decoder(path, spec);
  std::string why;
  auto d = via == Via::ffmpeg ? open_ffmpeg_decoder(path, spec, why)
                              : open_sndfile_decoder(path, spec, why);
  if (d && !*d) return make_error(Exit::data, via_name(via) + std::string(" cannot: ") + why);
  return d;
}

// Everything a decoder gives, read `piece` frames at a time; every read but the last must
// give exactly `piece`.
std::vector<float> read_all(Decoder& d, size_t piece = 1000) {
  std::vector<float> all, buf(piece * d.channels());
  bool short_read = false;
  for (;;) {
    Result<size_t> n = d.read(buf.data(), piece);
    EXPECT_TRUE(n) << n.error().message;
    if (!n || *n == 0) break;
    EXPECT_FALSE(short_read) << "a short read before the end";
    short_read = *n < piece;
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n * d.channels()));
  }
  return all;
}

// Opens and reads everything; fails the test when it cannot open.
std::vector<float> decode(Via via, const std::string& path, const DecodeSpec& spec = {},
                          std::unique_ptr<Decoder>* keep = nullptr) {
  auto d = open_via(via, path, spec);
  EXPECT_TRUE(d) << path << ": " << d.error().message;
  if (!d) return {};
  std::vector<float> out = read_all(**d);
  if (keep) *keep = std::move(*d);
  return out;
}

// The first index where `got` and `want` (from `want_from`) differ by more than `tol`, over
// `n` samples; -1 when none.
long first_difference(const std::vector<float>& got, const std::vector<float>& want,
                      size_t want_from, size_t n, float tol = 0) {
  for (size_t i = 0; i < n; ++i) {
    if (i >= got.size() || want_from + i >= want.size()) return static_cast<long>(i);
    if (std::fabs(got[i] - want[want_from + i]) > tol) return static_cast<long>(i);
  }
  return -1;
}

// The first frame of channel 0 whose magnitude passes `level`.
long onset(const std::vector<float>& s, unsigned channels, float level) {
  for (size_t f = 0; f * channels < s.size(); ++f)
    if (std::fabs(s[f * channels]) > level) return static_cast<long>(f);
  return -1;
}

// A lossless file made by one library or another, and what it must decode to.
struct Lossless {
  std::string name;
  std::function<void(const std::string& path, const std::vector<int16_t>& pcm)> make;
  std::vector<Via> via;
};

constexpr unsigned kRate = 44100;
constexpr unsigned kChannels = 2;
constexpr size_t kFrames = 3 * kRate + 123;

std::vector<Lossless> lossless_files(const TempDir& dir) {
  auto sf = [](int format) {
    return [format](const std::string& path, const std::vector<int16_t>& pcm) {
      write_sf(path, format, kRate, kChannels, &pcm, nullptr);
    };
  };
  auto sf_float = [](int format) {
    return [format](const std::string& path, const std::vector<int16_t>& pcm) {
      const std::vector<float> f = as_float(pcm);
      write_sf(path, format, kRate, kChannels, nullptr, &f);
    };
  };
  auto via_ffmpeg_cli = [&dir](const std::string& codec) {
    return [&dir, codec](const std::string& path, const std::vector<int16_t>& pcm) {
      const std::string wav = dir.file("source-for-" + codec + ".wav");
      write_sf(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, kChannels, &pcm, nullptr);
      ffmpeg("-i '" + wav + "' -c:a " + codec + " '" + path + "'");
    };
  };
  const std::vector<Via> both = {Via::any, Via::ffmpeg, Via::sndfile};
  const std::vector<Via> ffmpeg_only = {Via::any, Via::ffmpeg};
  return {
      {"pcm16.wav", sf(SF_FORMAT_WAV | SF_FORMAT_PCM_16), both},
      {"pcm24.wav", sf(SF_FORMAT_WAV | SF_FORMAT_PCM_24), both},
      {"float.wav", sf_float(SF_FORMAT_WAV | SF_FORMAT_FLOAT), both},
      {"pcm16.flac", sf(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), both},
      {"pcm16.caf", sf(SF_FORMAT_CAF | SF_FORMAT_PCM_16), both},
      {"float.caf", sf_float(SF_FORMAT_CAF | SF_FORMAT_FLOAT), both},
      {"pcm16.aiff", sf(SF_FORMAT_AIFF | SF_FORMAT_PCM_16), both},
      {"alac.m4a", via_ffmpeg_cli("alac"), ffmpeg_only},
      {"ffmpeg.flac", via_ffmpeg_cli("flac"), both},
  };
}

TEST(Decoder, LosslessFilesDecodeToWhatWasWritten) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kFrames, kChannels);
  const std::vector<float> want = as_float(pcm);
  for (const Lossless& file : lossless_files(dir)) {
    const std::string path = dir.file(file.name);
    file.make(path, pcm);
    for (Via via : file.via) {
      SCOPED_TRACE(file.name + " via " + via_name(via));
      std::unique_ptr<Decoder> d;
      const std::vector<float> got = decode(via, path, {}, &d);
      ASSERT_TRUE(d);
      EXPECT_EQ(d->rate(), kRate);
      EXPECT_EQ(d->channels(), kChannels);
      EXPECT_EQ(d->source().rate, kRate);
      EXPECT_EQ(d->source().channels, kChannels);
      EXPECT_EQ(d->source().frames, kFrames);
      EXPECT_EQ(d->source().path, path);
      EXPECT_FALSE(d->source().container.empty());
      EXPECT_FALSE(d->source().codec.empty());
      EXPECT_EQ(d->errors(), 0u);
      EXPECT_EQ(got.size(), want.size());
      EXPECT_EQ(first_difference(got, want, 0, want.size()), -1);
    }
  }
}

TEST(Decoder, StartIsTheFileFrameAtStartExactly) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kFrames, kChannels, 7);
  const std::vector<float> want = as_float(pcm);
  // Near the beginning (within the seek's preroll), in the middle, between two samples
  // (rounded to the nearest), a few frames before the end.
  const Duration starts[] = {1ms, 10ms, 1234567us, 2s + 22675ns, 3s};
  for (const Lossless& file : lossless_files(dir)) {
    const std::string path = dir.file(file.name);
    file.make(path, pcm);
    for (Via via : file.via) {
      for (Duration start : starts) {
        SCOPED_TRACE(file.name + " via " + via_name(via) + " from " + format_duration(start));
        const auto first = static_cast<size_t>(std::llround(to_seconds(start) * kRate));
        const std::vector<float> got = decode(via, path, DecodeSpec{0, 0, start, {}});
        EXPECT_EQ(got.size(), want.size() - first * kChannels);
        EXPECT_EQ(first_difference(got, want, first * kChannels, want.size() - first * kChannels),
                  -1);
      }
    }
  }
}

TEST(Decoder, DurationStopsAfterThatMuchOutput) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kFrames, kChannels, 3);
  const std::vector<float> want = as_float(pcm);
  const std::string path = dir.file("d.wav");
  write_sf(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, kChannels, &pcm, nullptr);
  for (Via via : {Via::ffmpeg, Via::sndfile}) {
    SCOPED_TRACE(via_name(via));
    std::vector<float> got = decode(via, path, DecodeSpec{0, 0, 500ms, 250ms});
    EXPECT_EQ(got.size(), size_t{11025} * kChannels);
    EXPECT_EQ(first_difference(got, want, 22050 * kChannels, 11025 * kChannels), -1);
    // At another rate the duration counts output frames.
    got = decode(via, path, DecodeSpec{48000, 0, 500ms, 250ms});
    EXPECT_EQ(got.size(), size_t{12000} * kChannels);
    // Past the end: what there is.
    got = decode(via, path, DecodeSpec{0, 0, 2s, 10s});
    EXPECT_EQ(got.size(), (kFrames - 2 * kRate) * kChannels);
    got = decode(via, path, DecodeSpec{0, 0, 0s, 0s});
    EXPECT_TRUE(got.empty());
  }
}

TEST(Decoder, ReadGivesExactlyWhatIsAskedUntilTheEnd) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kFrames, kChannels, 5);
  const std::string path = dir.file("r.flac");
  write_sf(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, kRate, kChannels, &pcm, nullptr);
  for (size_t piece : {1u, 441u, 4096u, 100000u}) {
    SCOPED_TRACE(piece);
    auto d = open_decoder(path, DecodeSpec{48000, 0, {}, {}});
    ASSERT_TRUE(d) << d.error().message;
    std::vector<float> buf(piece * kChannels);
    size_t total = 0;
    for (;;) {
      Result<size_t> n = (*d)->read(buf.data(), piece);
      ASSERT_TRUE(n) << n.error().message;
      if (*n < piece) {
        total += *n;
        if (*n > 0) {
          Result<size_t> again = (*d)->read(buf.data(), piece);
          ASSERT_TRUE(again);
          EXPECT_EQ(*again, 0u);  // the end stays the end
        }
        break;
      }
      total += piece;
    }
    const double expected = static_cast<double>(kFrames) * 48000 / kRate;
    EXPECT_NEAR(static_cast<double>(total), expected, 4.0);
  }
}

// RMS of channel `c` over frames [from, from + n).
double rms(const std::vector<float>& s, unsigned channels, unsigned c, size_t from, size_t n) {
  double sum = 0;
  for (size_t f = from; f < from + n; ++f) sum += double(s[f * channels + c]) * s[f * channels + c];
  return std::sqrt(sum / static_cast<double>(n));
}

// Upward zero crossings of channel `c` over frames [from, from + n).
int crossings(const std::vector<float>& s, unsigned channels, unsigned c, size_t from, size_t n) {
  int count = 0;
  for (size_t f = from + 1; f < from + n; ++f)
    if (s[(f - 1) * channels + c] < 0 && s[f * channels + c] >= 0) ++count;
  return count;
}

TEST(Decoder, ResamplingKeepsFrequencyLevelAndLength) {
  TempDir dir;
  const size_t frames = 2 * 44100;
  const std::vector<float> tone = sine(frames, 2, 44100);
  const std::string path = dir.file("tone.wav");
  write_sf(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, nullptr, &tone);
  for (Via via : {Via::ffmpeg, Via::sndfile}) {
    SCOPED_TRACE(via_name(via));
    std::unique_ptr<Decoder> d;
    const std::vector<float> got = decode(via, path, DecodeSpec{48000, 0, {}, {}}, &d);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rate(), 48000u);
    EXPECT_EQ(d->source().rate, 44100u);
    const size_t out = got.size() / 2;
    EXPECT_NEAR(static_cast<double>(out), frames * 48000.0 / 44100, 4.0);
    // One second from the middle: 1000 cycles, at the source's level.
    for (unsigned c = 0; c < 2; ++c) {
      EXPECT_NEAR(crossings(got, 2, c, 24000, 48000), 1000, 1);
      const double db = 20 * std::log10(rms(got, 2, c, 24000, 48000) / (0.5 / std::sqrt(2.0)));
      EXPECT_NEAR(db, 0.0, 0.5);
    }
  }
}

// Mono to stereo copies the channel; stereo to mono is libswresample's default matrix for
// float output, each side at -3 dB (not normalized).
TEST(Decoder, MonoToStereoCopiesTheChannelAndStereoToMonoMixes) {
  TempDir dir;
  const std::vector<int16_t> mono = noise16(kRate, 1, 9);
  const std::vector<float> want = as_float(mono);
  const std::string path = dir.file("mono.wav");
  write_sf(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, 1, &mono, nullptr);
  const std::vector<int16_t> stereo = noise16(kRate, 2, 11);
  const std::string stereo_path = dir.file("stereo.wav");
  write_sf(stereo_path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, 2, &stereo, nullptr);
  for (Via via : {Via::ffmpeg, Via::sndfile}) {
    SCOPED_TRACE(via_name(via));
    std::unique_ptr<Decoder> d;
    const std::vector<float> got = decode(via, path, DecodeSpec{0, 2, {}, {}}, &d);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->channels(), 2u);
    EXPECT_EQ(d->source().channels, 1u);
    ASSERT_EQ(got.size(), 2 * want.size());
    size_t wrong = 0;
    for (size_t f = 0; f < want.size(); ++f)
      wrong += got[2 * f] != want[f] || got[2 * f + 1] != want[f];
    EXPECT_EQ(wrong, 0u);

    const std::vector<float> mixed = decode(via, stereo_path, DecodeSpec{0, 1, {}, {}}, &d);
    ASSERT_EQ(mixed.size(), stereo.size() / 2);
    wrong = 0;
    for (size_t f = 0; f < mixed.size(); ++f)
      wrong +=
          std::fabs(mixed[f] - static_cast<float>(M_SQRT1_2 * (stereo[2 * f] + stereo[2 * f + 1]) /
                                                  32768.0)) > 1e-5f;
    EXPECT_EQ(wrong, 0u);
  }
}

// AAC in M4A from `ffmpeg -c:a aac` and from our recorder's writer: the priming the file
// signals is dropped, so the length is the source's (within one codec frame of padding at the
// end) and a tone that begins at 0.5 s begins at 0.5 s.
TEST(Decoder, AacM4aStartsInTimeAndLastsWhatWasRecorded) {
  TempDir dir;
  const unsigned rate = 48000;
  const size_t frames = 2 * rate;
  const std::vector<float> tone = sine(frames, 1, rate, 1000, 0.5, rate / 2);
  const std::string wav = dir.file("tone.wav");
  write_sf(wav, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 1, nullptr, &tone);
  const std::string cli = dir.file("cli.m4a");
  ffmpeg("-i '" + wav + "' -c:a aac -b:a 128k '" + cli + "'");
  const std::string ours = dir.file("ours.m4a");
  {
    auto w = create_file_writer(ours, WriterSpec{{Container::m4a, Codec::aac}, rate, 1}, false);
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE((*w)->write(tone.data(), frames));
    ASSERT_TRUE((*w)->close());
  }
  for (const std::string& path : {cli, ours}) {
    SCOPED_TRACE(path);
    std::unique_ptr<Decoder> d;
    const std::vector<float> got = decode(Via::any, path, {}, &d);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->source().codec, "aac");
    EXPECT_EQ(d->source().container, "mov,mp4,m4a,3gp,3g2,mj2");
    EXPECT_EQ(d->source().frames, frames);
    EXPECT_GE(got.size(), frames);
    EXPECT_LE(got.size(), frames + 1024);
    EXPECT_NEAR(onset(got, 1, 0.1f), rate / 2, 8);
    // Resampled too: the onset at 0.5 s of output.
    const std::vector<float> at44 = decode(Via::any, path, DecodeSpec{44100, 2, {}, {}});
    EXPECT_NEAR(onset(at44, 2, 0.1f), 44100 / 2, 8);
  }
}

// A start in an AAC file (a seek, the decoder settled, frames dropped) gives what decoding
// from the beginning gives at that frame. Without perceptual noise substitution: with it the
// decoder makes up noise from a random state that a seek does not reproduce.
TEST(Decoder, AacStartMatchesTheDecodeFromTheBeginning) {
  TempDir dir;
  const std::string path = dir.file("noise.m4a");
  ffmpeg("-f lavfi -i 'anoisesrc=d=4:c=pink:r=48000:a=0.3:s=1' -ac 2 -c:a aac -aac_pns 0 '" + path +
         "'");
  const std::vector<float> full = decode(Via::any, path);
  for (Duration start : std::vector<Duration>{20ms, 1s, 2345678us, 3900ms}) {
    SCOPED_TRACE(format_duration(start));
    const auto first = static_cast<size_t>(std::llround(to_seconds(start) * 48000));
    const std::vector<float> got = decode(Via::any, path, DecodeSpec{0, 0, start, {}});
    EXPECT_EQ(got.size(), full.size() - 2 * first);
    EXPECT_EQ(first_difference(got, full, 2 * first, std::min<size_t>(got.size(), 8192), 1e-5f),
              -1);
  }
}

// The other lossy formats play can meet: a start gives what decoding from the beginning gives
// at that frame (seeks in MP3, Ogg Vorbis, ADTS; Ogg Opus, whose seek lands past the start
// here so the decoder starts over; Matroska, whose millisecond timestamps cannot place a
// frame, so frames are counted from the beginning).
TEST(Decoder, LossyStartsMatchTheDecodeFromTheBeginning) {
  TempDir dir;
  const std::pair<const char*, const char*> kinds[] = {
      {"x.mp3", "libmp3lame"}, {"x.ogg", "libvorbis"},        {"x.opus", "libopus"},
      {"opus.mka", "libopus"}, {"aac.mka", "aac -aac_pns 0"}, {"x.aac", "aac -aac_pns 0"},
  };
  for (const auto& [name, encoder] : kinds) {
    SCOPED_TRACE(name);
    const std::string codec = std::string(encoder).substr(0, std::string(encoder).find(' '));
    std::string help;
    if (!run("ffmpeg -hide_banner -h encoder=" + codec, &help) ||
        help.find("Encoder " + codec) == std::string::npos) {
      ADD_FAILURE() << "this ffmpeg has no " << codec << " encoder";
      continue;
    }
    const std::string path = dir.file(name);
    ffmpeg("-f lavfi -i 'anoisesrc=d=4:c=pink:r=48000:a=0.3:s=1' -ac 2 -c:a " +
           std::string(encoder) + " '" + path + "'");
    const std::vector<float> full = decode(Via::any, path);
    for (Duration start : std::vector<Duration>{1s, 2345678us}) {
      SCOPED_TRACE(format_duration(start));
      const auto first = static_cast<size_t>(std::llround(to_seconds(start) * 48000));
      const std::vector<float> got = decode(Via::any, path, DecodeSpec{0, 0, start, {}});
      EXPECT_EQ(got.size(), full.size() - 2 * first);
      EXPECT_EQ(first_difference(got, full, 2 * first, std::min<size_t>(got.size(), 8192), 1e-5f),
                -1);
    }
  }
}

TEST(Decoder, AlacCafFromOurWriter) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kRate * 2, 2, 13);
  const std::vector<float> want = as_float(pcm);
  const std::string path = dir.file("alac.caf");
  {
    auto w = create_file_writer(path, WriterSpec{{Container::caf, Codec::alac}, kRate, 2}, false);
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE((*w)->write(want.data(), want.size() / 2));
    ASSERT_TRUE((*w)->close());
  }
  std::unique_ptr<Decoder> d;
  const std::vector<float> got = decode(Via::any, path, {}, &d);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->source().codec, "alac");
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(first_difference(got, want, 0, want.size()), -1);
  const std::vector<float> from = decode(Via::any, path, DecodeSpec{0, 0, 1500ms, {}});
  EXPECT_EQ(first_difference(from, want, 2 * 66150, want.size() - 2 * 66150), -1);
}

// MAT5 is libsndfile's and not FFmpeg's: open_decoder falls back to libsndfile.
TEST(Decoder, WhatOnlyLibsndfileReads) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(8000, 1, 17);
  const std::vector<float> want = as_float(pcm);
  const std::string path = dir.file("x.mat");
  write_sf(path, SF_FORMAT_MAT5 | SF_FORMAT_PCM_16, 8000, 1, &pcm, nullptr);
  std::string why;
  auto ff = open_ffmpeg_decoder(path, {}, why);
  ASSERT_TRUE(ff);
  EXPECT_FALSE(*ff);
  EXPECT_FALSE(why.empty());
  std::unique_ptr<Decoder> d;
  const std::vector<float> got = decode(Via::any, path, DecodeSpec{0, 0, 250ms, {}}, &d);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->source().container, "mat");
  EXPECT_EQ(d->source().codec, "pcm_s16le");
  EXPECT_EQ(first_difference(got, want, 2000, want.size() - 2000), -1);
}

TEST(Decoder, MissingFileIs66) {
  TempDir dir;
  const std::string path = dir.file("x.wav");
  auto d = open_decoder(path, {});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().exit, Exit::no_input);
  EXPECT_EQ(d.error().message, "cannot open '" + path + "': No such file or directory");
  auto p = probe_audio(path);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().exit, Exit::no_input);
  auto dir_error = open_decoder(dir.path().string(), {});
  ASSERT_FALSE(dir_error);
  EXPECT_EQ(dir_error.error().exit, Exit::no_input);
}

TEST(Decoder, WhatIsNotPlayableIs65) {
  TempDir dir;
  const std::string garbage = dir.file("garbage.wav");
  {
    std::ofstream out(garbage, std::ios::binary);
    const std::vector<int16_t> junk = noise16(5000, 1, 21);
    out.write(reinterpret_cast<const char*>(junk.data()),
              static_cast<std::streamsize>(junk.size() * 2));
  }
  const std::string empty = dir.file("zero-bytes.m4a");
  std::ofstream(empty).close();
  const std::string video = dir.file("video.mp4");
  ffmpeg("-f lavfi -i testsrc=d=0.2:s=64x48 -c:v mpeg4 '" + video + "'");
  for (const std::string& path : {garbage, empty, video}) {
    SCOPED_TRACE(path);
    auto d = open_decoder(path, {});
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().exit, Exit::data);
    EXPECT_NE(d.error().message.find("'" + path + "'"), std::string::npos) << d.error().message;
    EXPECT_EQ(d.error().hint, "see `soundcheck info " + path + "`");
    auto p = probe_audio(path);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().exit, Exit::data);
  }
  auto v = open_decoder(video, {});
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("no audio stream"), std::string::npos) << v.error().message;
  EXPECT_EQ(info_hint("/tmp/my take.m4a"), "see `soundcheck info '/tmp/my take.m4a'`");
  EXPECT_EQ(info_hint("it's.wav"), "see `soundcheck info 'it'\\''s.wav'`");
}

TEST(Decoder, AnEmptyWavPlaysNothing) {
  TempDir dir;
  const std::string path = dir.file("empty.wav");
  write_sf(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, nullptr, nullptr);
  for (Via via : {Via::any, Via::ffmpeg, Via::sndfile}) {
    SCOPED_TRACE(via_name(via));
    std::unique_ptr<Decoder> d;
    const std::vector<float> got = decode(via, path, DecodeSpec{44100, 1, {}, {}}, &d);
    ASSERT_TRUE(d);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(d->source().frames, 0u);
    EXPECT_EQ(d->source().rate, 48000u);
    auto later = open_via(via, path, DecodeSpec{0, 0, 1s, {}});
    ASSERT_FALSE(later);
    EXPECT_EQ(later.error().exit, Exit::usage);
  }
  auto p = probe_audio(path);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->frames, 0u);
}

TEST(Decoder, StartAtOrPastTheEndIs64) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(kRate, 2, 23);  // 1 s
  const std::string wav = dir.file("one.wav");
  write_sf(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, kRate, 2, &pcm, nullptr);
  const std::string m4a = dir.file("one.m4a");
  ffmpeg("-i '" + wav + "' -c:a aac '" + m4a + "'");
  const std::string adts = dir.file("one.aac");  // no duration in the header
  ffmpeg("-i '" + wav + "' -c:a aac '" + adts + "'");
  for (const std::string& path : {wav, m4a, adts}) {
    for (Via via : {Via::any, Via::ffmpeg, Via::sndfile}) {
      if (via == Via::sndfile && path != wav) continue;
      for (Duration start : std::vector<Duration>{1s, 1500ms, 1h}) {
        // ADTS signals no priming: its 1024 frames and the padding play, so 1 s is inside.
        if (path == adts && start == 1s) continue;
        SCOPED_TRACE(path + " via " + via_name(via) + " from " + format_duration(start));
        auto d = open_via(via, path, DecodeSpec{0, 0, start, {}});
        ASSERT_FALSE(d);
        EXPECT_EQ(d.error().exit, Exit::usage);
        EXPECT_NE(d.error().message.find("'" + path + "'"), std::string::npos) << d.error().message;
        EXPECT_NE(d.error().message.find("it lasts 1"), std::string::npos) << d.error().message;
      }
    }
  }
  // The last frame is still inside.
  auto last = open_decoder(wav, DecodeSpec{0, 0, frames_duration(kRate - 1, kRate), {}});
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(read_all(**last).size(), 2u);
}

// The byte range of the top-level box `type` of an MP4 file.
std::pair<size_t, size_t> box(const std::vector<char>& bytes, const std::string& type) {
  size_t at = 0;
  while (at + 8 <= bytes.size()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    const size_t size = size_t{p[0]} << 24 | size_t{p[1]} << 16 | size_t{p[2]} << 8 | p[3];
    if (std::string(bytes.data() + at + 4, 4) == type) return {at + 8, at + size};
    if (size < 8) break;
    at += size;
  }
  return {0, 0};
}

TEST(Decoder, APacketThatDoesNotDecodeIsSkippedAndCounted) {
  TempDir dir;
  // A tone: ALAC compresses it (noise it would store verbatim, where any bytes decode).
  const std::vector<float> tone = sine(2 * 48000, 2, 48000);
  const std::string wav = dir.file("n.wav");
  write_sf(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, nullptr, &tone);
  const std::string path = dir.file("n.m4a");
  ffmpeg("-i '" + wav + "' -c:a alac '" + path + "'");
  std::vector<char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto [from, to] = box(bytes, "mdat");
  ASSERT_LT(from, to);
  for (size_t i = (from + to) / 2; i < (from + to) / 2 + 64; ++i) bytes[i] = '\xff';
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::unique_ptr<Decoder> d;
  const std::vector<float> got = decode(Via::any, path, {}, &d);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->errors(), 1u);
  EXPECT_EQ(got.size(), tone.size() - 4096 * 2);  // one ALAC packet of 4096 frames lost
}

TEST(Decoder, ProbeTellsWhatTheFileHolds) {
  TempDir dir;
  const std::vector<int16_t> pcm = noise16(22050, 1, 31);
  const std::string path = dir.file("p.flac");
  write_sf(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 22050, 1, &pcm, nullptr);
  auto p = probe_audio(path);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->path, path);
  EXPECT_EQ(p->container, "flac");
  EXPECT_EQ(p->codec, "flac");
  EXPECT_EQ(p->rate, 22050u);
  EXPECT_EQ(p->channels, 1u);
  EXPECT_EQ(p->frames, 22050u);
  EXPECT_DOUBLE_EQ(p->duration_s, 1.0);
}

}  // namespace
}  // namespace sc::formats
