// DecoderBase and the helpers both decoders share (decoder_base.h).
#include "formats/ffmpeg/decoder_base.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/samplefmt.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string_view>

namespace sc::formats {
namespace {

Error resampler_error(const std::string& path, int err) {
  return make_error(Exit::internal,
                    fmt::format("cannot convert the audio of '{}': {}", path, av_error_text(err)));
}

}  // namespace

AVChannelLayout default_layout(unsigned channels) {
  AVChannelLayout layout{};
  av_channel_layout_default(&layout, static_cast<int>(channels));
  return layout;
}

int64_t start_frame(Duration start, unsigned rate) {
  return av_rescale_rnd(start.count(), rate, 1'000'000'000, AV_ROUND_NEAR_INF);
}

std::string info_hint(const std::string& path) {
  const bool plain = !path.empty() && std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._/-+,:@%=").find(c) != std::string_view::npos;
  });
  std::string quoted;
  if (plain) {
    quoted = path;
  } else {  // single quotes for the shell, a quote inside as '\''
    quoted = "'";
    for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
  }
  return fmt::format("see `soundcheck info {}`", quoted);
}

Error start_past_end(const std::string& path, Duration start, uint64_t frames, unsigned rate) {
  return make_error(
      Exit::usage,
      fmt::format("cannot start '{}' at {}: it lasts {}", path, format_duration(start),
                  format_duration(frames_duration(frames, rate))),
      "start before the end of the file");
}

DecoderBase::DecoderBase(AudioSource source, const DecodeSpec& spec)
    : source_(std::move(source)), spec_(spec) {}

DecoderBase::~DecoderBase() { av_channel_layout_uninit(&in_layout_); }

size_t DecoderBase::wanted() const {
  if (!limit_) return std::numeric_limits<size_t>::max();
  return static_cast<size_t>(*limit_ - given_);
}

Result<size_t> DecoderBase::read(float* out, size_t frames) {
  const size_t want = std::min(frames, wanted());
  auto held = [this] { return fifo_ ? static_cast<size_t>(av_audio_fifo_size(fifo_.get())) : 0; };
  while (!ended_ && held() < want) {
    Result<bool> more = decode_more();
    if (!more) return more.error();
    if (!*more) {
      ended_ = true;
      if (swr_)
        if (Status s = convert(nullptr, 0); !s) return s.error();
    }
  }
  const size_t n = std::min(want, held());
  if (n == 0) return size_t{0};
  void* planes[1] = {out};
  const int got = av_audio_fifo_read(fifo_.get(), planes, static_cast<int>(n));
  if (got < 0) return resampler_error(source_.path, got);
  given_ += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

Result<bool> DecoderBase::prime() {
  out_rate_ = spec_.rate ? spec_.rate : source_.rate;
  out_channels_ = spec_.channels ? spec_.channels : source_.channels;
  if (spec_.duration) {
    limit_ = static_cast<uint64_t>(std::max<int64_t>(
        0, av_rescale_rnd(spec_.duration->count(), out_rate_, 1'000'000'000, AV_ROUND_NEAR_INF)));
  }
  while (kept_ == 0) {
    Result<bool> more = decode_more();
    if (!more) return more.error();
    if (!*more) {
      ended_ = true;
      return false;
    }
  }
  return true;
}

Status DecoderBase::keep(const AVChannelLayout& layout, AVSampleFormat format, int rate,
                         const uint8_t* const* planes, int frames) {
  if (frames <= 0) return ok_status();
  const bool same = swr_ && format == in_format_ && rate == in_rate_ &&
                    layout.nb_channels == in_layout_.nb_channels &&
                    (layout.order == AV_CHANNEL_ORDER_UNSPEC ||
                     av_channel_layout_compare(&layout, &in_layout_) == 0);
  if (!same) {
    if (swr_)
      if (Status s = convert(nullptr, 0); !s) return s;  // what the old one holds
    if (Status s = open_resampler(layout, format, rate); !s) return s;
  }
  kept_ += static_cast<uint64_t>(frames);
  return convert(planes, frames);
}

Status DecoderBase::open_resampler(const AVChannelLayout& layout, AVSampleFormat format, int rate) {
  av_channel_layout_uninit(&in_layout_);
  if (layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    in_layout_ = default_layout(static_cast<unsigned>(layout.nb_channels));
  } else if (int err = av_channel_layout_copy(&in_layout_, &layout); err < 0) {
    return resampler_error(source_.path, err);
  }
  in_format_ = format;
  in_rate_ = rate;
  // The same channels go out as they are; another count gets the default layout for it.
  AVChannelLayout out_layout{};
  if (static_cast<unsigned>(in_layout_.nb_channels) == out_channels_) {
    if (int err = av_channel_layout_copy(&out_layout, &in_layout_); err < 0)
      return resampler_error(source_.path, err);
  } else {
    out_layout = default_layout(out_channels_);
  }
  SwrContext* raw = nullptr;
  const int err =
      swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, static_cast<int>(out_rate_),
                          &in_layout_, format, rate, 0, nullptr);
  av_channel_layout_uninit(&out_layout);
  swr_.reset(raw);
  if (err < 0) return resampler_error(source_.path, err);
  if (in_layout_.nb_channels == 1 && out_channels_ == 2) {
    // Mono to stereo copies the channel (the default matrix would lower it by 3 dB).
    const double matrix[2] = {1.0, 1.0};  // [out * stride + in], stride 1
    if (int e = swr_set_matrix(swr_.get(), matrix, 1); e < 0)
      return resampler_error(source_.path, e);
  }
  if (int e = swr_init(swr_.get()); e < 0) return resampler_error(source_.path, e);
  if (!fifo_) {
    fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLT, static_cast<int>(out_channels_), 4096));
    if (!fifo_) return make_error(Exit::internal, "out of memory for the decoder");
  }
  return ok_status();
}

Status DecoderBase::convert(const uint8_t* const* planes, int frames) {
  for (;;) {
    const int room = swr_get_out_samples(swr_.get(), frames);
    if (room < 0) return resampler_error(source_.path, room);
    if (room == 0 && frames == 0) return ok_status();
    scratch_.resize(static_cast<size_t>(room + 16) * out_channels_);
    uint8_t* out[1] = {reinterpret_cast<uint8_t*>(scratch_.data())};
    const int got =
        swr_convert(swr_.get(), out, room + 16, const_cast<const uint8_t**>(planes), frames);
    if (got < 0) return resampler_error(source_.path, got);
    if (got > 0) {
      void* data[1] = {scratch_.data()};
      if (av_audio_fifo_write(fifo_.get(), data, got) < got)
        return make_error(Exit::internal, "out of memory for the decoder");
    }
    if (frames > 0 || got == 0) return ok_status();  // input taken, or flushed
  }
}

}  // namespace sc::formats
