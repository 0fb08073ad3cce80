// RAII for FFmpeg's handles (STYLE.md 11), and FFmpeg's error codes in words. Internal to
// formats/. Each pointer frees its handle with the function FFmpeg pairs with its allocator.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
}

#include <memory>
#include <string>

namespace sc::formats {

struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;

struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;

struct FifoFree {
  void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
};
using FifoPtr = std::unique_ptr<AVAudioFifo, FifoFree>;

struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;

struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;

// A demuxer's context (avformat_open_input).
struct InputFormatClose {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatClose>;

// A muxer's context (avformat_alloc_output_context2); its pb, if set, is closed with
// avio_closep unless the format has AVFMT_NOFILE or the context owns a custom AVIO (pb set by
// the caller and flagged AVFMT_FLAG_CUSTOM_IO: the caller frees that).
struct OutputFormatFree {
  void operator()(AVFormatContext* f) const {
    if (f->pb != nullptr && !(f->oformat->flags & AVFMT_NOFILE) &&
        !(f->flags & AVFMT_FLAG_CUSTOM_IO))
      avio_closep(&f->pb);
    avformat_free_context(f);
  }
};
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatFree>;

// av_strerror's text for `err` (av_err2str does not compile as C++).
std::string av_error_text(int err);

// FFmpeg prints nothing on the terminal (its warnings about damaged input are ours to
// report): the log level goes to AV_LOG_QUIET unless someone changed it from FFmpeg's
// default first (a verbose CLI may ask for AV_LOG_ERROR). Any thread.
void quiet_ffmpeg_logs();

}  // namespace sc::formats
