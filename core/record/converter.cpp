#include "core/record/converter.h"

#include <cstdint>  // before FFmpeg's headers, which need UINT64_C in C++

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
}

#include <fmt/format.h>

namespace sc::record {
namespace {

std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);  // av_err2str does not compile as C++
  return buf;
}

// matrix[o * in + i]: the weight of input channel i in output channel o.
std::vector<double> channel_matrix(unsigned in, unsigned out) {
  std::vector<double> m(static_cast<size_t>(in) * out, 0.0);
  for (unsigned o = 0; o < out; ++o) {
    if (out == 1) {
      for (unsigned i = 0; i < in; ++i) m[i] = 1.0 / in;
    } else if (in == 1) {
      m[o] = 1.0;
    } else if (o < in) {
      m[static_cast<size_t>(o) * in + o] = 1.0;
    }
  }
  return m;
}

}  // namespace

void Converter::SwrDeleter::operator()(SwrContext* s) const { swr_free(&s); }

Converter::Converter(unsigned in_rate, unsigned in_channels, unsigned out_rate,
                     unsigned out_channels)
    : in_rate_(in_rate),
      in_channels_(in_channels),
      out_rate_(out_rate),
      out_channels_(out_channels) {}

Converter::~Converter() = default;

Result<std::unique_ptr<Converter>> Converter::create(unsigned in_rate, unsigned in_channels,
                                                     unsigned out_rate, unsigned out_channels) {
  std::unique_ptr<Converter> c(new Converter(in_rate, in_channels, out_rate, out_channels));
  if (in_rate == out_rate && in_channels == out_channels) return c;
  AVChannelLayout in_layout{}, out_layout{};
  av_channel_layout_default(&in_layout, static_cast<int>(in_channels));
  av_channel_layout_default(&out_layout, static_cast<int>(out_channels));
  SwrContext* raw = nullptr;
  int rc =
      swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, static_cast<int>(out_rate),
                          &in_layout, AV_SAMPLE_FMT_FLT, static_cast<int>(in_rate), 0, nullptr);
  c->swr_.reset(raw);
  av_channel_layout_uninit(&in_layout);
  av_channel_layout_uninit(&out_layout);
  auto fail = [&](int code, const char* step) {
    return make_error(
        Exit::internal,
        fmt::format("cannot convert {} Hz {} ch to {} Hz {} ch: {} failed: {}", in_rate,
                    in_channels, out_rate, out_channels, step, av_error(code)));
  };
  if (rc < 0 || !raw) return fail(rc, "swr_alloc_set_opts2");
  if (in_channels != out_channels) {
    const auto m = channel_matrix(in_channels, out_channels);
    if ((rc = swr_set_matrix(raw, m.data(), static_cast<int>(in_channels))) < 0)
      return fail(rc, "swr_set_matrix");
  }
  if ((rc = swr_init(raw)) < 0) return fail(rc, "swr_init");
  return c;
}

void Converter::convert(const float* in, size_t frames, std::vector<float>& out) {
  if (!swr_) {
    out.insert(out.end(), in, in + frames * in_channels_);
    return;
  }
  const int room = swr_get_out_samples(swr_.get(), static_cast<int>(frames));
  if (room <= 0) return;
  const size_t base = out.size();
  out.resize(base + static_cast<size_t>(room) * out_channels_);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + base);
  const uint8_t* src = reinterpret_cast<const uint8_t*>(in);
  const int got = swr_convert(swr_.get(), &dst, room, &src, static_cast<int>(frames));
  out.resize(base + static_cast<size_t>(std::max(got, 0)) * out_channels_);
}

void Converter::flush(std::vector<float>& out) {
  if (!swr_) return;
  const int room = swr_get_out_samples(swr_.get(), 0);
  if (room <= 0) return;
  const size_t base = out.size();
  out.resize(base + static_cast<size_t>(room) * out_channels_);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + base);
  const int got = swr_convert(swr_.get(), &dst, room, nullptr, 0);
  out.resize(base + static_cast<size_t>(std::max(got, 0)) * out_channels_);
}

}  // namespace sc::record
