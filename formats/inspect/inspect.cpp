// inspect_file (file_info.h): the module by the first bytes, and inspect_generic for anything
// else FFmpeg or libsndfile reads. FFmpeg's and libsndfile's errors are put into words here.
#include <sndfile.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "formats/ffmpeg/av_handles.h"
#include "formats/inspect/file_io.h"
#include "formats/inspect/modules.h"
#include "formats/inspect/readers.h"

namespace sc::formats {
namespace {

// FFmpeg gives up on a file that keeps it busy this long (a damaged file must never hang).
constexpr auto kFfmpegTimeLimit = std::chrono::seconds(30);

struct Deadline {
  std::chrono::steady_clock::time_point until;
};

int past_deadline(void* opaque) {
  return std::chrono::steady_clock::now() > static_cast<Deadline*>(opaque)->until ? 1 : 0;
}

// A demuxer on `path` (the file: protocol, so no name is taken for a URL), with its streams
// found; `why` says what FFmpeg said when it cannot.
InputFormatPtr open_ffmpeg(const std::string& path, Deadline& deadline, std::string& why) {
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) {
    why = "out of memory";
    return nullptr;
  }
  raw->interrupt_callback.callback = past_deadline;
  raw->interrupt_callback.opaque = &deadline;
  const std::string url = "file:" + path;
  int err = avformat_open_input(&raw, url.c_str(), nullptr, nullptr);  // frees raw on failure
  if (err < 0) {
    why = av_error_text(err);
    return nullptr;
  }
  InputFormatPtr ctx(raw);
  err = avformat_find_stream_info(ctx.get(), nullptr);
  if (err < 0) {
    why = av_error_text(err);
    return nullptr;
  }
  return ctx;
}

struct SndfileClose {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileClose>;

std::string sndfile_codec(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
      return "pcm_s8";
    case SF_FORMAT_PCM_U8:
      return "pcm_u8";
    case SF_FORMAT_PCM_16:
      return "pcm16";
    case SF_FORMAT_PCM_24:
      return "pcm24";
    case SF_FORMAT_PCM_32:
      return "pcm32";
    case SF_FORMAT_FLOAT:
      return "float32";
    case SF_FORMAT_DOUBLE:
      return "float64";
    default: {
      SF_FORMAT_INFO fi{};
      fi.format = format & SF_FORMAT_SUBMASK;
      if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) return fi.name;
      return "unknown";
    }
  }
}

Result<FileInfo> inspect_sndfile(const std::string& path, const std::string& ffmpeg_why) {
  SF_INFO sfi{};
  SndfilePtr f(sf_open(path.c_str(), SFM_READ, &sfi));
  if (!f || sfi.samplerate <= 0 || sfi.channels <= 0) {
    return make_error(Exit::data,
                      fmt::format("'{}' is not an audio file FFmpeg or libsndfile can read "
                                  "(FFmpeg: {}; libsndfile: {})",
                                  path, ffmpeg_why, sf_strerror(f.get())),
                      "check that it is an audio file and was copied whole");
  }
  FileInfo info;
  SF_FORMAT_INFO fi{};
  fi.format = sfi.format & SF_FORMAT_TYPEMASK;
  info.format = sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.extension
                    ? fi.extension
                    : "unknown";
  info.codec = sndfile_codec(sfi.format);
  info.rate = static_cast<unsigned>(sfi.samplerate);
  info.channels = static_cast<unsigned>(sfi.channels);
  info.frames = sfi.frames > 0 ? static_cast<uint64_t>(sfi.frames) : 0;
  info.duration_s = static_cast<double>(info.frames) / info.rate;
  return info;
}

}  // namespace

Result<FileInfo> inspect_generic(const std::string& path) {
  Deadline deadline{std::chrono::steady_clock::now() + kFfmpegTimeLimit};
  std::string why;
  InputFormatPtr ctx = open_ffmpeg(path, deadline, why);
  int idx = -1;
  if (ctx) {
    idx = av_find_best_stream(ctx.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (idx < 0) why = "no audio stream";
  }
  const AVCodecParameters* par = idx >= 0 ? ctx->streams[idx]->codecpar : nullptr;
  if (par && (par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0)) {
    why = "no sample rate or channel count";
    par = nullptr;
  }
  if (!par) return inspect_sndfile(path, why);

  const AVStream* st = ctx->streams[idx];
  FileInfo info;
  info.format = ctx->iformat->name;
  if (const auto comma = info.format.find(','); comma != std::string::npos)
    info.format.resize(comma);  // "mov,mp4,m4a,3gp,3g2,mj2" -> "mov"
  info.codec = avcodec_get_name(par->codec_id);
  info.rate = static_cast<unsigned>(par->sample_rate);
  info.channels = static_cast<unsigned>(par->ch_layout.nb_channels);
  const AVRational per_frame{1, par->sample_rate};
  if (st->duration > 0 && st->duration != AV_NOPTS_VALUE) {
    info.frames = static_cast<uint64_t>(av_rescale_q(st->duration, st->time_base, per_frame));
  } else {  // no duration in the header (ADTS, some Ogg): the packets' durations
    PacketPtr pkt(av_packet_alloc());
    int64_t total = 0;
    while (pkt && av_read_frame(ctx.get(), pkt.get()) >= 0) {
      if (pkt->stream_index == idx && pkt->duration > 0 &&
          pkt->duration < std::numeric_limits<int64_t>::max() - total)
        total += pkt->duration;
      av_packet_unref(pkt.get());
    }
    info.frames = static_cast<uint64_t>(av_rescale_q(total, st->time_base, per_frame));
  }
  if (info.frames == 0) {  // libsndfile may know better (a WAV-like file FFmpeg reads no length of)
    SF_INFO sfi{};
    SndfilePtr f(sf_open(path.c_str(), SFM_READ, &sfi));
    if (f && sfi.frames > 0 && sfi.samplerate == par->sample_rate)
      info.frames = static_cast<uint64_t>(sfi.frames);
  }
  info.duration_s = static_cast<double>(info.frames) / info.rate;
  info.bitrate = par->bit_rate > 0 ? par->bit_rate : (ctx->bit_rate > 0 ? ctx->bit_rate : 0);
  return info;
}

Result<Family> family_of(const std::string& path) {
  uint64_t size = 0;
  auto fd = open_input(path, size);
  if (!fd) return fd.error();
  if (size == 0)
    return make_error(Exit::data, fmt::format("'{}' is empty", path),
                      "a recorder that died before writing its header leaves this; "
                      "there is nothing to repair");
  unsigned char head[12] = {};
  if (read_at(fd->get(), head, sizeof head, 0) < 0)
    return make_error(Exit::io, fmt::format("cannot read '{}'", path));
  // RIFF holds other forms too (AVI, RMID): those are FFmpeg's.
  const bool wave = !std::memcmp(head + 8, "WAVE", 4);
  if (!std::memcmp(head, "RF64", 4) || !std::memcmp(head, "BW64", 4) ||
      (!std::memcmp(head, "RIFF", 4) && wave))
    return Family::wav;
  if (!std::memcmp(head, "caff", 4)) return Family::caf;
  if (!std::memcmp(head + 4, "ftyp", 4)) return Family::mp4;
  return Family::other;
}

Result<FileInfo> inspect_file(const std::string& path) {
  auto family = family_of(path);
  if (!family) return family.error();
  Result<FileInfo> info = [&]() -> Result<FileInfo> {
    switch (*family) {
      case Family::wav:
        return inspect_wav(path);
      case Family::caf:
        return inspect_caf(path);
      case Family::mp4:
        return inspect_mp4(path);
      case Family::other:
        break;
    }
    return inspect_generic(path);
  }();
  if (!info) return info;
  info->path = path;
  info->writing = being_written(path);
  return info;
}

Status reads_to_end(const std::string& path, const FileInfo& info) {
  static const char* const kPcm[] = {"pcm_u8", "pcm_s8",  "pcm16",  "pcm24",
                                     "pcm32",  "float32", "float64"};
  const bool pcm = std::find_if(std::begin(kPcm), std::end(kPcm),
                                [&](const char* c) { return info.codec == c; }) != std::end(kPcm);
  if (pcm && (info.format == "wav" || info.format == "rf64" || info.format == "caf")) {
    SF_INFO sfi{};
    SndfilePtr f(sf_open(path.c_str(), SFM_READ, &sfi));
    if (!f)
      return make_error(Exit::data,
                        fmt::format("libsndfile cannot open '{}': {}", path, sf_strerror(nullptr)));
    std::vector<short> buf(4096 * static_cast<size_t>(sfi.channels));
    uint64_t got = 0;
    for (sf_count_t n; (n = sf_readf_short(f.get(), buf.data(), 4096)) > 0;)
      got += static_cast<uint64_t>(n);
    if (got != info.frames || static_cast<uint64_t>(sfi.frames) != info.frames)
      return make_error(Exit::data, fmt::format("libsndfile reads {} frames of '{}', not {}", got,
                                                path, info.frames));
    return ok_status();
  }
  Deadline deadline{std::chrono::steady_clock::now() + kFfmpegTimeLimit};
  std::string why;
  InputFormatPtr ctx = open_ffmpeg(path, deadline, why);
  if (!ctx) return make_error(Exit::data, fmt::format("FFmpeg cannot open '{}': {}", path, why));
  PacketPtr pkt(av_packet_alloc());
  if (!pkt) return make_error(Exit::internal, "out of memory");
  int err = 0;
  while ((err = av_read_frame(ctx.get(), pkt.get())) >= 0) av_packet_unref(pkt.get());
  if (err != AVERROR_EOF)
    return make_error(Exit::data,
                      fmt::format("FFmpeg stops reading '{}': {}", path, av_error_text(err)));
  return ok_status();
}

}  // namespace sc::formats
