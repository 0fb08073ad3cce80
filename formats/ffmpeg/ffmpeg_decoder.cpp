// open_ffmpeg_decoder (decoder_base.h): FFmpeg's demuxer and decoder for the file's best audio
// stream, send/receive with a drain at the end. Positions are file frames counted from the
// first frame the decoder gives when decoding from the beginning (after the priming samples
// that AV_PKT_DATA_SKIP_SAMPLES, set from an MP4 edit list, makes libavcodec drop). A `start`
// is reached by a seek some way before it: the first frame after the seek is placed by its
// timestamp (best_effort_timestamp, stream time base), the frames after it by counting their
// samples, and those before `start` are dropped. Where that cannot be exact (timestamps
// coarser than a frame, none at all, a seek that lands past `start` or on nothing), the
// decoder starts over from the beginning and counts.
#include <fmt/format.h>

extern "C" {
#include <libavutil/mathematics.h>
#include <libavutil/samplefmt.h>
}

#include <algorithm>
#include <chrono>
#include <vector>

#include "formats/ffmpeg/decoder_base.h"

namespace sc::formats {
namespace {

// FFmpeg gives up on a file that keeps it busy this long in one call of open or read (a
// damaged file must never hang; as inspect.cpp's limit).
constexpr auto kFfmpegTimeLimit = std::chrono::seconds(30);

// A seek lands this many file frames before `start` (plus the codec's own seek_preroll), so
// that a decoder with overlapping frames (AAC's MDCT) has settled before the first frame kept.
constexpr int64_t kPrerollFrames = 8192;

struct Deadline {
  std::chrono::steady_clock::time_point until;
  void arm() { until = std::chrono::steady_clock::now() + kFfmpegTimeLimit; }
};

int past_deadline(void* opaque) {
  return std::chrono::steady_clock::now() > static_cast<Deadline*>(opaque)->until ? 1 : 0;
}

// What open_input and the first packet report when FFmpeg cannot play the file: Exit::data
// with FFmpeg's reason and no hint (every final error carries one).
Error cannot_play(std::string why) { return make_error(Exit::data, std::move(why)); }
bool unplayable(const Error& e) { return e.exit == Exit::data && e.hint.empty(); }

// An error that is a system call's (EIO, ENOSPC, ...) rather than FFmpeg's own tag
// (AVERROR_INVALIDDATA, AVERROR_EOF, ...).
bool system_error(int err) { return err < 0 && err > -4096; }

class FfmpegDecoder final : public DecoderBase {
 public:
  FfmpegDecoder(AudioSource source, const DecodeSpec& spec)
      : DecoderBase(std::move(source), spec) {}

  // Opens the demuxer and the decoder; Exit::data with FFmpeg's words when it cannot.
  Status open_input();

  // Seeks towards `start`, then primes; the errors of decoder.h.
  Status start_at(Duration start);

 protected:
  Result<bool> decode_more() override;

 private:
  // The next decoded frame into frame_: true, or false at the end of the stream.
  Result<bool> next_frame();
  // A packet that did not decode: Exit::data before the first frame, else counted.
  Status failed_packet(int err);
  // The file frame where frame_ begins, from its timestamp; -1 when it has none.
  int64_t frame_position() const;
  Status seek_to(int64_t frame);
  Status reopen();  // back to the beginning, with a new demuxer and decoder

  Deadline deadline_;  // before fmt_: the interrupt callback may run while fmt_ closes
  InputFormatPtr fmt_;
  CodecContextPtr codec_;
  int stream_ = -1;
  AVRational time_base_{1, 1};
  PacketPtr packet_;
  FramePtr frame_;
  bool have_packet_ = false;  // packet_ waits for the decoder (send said EAGAIN)
  bool draining_ = false;
  bool pending_ = false;      // frame_ holds a frame decode_more has not handled yet
  bool reopened_ = false;     // reopen() was needed once: frames are counted from the start
  bool decoded_any_ = false;  // a frame came out since the demuxer was opened
  int64_t first_ts_ = AV_NOPTS_VALUE;  // the first frame's timestamp from the beginning
  int64_t start_ = 0;                  // the first file frame kept
  int64_t next_ = -1;  // the file frame the next decoded frame begins at; -1: unknown
  std::vector<const uint8_t*> planes_;
};

Status FfmpegDecoder::open_input() {
  quiet_ffmpeg_logs();  // as the writers: unless the program chose a level, FFmpeg is silent
  deadline_.arm();
  fmt_.reset();
  codec_.reset();
  have_packet_ = draining_ = decoded_any_ = false;
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return make_error(Exit::internal, "out of memory for the decoder");
  raw->interrupt_callback.callback = past_deadline;
  raw->interrupt_callback.opaque = &deadline_;
  const std::string url = "file:" + source_.path;  // the file protocol: no name is a URL
  if (int err = avformat_open_input(&raw, url.c_str(), nullptr, nullptr); err < 0)
    return cannot_play(av_error_text(err));  // raw is freed
  fmt_.reset(raw);
  if (int err = avformat_find_stream_info(fmt_.get(), nullptr); err < 0)
    return cannot_play(av_error_text(err));
  const AVCodec* codec = nullptr;
  stream_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (stream_ == AVERROR_DECODER_NOT_FOUND) {
    const int any = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    return cannot_play(
        fmt::format("no decoder for {}", avcodec_get_name(fmt_->streams[any]->codecpar->codec_id)));
  }
  if (stream_ < 0 || codec == nullptr) return cannot_play("no audio stream");
  for (unsigned i = 0; i < fmt_->nb_streams; ++i)
    if (static_cast<int>(i) != stream_) fmt_->streams[i]->discard = AVDISCARD_ALL;
  const AVStream* st = fmt_->streams[stream_];
  const AVCodecParameters* par = st->codecpar;
  if (par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0)
    return cannot_play("no sample rate or channel count");
  time_base_ = st->time_base;
  codec_.reset(avcodec_alloc_context3(codec));
  packet_.reset(av_packet_alloc());
  frame_.reset(av_frame_alloc());
  if (!codec_ || !packet_ || !frame_)
    return make_error(Exit::internal, "out of memory for the decoder");
  if (int err = avcodec_parameters_to_context(codec_.get(), par); err < 0)
    return cannot_play(av_error_text(err));
  // Lets libavcodec move the timestamps of a frame whose priming samples it drops.
  codec_->pkt_timebase = st->time_base;
  if (int err = avcodec_open2(codec_.get(), codec, nullptr); err < 0)
    return cannot_play(fmt::format("the {} decoder: {}", codec->name, av_error_text(err)));

  source_.container = fmt_->iformat->name;
  source_.codec = avcodec_get_name(par->codec_id);
  source_.rate = static_cast<unsigned>(par->sample_rate);
  source_.channels = static_cast<unsigned>(par->ch_layout.nb_channels);
  // The stream's duration (an MP4 edit list's, without the priming), unless it is only an
  // estimate from the bitrate.
  if (st->duration > 0 && st->duration != AV_NOPTS_VALUE &&
      fmt_->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
    source_.frames = static_cast<uint64_t>(
        av_rescale_q(st->duration, st->time_base, AVRational{1, par->sample_rate}));
  }
  if (source_.frames == 0) {  // libsndfile may know (FFmpeg estimates a PCM CAF's length)
    SF_INFO sfi{};
    SndfilePtr f(sf_open(source_.path.c_str(), SFM_READ, &sfi));
    if (f && sfi.frames > 0 && sfi.samplerate == par->sample_rate)
      source_.frames = static_cast<uint64_t>(sfi.frames);
  }
  source_.duration_s = static_cast<double>(source_.frames) / source_.rate;
  return ok_status();
}

Status FfmpegDecoder::start_at(Duration start) {
  start_ = start_frame(start, source_.rate);
  if (start_ > 0 && source_.frames > 0 && static_cast<uint64_t>(start_) >= source_.frames)
    return start_past_end(source_.path, start, source_.frames, source_.rate);
  // The first frame from the beginning: it shows that the stream decodes, and its timestamp
  // is file frame 0.
  next_ = 0;
  Result<bool> first = next_frame();
  if (!first) return first.error();
  pending_ = *first;
  if (pending_) {
    first_ts_ = frame_->best_effort_timestamp;
    const int64_t preroll = kPrerollFrames + std::max(0, codec_->seek_preroll);
    // Timestamps coarser than a frame (Matroska's milliseconds) cannot say exactly where a
    // seek landed: there the frames are counted from the beginning instead.
    const bool fine = static_cast<int64_t>(time_base_.num) * source_.rate <= time_base_.den;
    if (first_ts_ != AV_NOPTS_VALUE && fine && start_ - preroll > frame_->nb_samples)
      if (Status s = seek_to(start_ - preroll); !s) return s;
  }
  Result<bool> kept = prime();
  if (!kept) return kept.error();
  if (!*kept && start_ > 0) {
    const uint64_t frames = next_ > 0 ? static_cast<uint64_t>(next_) : source_.frames;
    return start_past_end(source_.path, start, frames, source_.rate);
  }
  return ok_status();
}

Status FfmpegDecoder::seek_to(int64_t frame) {
  const int64_t ts =
      first_ts_ + av_rescale_q(frame, AVRational{1, static_cast<int>(source_.rate)}, time_base_);
  if (av_seek_frame(fmt_.get(), stream_, ts, AVSEEK_FLAG_BACKWARD) < 0) return reopen();
  avcodec_flush_buffers(codec_.get());
  av_packet_unref(packet_.get());
  have_packet_ = draining_ = pending_ = false;
  next_ = -1;  // known again from the next frame's timestamp
  return ok_status();
}

Status FfmpegDecoder::reopen() {
  if (Status s = open_input(); !s)
    return make_error(Exit::data,
                      fmt::format("cannot open '{}' again: {}", source_.path, s.error().message),
                      info_hint(source_.path));
  reopened_ = true;
  pending_ = false;
  next_ = 0;
  errors_ = 0;  // the packets before are decoded again, and counted again
  return ok_status();
}

int64_t FfmpegDecoder::frame_position() const {
  const int64_t ts = frame_->best_effort_timestamp;
  if (ts == AV_NOPTS_VALUE || first_ts_ == AV_NOPTS_VALUE) return -1;
  return av_rescale_q_rnd(ts - first_ts_, time_base_, AVRational{1, static_cast<int>(source_.rate)},
                          static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
}

Status FfmpegDecoder::failed_packet(int err) {
  if (!decoded_any_)
    return cannot_play(fmt::format("its first packet does not decode: {}", av_error_text(err)));
  ++errors_;
  return ok_status();
}

Result<bool> FfmpegDecoder::next_frame() {
  for (;;) {
    int err = avcodec_receive_frame(codec_.get(), frame_.get());
    if (err >= 0) {
      decoded_any_ = true;
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      if (Status s = failed_packet(err); !s) return s.error();
      continue;
    }
    if (draining_) return false;
    if (!have_packet_) {
      deadline_.arm();  // the limit is per packet: a long file takes as long as it takes
      err = av_read_frame(fmt_.get(), packet_.get());
      if (err == AVERROR(EAGAIN)) continue;
      if (err == AVERROR_EXIT)
        return make_error(Exit::data,
                          fmt::format("FFmpeg spent more than {} s reading '{}'",
                                      kFfmpegTimeLimit.count(), source_.path),
                          info_hint(source_.path));
      if (system_error(err))
        return make_error(Exit::io,
                          fmt::format("cannot read '{}': {}", source_.path, av_error_text(err)));
      if (err < 0) {  // the end, or a damaged end: what the decoder holds, then the end
        if (err != AVERROR_EOF && !decoded_any_) return failed_packet(err).error();
        draining_ = true;
        avcodec_send_packet(codec_.get(), nullptr);
        continue;
      }
      if (packet_->stream_index != stream_) {
        av_packet_unref(packet_.get());
        continue;
      }
      have_packet_ = true;
    }
    err = avcodec_send_packet(codec_.get(), packet_.get());
    if (err == AVERROR(EAGAIN)) continue;  // frames to receive first; the packet waits
    av_packet_unref(packet_.get());
    have_packet_ = false;
    if (err < 0)
      if (Status s = failed_packet(err); !s) return s.error();
  }
}

Result<bool> FfmpegDecoder::decode_more() {
  for (;;) {
    if (!pending_) {
      Result<bool> got = next_frame();
      if (!got) return got.error();
      if (!*got) {
        if (next_ < 0 && !reopened_) {  // a seek that found nothing: count from the start
          if (Status s = reopen(); !s) return s.error();
          continue;
        }
        return false;
      }
    }
    pending_ = false;
    int64_t pos = next_;
    if (pos < 0) {  // the first frame after a seek: its timestamp says where it is
      pos = frame_position();
      if (pos < 0 || pos > start_) {  // no timestamp, or the seek went past start
        if (Status s = reopen(); !s) return s.error();
        continue;
      }
    }
    const int frames = frame_->nb_samples;
    next_ = pos + frames;
    if (next_ <= start_ || frames <= 0) continue;  // before start: dropped
    const int skip = static_cast<int>(std::max<int64_t>(0, start_ - pos));
    const auto format = static_cast<AVSampleFormat>(frame_->format);
    const AVChannelLayout& layout =
        frame_->ch_layout.nb_channels > 0 ? frame_->ch_layout : codec_->ch_layout;
    const int rate = frame_->sample_rate > 0 ? frame_->sample_rate : codec_->sample_rate;
    const int bytes = av_get_bytes_per_sample(format);
    const bool planar = av_sample_fmt_is_planar(format);
    planes_.assign(planar ? static_cast<size_t>(layout.nb_channels) : 1, nullptr);
    for (size_t i = 0; i < planes_.size(); ++i)
      planes_[i] = frame_->extended_data[i] +
                   static_cast<ptrdiff_t>(skip) * bytes * (planar ? 1 : layout.nb_channels);
    if (Status s = keep(layout, format, rate, planes_.data(), frames - skip); !s) return s.error();
    return true;
  }
}

}  // namespace

Result<std::unique_ptr<Decoder>> open_ffmpeg_decoder(const std::string& path,
                                                     const DecodeSpec& spec, std::string& why) {
  AudioSource source;
  source.path = path;
  auto d = std::make_unique<FfmpegDecoder>(std::move(source), spec);
  Status s = d->open_input();
  if (s) s = d->start_at(spec.start);
  if (s) return std::unique_ptr<Decoder>(std::move(d));
  if (!unplayable(s.error())) return s.error();
  why = s.error().message;
  return std::unique_ptr<Decoder>();
}

}  // namespace sc::formats
