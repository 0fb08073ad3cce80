// open_sndfile_decoder (formats/ffmpeg/decoder_base.h): what libsndfile reads and FFmpeg does
// not. sf_open, sf_seek to `start` (frames read and dropped where it cannot seek),
// sf_readf_float in blocks, and DecoderBase's resampler, as for FFmpeg's frames.
#include <sndfile.h>

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "formats/ffmpeg/decoder_base.h"

namespace sc::formats {
namespace {

// Frames per sf_readf_float.
constexpr sf_count_t kBlockFrames = 4096;

// FFmpeg's name for the codec of a libsndfile format where there is one ("pcm_s16le",
// "flac"), else libsndfile's own description.
std::string codec_name(SNDFILE* f, int format) {
  // Whether the samples are stored big-endian (this host is little-endian, as FFmpeg's
  // names assume nothing else here).
  const bool big = sf_command(f, SFC_RAW_DATA_NEEDS_ENDSWAP, nullptr, 0) == SF_TRUE;
  const char* end = big ? "be" : "le";
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
      return "pcm_s8";
    case SF_FORMAT_PCM_U8:
      return "pcm_u8";
    case SF_FORMAT_PCM_16:
      return fmt::format("pcm_s16{}", end);
    case SF_FORMAT_PCM_24:
      return fmt::format("pcm_s24{}", end);
    case SF_FORMAT_PCM_32:
      return fmt::format("pcm_s32{}", end);
    case SF_FORMAT_FLOAT:
      return fmt::format("pcm_f32{}", end);
    case SF_FORMAT_DOUBLE:
      return fmt::format("pcm_f64{}", end);
    case SF_FORMAT_ULAW:
      return "pcm_mulaw";
    case SF_FORMAT_ALAW:
      return "pcm_alaw";
    case SF_FORMAT_FLAC:
      return "flac";
    case SF_FORMAT_VORBIS:
      return "vorbis";
    case SF_FORMAT_OPUS:
      return "opus";
    case SF_FORMAT_ALAC_16:
    case SF_FORMAT_ALAC_20:
    case SF_FORMAT_ALAC_24:
    case SF_FORMAT_ALAC_32:
      return "alac";
    case SF_FORMAT_GSM610:
      return "gsm";
    case SF_FORMAT_MS_ADPCM:
      return "adpcm_ms";
    case SF_FORMAT_IMA_ADPCM:
      return "adpcm_ima_wav";
    default: {
      SF_FORMAT_INFO fi{};
      fi.format = format & SF_FORMAT_SUBMASK;
      if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) return fi.name;
      return "unknown";
    }
  }
}

class SndfileDecoder final : public DecoderBase {
 public:
  SndfileDecoder(AudioSource source, const DecodeSpec& spec)
      : DecoderBase(std::move(source), spec) {}
  ~SndfileDecoder() override { av_channel_layout_uninit(&layout_); }

  // sf_open; false with libsndfile's reason in `why` when it cannot read the file.
  bool open_input(std::string& why);

  // Seeks to `start` and primes; 64 when it is at or past the end.
  Status start_at(Duration start);

 protected:
  Result<bool> decode_more() override;

 private:
  SndfilePtr file_;
  AVChannelLayout layout_{};
  sf_count_t drop_ = 0;  // frames still to read and drop before `start` (no seek)
  std::vector<float> block_;
};

bool SndfileDecoder::open_input(std::string& why) {
  SF_INFO sfi{};
  file_.reset(sf_open(source_.path.c_str(), SFM_READ, &sfi));
  if (!file_) {
    why = sf_strerror(nullptr);
    return false;
  }
  if (sfi.samplerate <= 0 || sfi.channels <= 0) {
    why = "no sample rate or channel count";
    return false;
  }
  SF_FORMAT_INFO fi{};
  fi.format = sfi.format & SF_FORMAT_TYPEMASK;
  source_.container = sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.extension
                          ? fi.extension
                          : "unknown";
  source_.codec = codec_name(file_.get(), sfi.format);
  source_.rate = static_cast<unsigned>(sfi.samplerate);
  source_.channels = static_cast<unsigned>(sfi.channels);
  source_.frames = sfi.frames > 0 ? static_cast<uint64_t>(sfi.frames) : 0;
  source_.duration_s = static_cast<double>(source_.frames) / source_.rate;
  layout_ = default_layout(source_.channels);
  block_.resize(static_cast<size_t>(kBlockFrames) * source_.channels);
  return true;
}

Status SndfileDecoder::start_at(Duration start) {
  const int64_t first = start_frame(start, source_.rate);
  if (first > 0 && static_cast<uint64_t>(first) >= source_.frames)
    return start_past_end(source_.path, start, source_.frames, source_.rate);
  if (first > 0 && sf_seek(file_.get(), first, SEEK_SET) < 0) drop_ = first;
  Result<bool> kept = prime();
  if (!kept) return kept.error();
  if (!*kept && first > 0) return start_past_end(source_.path, start, source_.frames, source_.rate);
  return ok_status();
}

Result<bool> SndfileDecoder::decode_more() {
  for (;;) {
    const sf_count_t got = sf_readf_float(file_.get(), block_.data(), kBlockFrames);
    if (got <= 0) {
      if (const int err = sf_error(file_.get()); err != SF_ERR_NO_ERROR)
        return make_error(Exit::io,
                          fmt::format("cannot read '{}': {}", source_.path, sf_error_number(err)));
      return false;
    }
    const sf_count_t skip = std::min(got, drop_);
    drop_ -= skip;
    if (skip == got) continue;
    const auto* data = reinterpret_cast<const uint8_t*>(block_.data() + static_cast<size_t>(skip) *
                                                                            source_.channels);
    if (Status s = keep(layout_, AV_SAMPLE_FMT_FLT, static_cast<int>(source_.rate), &data,
                        static_cast<int>(got - skip));
        !s)
      return s.error();
    return true;
  }
}

}  // namespace

Result<std::unique_ptr<Decoder>> open_sndfile_decoder(const std::string& path,
                                                      const DecodeSpec& spec, std::string& why) {
  AudioSource source;
  source.path = path;
  auto d = std::make_unique<SndfileDecoder>(std::move(source), spec);
  if (!d->open_input(why)) return std::unique_ptr<Decoder>();
  if (Status s = d->start_at(spec.start); !s) return s.error();
  return std::unique_ptr<Decoder>(std::move(d));
}

}  // namespace sc::formats
