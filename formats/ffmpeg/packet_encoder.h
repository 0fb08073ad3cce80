// Interleaved float frames in, AAC or ALAC packets out, with FFmpeg's encoders (internal to
// formats/; the M4A and CAF writers share it). It follows STYLE.md's FFmpeg checklist: the
// samples go through a resampler (format and layout only: the rate is the file's) into an
// AVAudioFifo, the encoder gets exactly frame_size samples per frame (only the last one may
// be short), pts is a running sample count in {1, rate}, and drain() empties the FIFO, the
// resampler and the encoder.
//
// AAC is FFmpeg's native encoder with its default options (as `ffmpeg -c:a aac`) at the
// spec's bitrate (aac_bitrate). ALAC gets its samples quantized by pcm_encode.h's to_int32,
// the scheme of the PCM writers, so an ALAC file decodes bit-exact to the pcm16 (alac) or
// pcm24 (alac24) file of the same signal.
//
// One thread at a time. Packets go to the caller's sink as they come, pts and duration in
// {1, rate}; AAC's first packet has pts -initial_padding (the priming samples).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/common/error.h"
#include "formats/ffmpeg/av_handles.h"
#include "formats/writer.h"

namespace sc::formats {

class PacketEncoder {
 public:
  // What the sink gets: an encoded packet, valid during the call. A failure it returns stops
  // the encoding and is returned.
  using Sink = std::function<Status(const AVPacket& packet)>;

  // Opens the encoder for `spec` (aac, alac or alac24; check_format passed).
  // `global_header`: the muxer wants the codec's configuration in extradata
  // (AVFMT_GLOBALHEADER; the CAF writer always does). `what` names the file in messages.
  // Failure: Exit::internal (FFmpeg refused what check_format allowed) or Exit::unavailable
  // (no such encoder in this FFmpeg).
  static Result<std::unique_ptr<PacketEncoder>> open(const WriterSpec& spec, bool global_header,
                                                     const std::string& what);
  ~PacketEncoder();

  // Encodes `frames` interleaved frames; every packet they complete goes to `sink`.
  Status write(const float* interleaved, size_t frames, const Sink& sink);
  // The end: the FIFO, the resampler and the encoder are emptied into `sink`. After it,
  // write() and drain() fail.
  Status drain(const Sink& sink);

  // The open encoder: extradata (AAC: the AudioSpecificConfig, which a container wraps in
  // its esds; ALAC: the 36-byte 'alac' atom),
  // frame_size (1024, 4096), initial_padding (AAC: 1024), time_base {1, rate}.
  const AVCodecContext& codec() const { return *codec_; }
  uint64_t frames_in() const { return frames_in_; }

 private:
  PacketEncoder() = default;
  Status convert(const uint8_t** in, int frames);  // resampler -> FIFO
  Status send_full_frames(const Sink& sink, bool all);
  Status send(const AVFrame* frame, const Sink& sink);

  std::string what_;
  Codec codec_id_ = Codec::aac;
  CodecContextPtr codec_;
  SwrPtr swr_;
  FifoPtr fifo_;
  FramePtr frame_;              // one frame_size frame for the encoder
  PacketPtr packet_;            // what the encoder gives back
  uint8_t** planes_ = nullptr;  // the resampler's output, planes_capacity_ frames
  int planes_capacity_ = 0;
  // ALAC: the frames quantized, interleaved (alac: 16-bit, alac24: 32-bit).
  std::unique_ptr<int16_t[]> quantized16_;
  std::unique_ptr<int32_t[]> quantized32_;
  size_t quantized_capacity_ = 0;  // samples, each

  int64_t next_pts_ = 0;
  uint64_t frames_in_ = 0;
  bool drained_ = false;
};

}  // namespace sc::formats
