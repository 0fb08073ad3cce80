// decode_ffmpeg (decode.h).
#include "tests/support/decode.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/samplefmt.h>
}

#include <memory>

namespace sc::test {
namespace {

std::string text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

struct InputClose {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct CodecFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};

// One sample of `f` at plane/index as float and as the integer it holds (0 for float formats).
void take(const AVFrame& f, int ch, int i, int channels, Decoded& out) {
  const auto fmt = static_cast<AVSampleFormat>(f.format);
  const bool planar = av_sample_fmt_is_planar(fmt);
  const uint8_t* base = planar ? f.extended_data[ch] : f.extended_data[0];
  const int idx = planar ? i : i * channels + ch;
  float v = 0;
  int32_t n = 0;
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_S16:
      n = reinterpret_cast<const int16_t*>(base)[idx];
      v = static_cast<float>(n) / 32768.0f;
      break;
    case AV_SAMPLE_FMT_S32:
      n = reinterpret_cast<const int32_t*>(base)[idx];
      v = static_cast<float>(static_cast<double>(n) / 2147483648.0);
      break;
    case AV_SAMPLE_FMT_FLT:
      v = reinterpret_cast<const float*>(base)[idx];
      break;
    case AV_SAMPLE_FMT_DBL:
      v = static_cast<float>(reinterpret_cast<const double*>(base)[idx]);
      break;
    case AV_SAMPLE_FMT_U8:
      n = base[idx] - 128;
      v = static_cast<float>(n) / 128.0f;
      break;
    default:
      break;
  }
  out.samples.push_back(v);
  out.ints.push_back(n);
}

}  // namespace

Decoded decode_ffmpeg(const std::string& path) {
  Decoded out;
  AVFormatContext* raw = nullptr;
  if (int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); err < 0) {
    out.error = "open: " + text(err);
    return out;
  }
  std::unique_ptr<AVFormatContext, InputClose> fmt(raw);
  if (int err = avformat_find_stream_info(fmt.get(), nullptr); err < 0) {
    out.error = "stream info: " + text(err);
    return out;
  }
  out.container = fmt->iformat->name;
  const AVCodec* codec = nullptr;
  const int stream = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (stream < 0 || codec == nullptr) {
    out.error = "no audio stream";
    return out;
  }
  const AVCodecParameters* par = fmt->streams[stream]->codecpar;
  std::unique_ptr<AVCodecContext, CodecFree> dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), par);
  if (int err = avcodec_open2(dec.get(), codec, nullptr); err < 0) {
    out.error = "decoder: " + text(err);
    return out;
  }
  out.codec = codec->name;
  out.rate = static_cast<unsigned>(par->sample_rate);
  out.channels = static_cast<unsigned>(par->ch_layout.nb_channels);
  out.initial_padding = par->initial_padding;
  std::unique_ptr<AVPacket, PacketFree> pkt(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFree> frame(av_frame_alloc());
  const int channels = static_cast<int>(out.channels);
  auto receive = [&]() -> bool {
    for (;;) {
      const int err = avcodec_receive_frame(dec.get(), frame.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return true;
      if (err < 0) {
        out.error = "decode: " + text(err);
        return false;
      }
      for (int i = 0; i < frame->nb_samples; ++i)
        for (int ch = 0; ch < channels; ++ch) take(*frame, ch, i, channels, out);
      out.frames += static_cast<size_t>(frame->nb_samples);
      av_frame_unref(frame.get());
    }
  };
  for (;;) {
    const int err = av_read_frame(fmt.get(), pkt.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {
      out.error = "read: " + text(err);
      return out;
    }
    if (pkt->stream_index == stream) {
      const int sent = avcodec_send_packet(dec.get(), pkt.get());
      av_packet_unref(pkt.get());
      if (sent < 0) {
        out.error = "decode: " + text(sent);
        return out;
      }
      if (!receive()) return out;
    } else {
      av_packet_unref(pkt.get());
    }
  }
  avcodec_send_packet(dec.get(), nullptr);
  if (!receive()) return out;
  out.ok = true;
  return out;
}

}  // namespace sc::test
