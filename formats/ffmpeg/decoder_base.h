// What the FFmpeg and libsndfile decoders share (internal to formats/; the contract is
// decoder.h's): the output half of a Decoder. A decoder hands it the file's frames it keeps
// (already trimmed to `start`, at the file's rate, in any FFmpeg sample format and channel
// layout); libswresample converts them to interleaved float at the output rate and channels,
// an AVAudioFifo holds the result, and read() takes exactly what is asked from it until the
// file (or the spec's duration) ends. Rate conversion is one code path for both libraries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sndfile.h>

#include "formats/decoder.h"
#include "formats/ffmpeg/av_handles.h"

namespace sc::formats {

struct SndfileClose {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileClose>;

// The channel layout of `channels` channels that the decoders assume when the file names none
// (libavutil's default: mono is FC, stereo FL+FR, ...).
AVChannelLayout default_layout(unsigned channels);

// The file's frame at `start`: round(start * rate).
int64_t start_frame(Duration start, unsigned rate);

// The hint of every "cannot play this file" error: "see `soundcheck info 'my take.m4a'`".
std::string info_hint(const std::string& path);

class DecoderBase : public Decoder {
 public:
  ~DecoderBase() override;

  // Decodes until `frames` frames are held (or the end), then hands them out.
  Result<size_t> read(float* out, size_t frames) final;

  const AudioSource& source() const final { return source_; }
  unsigned rate() const final { return out_rate_; }
  unsigned channels() const final { return out_channels_; }
  uint64_t errors() const final { return errors_; }

 protected:
  // The output is at `spec.rate` and `spec.channels` (0: the file's, as source_ says when
  // prime() is called), at most `spec.duration` of it.
  DecoderBase(AudioSource source, const DecodeSpec& spec);

  // Decodes the next piece of the file and hands the frames it keeps to keep(): true while
  // there may be more, false at the end of the file (then it is not called again).
  virtual Result<bool> decode_more() = 0;

  // Hands `frames` frames of the file to the resampler: `planes` as an AVFrame's
  // extended_data (one pointer per channel when `format` is planar, else one). A change of
  // format, layout or rate from the previous call flushes the resampler and starts another.
  Status keep(const AVChannelLayout& layout, AVSampleFormat format, int rate,
              const uint8_t* const* planes, int frames);

  // Called once source_ has the file's rate and channels: fixes the output's, then runs
  // decode_more() until a first frame has been kept or the file ends, so that the file's
  // first packets are decoded before the decoder is handed out and a `start` past the end is
  // known. Returns whether a frame was kept.
  Result<bool> prime();

  // Frames kept so far (file frames, at the file's rate).
  uint64_t kept() const { return kept_; }

  AudioSource source_;
  uint64_t errors_ = 0;

 private:
  Status open_resampler(const AVChannelLayout& layout, AVSampleFormat format, int rate);
  Status convert(const uint8_t* const* planes, int frames);  // nullptr, 0: flush
  size_t wanted() const;  // frames the duration still allows beyond what is held

  DecodeSpec spec_;
  unsigned out_rate_ = 0;
  unsigned out_channels_ = 0;
  std::optional<uint64_t> limit_;  // output frames the duration allows; none: to the end
  uint64_t given_ = 0;             // output frames read() handed out
  uint64_t kept_ = 0;
  bool ended_ = false;  // decode_more() said the end, the resampler is flushed

  SwrPtr swr_;
  AVChannelLayout in_layout_{};
  AVSampleFormat in_format_ = AV_SAMPLE_FMT_NONE;
  int in_rate_ = 0;
  FifoPtr fifo_;                // interleaved float at the output rate and channels
  std::vector<float> scratch_;  // swr_convert's output before the FIFO
};

// The decoders behind open_decoder (decoder.cpp), FFmpeg's and libsndfile's. When the library
// cannot play `path` (it does not open it, finds no audio stream, or cannot decode its first
// packet), each returns a null decoder and puts the library's reason in `why` ("Invalid data
// found when processing input"), so that the caller can try the other library and write the
// message users see; any error it returns is final (64 for a start past the end, 74 for I/O).
// The file exists (decoder.cpp checked).
Result<std::unique_ptr<Decoder>> open_ffmpeg_decoder(const std::string& path,
                                                     const DecodeSpec& spec, std::string& why);
Result<std::unique_ptr<Decoder>> open_sndfile_decoder(const std::string& path,
                                                      const DecodeSpec& spec, std::string& why);

// The Exit::usage error for a `start` at or past the end of `path`, which holds `frames`
// frames at `rate`.
Error start_past_end(const std::string& path, Duration start, uint64_t frames, unsigned rate);

}  // namespace sc::formats
