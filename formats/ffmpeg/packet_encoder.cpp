// PacketEncoder (packet_encoder.h).
#include "formats/ffmpeg/packet_encoder.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
}

#include <fmt/format.h>

#include <algorithm>

#include "formats/pcm_encode.h"

namespace sc::formats {
namespace {

// Input is converted in pieces of at most this many frames (the resampler's output buffer).
constexpr int kPieceFrames = 4096;

Error ffmpeg_error(const std::string& what, std::string_view doing, int err) {
  return make_error(Exit::internal,
                    fmt::format("cannot encode {}: {}: {}", what, doing, av_error_text(err)));
}

}  // namespace

PacketEncoder::~PacketEncoder() {
  if (planes_ != nullptr) av_freep(&planes_[0]);
  av_freep(&planes_);
}

Result<std::unique_ptr<PacketEncoder>> PacketEncoder::open(const WriterSpec& spec,
                                                           bool global_header,
                                                           const std::string& what) {
  std::unique_ptr<PacketEncoder> e(new PacketEncoder());
  e->what_ = what;
  e->codec_id_ = spec.format.codec;
  const bool aac = spec.format.codec == Codec::aac;
  const AVCodec* codec = avcodec_find_encoder(aac ? AV_CODEC_ID_AAC : AV_CODEC_ID_ALAC);
  if (codec == nullptr) {
    return make_error(Exit::unavailable,
                      fmt::format("this FFmpeg has no {} encoder", aac ? "AAC" : "ALAC"),
                      "install Debian's libavcodec59");
  }
  e->codec_.reset(avcodec_alloc_context3(codec));
  if (!e->codec_) return make_error(Exit::internal, "out of memory for the encoder");
  AVCodecContext& c = *e->codec_;
  const auto rate = static_cast<int>(spec.rate);
  c.sample_rate = rate;
  av_channel_layout_default(&c.ch_layout, static_cast<int>(spec.channels));
  c.time_base = AVRational{1, rate};
  switch (spec.format.codec) {
    case Codec::aac:
      c.sample_fmt = AV_SAMPLE_FMT_FLTP;
      c.bit_rate = aac_bitrate(spec.format.bitrate, spec.rate, spec.channels);
      break;
    case Codec::alac:
      c.sample_fmt = AV_SAMPLE_FMT_S16P;
      break;
    default:  // alac24: 32-bit samples whose low 8 bits are 0 (alacenc shifts them out)
      c.sample_fmt = AV_SAMPLE_FMT_S32P;
      c.bits_per_raw_sample = 24;
      break;
  }
  if (global_header) c.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (int err = avcodec_open2(&c, codec, nullptr); err < 0)
    return ffmpeg_error(what, "the encoder refused its settings", err);
  if (c.frame_size <= 0) return make_error(Exit::internal, "the encoder has no frame size");

  // The resampler: interleaved in, the encoder's planar format out, at the same rate.
  const AVSampleFormat in_fmt = aac                                ? AV_SAMPLE_FMT_FLT
                                : spec.format.codec == Codec::alac ? AV_SAMPLE_FMT_S16
                                                                   : AV_SAMPLE_FMT_S32;
  SwrContext* swr = nullptr;
  if (int err = swr_alloc_set_opts2(&swr, &c.ch_layout, c.sample_fmt, rate, &c.ch_layout, in_fmt,
                                    rate, 0, nullptr);
      err < 0)
    return ffmpeg_error(what, "the sample converter", err);
  e->swr_.reset(swr);
  if (int err = swr_init(swr); err < 0) return ffmpeg_error(what, "the sample converter", err);

  e->fifo_.reset(av_audio_fifo_alloc(c.sample_fmt, c.ch_layout.nb_channels, c.frame_size * 2));
  e->frame_.reset(av_frame_alloc());
  e->packet_.reset(av_packet_alloc());
  if (!e->fifo_ || !e->frame_ || !e->packet_)
    return make_error(Exit::internal, "out of memory for the encoder");
  AVFrame& f = *e->frame_;
  f.nb_samples = c.frame_size;
  f.format = c.sample_fmt;
  f.sample_rate = rate;
  if (int err = av_channel_layout_copy(&f.ch_layout, &c.ch_layout); err < 0)
    return ffmpeg_error(what, "the frame", err);
  if (int err = av_frame_get_buffer(&f, 0); err < 0) return ffmpeg_error(what, "the frame", err);

  // Room for a piece and what the resampler may hold back.
  e->planes_capacity_ = kPieceFrames + 256;
  if (int err = av_samples_alloc_array_and_samples(&e->planes_, nullptr, c.ch_layout.nb_channels,
                                                   e->planes_capacity_, c.sample_fmt, 0);
      err < 0)
    return ffmpeg_error(what, "the sample buffer", err);
  return e;
}

Status PacketEncoder::write(const float* interleaved, size_t frames, const Sink& sink) {
  if (drained_) return make_error(Exit::internal, fmt::format("{}: encoder drained", what_));
  const auto channels = static_cast<size_t>(codec_->ch_layout.nb_channels);
  while (frames > 0) {
    const size_t n = std::min<size_t>(frames, kPieceFrames);
    const uint8_t* in = nullptr;
    if (codec_id_ == Codec::aac) {
      in = reinterpret_cast<const uint8_t*>(interleaved);
    } else {
      // ALAC: the PCM writers' quantization, so that ALAC decodes to the same samples.
      const size_t samples = n * channels;
      if (quantized_capacity_ < samples) {
        quantized16_ = std::make_unique_for_overwrite<int16_t[]>(samples);
        quantized32_ = std::make_unique_for_overwrite<int32_t[]>(samples);
        quantized_capacity_ = samples;
      }
      if (codec_id_ == Codec::alac) {
        int16_t* q = quantized16_.get();
        for (size_t i = 0; i < samples; ++i)
          q[i] = static_cast<int16_t>(to_int32(interleaved[i]) >> 16);
        in = reinterpret_cast<const uint8_t*>(q);
      } else {  // the top 24 bits, as pcm24 stores them
        int32_t* q = quantized32_.get();
        for (size_t i = 0; i < samples; ++i)
          q[i] =
              static_cast<int32_t>(static_cast<uint32_t>(to_int32(interleaved[i])) & 0xFFFFFF00u);
        in = reinterpret_cast<const uint8_t*>(q);
      }
    }
    if (Status s = convert(&in, static_cast<int>(n)); !s) return s;
    frames_in_ += n;
    interleaved += n * channels;
    frames -= n;
    if (Status s = send_full_frames(sink, false); !s) return s;
  }
  return ok_status();
}

Status PacketEncoder::drain(const Sink& sink) {
  if (drained_) return make_error(Exit::internal, fmt::format("{}: encoder drained", what_));
  drained_ = true;
  if (Status s = convert(nullptr, 0); !s) return s;  // what the resampler holds
  if (Status s = send_full_frames(sink, true); !s) return s;
  return send(nullptr, sink);  // what the encoder holds, until EOF
}

Status PacketEncoder::convert(const uint8_t** in, int frames) {
  const int out = swr_convert(swr_.get(), planes_, planes_capacity_, in, frames);
  if (out < 0) return ffmpeg_error(what_, "the sample converter", out);
  if (out > 0 && av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(planes_), out) < out)
    return make_error(Exit::internal, fmt::format("cannot encode {}: FIFO full", what_));
  return ok_status();
}

Status PacketEncoder::send_full_frames(const Sink& sink, bool all) {
  const int frame_size = codec_->frame_size;
  for (;;) {
    const int held = av_audio_fifo_size(fifo_.get());
    if (held == 0 || (held < frame_size && !all)) return ok_status();
    const int n = std::min(held, frame_size);
    if (int err = av_frame_make_writable(frame_.get()); err < 0)
      return ffmpeg_error(what_, "the frame", err);
    frame_->nb_samples = n;
    if (av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame_->data), n) < n)
      return make_error(Exit::internal, fmt::format("cannot encode {}: FIFO short", what_));
    frame_->pts = next_pts_;
    next_pts_ += n;
    if (Status s = send(frame_.get(), sink); !s) return s;
  }
}

Status PacketEncoder::send(const AVFrame* frame, const Sink& sink) {
  if (int err = avcodec_send_frame(codec_.get(), frame); err < 0)
    return ffmpeg_error(what_, "the encoder", err);
  for (;;) {
    const int err = avcodec_receive_packet(codec_.get(), packet_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return ok_status();
    if (err < 0) return ffmpeg_error(what_, "the encoder", err);
    Status s = sink(*packet_);
    av_packet_unref(packet_.get());
    if (!s) return s;
  }
}

}  // namespace sc::formats
