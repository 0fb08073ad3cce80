// remux_to_plain and make_plain (mp4_remux.h).
#include "formats/ffmpeg/mp4_remux.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "formats/ffmpeg/av_handles.h"
#include "formats/ffmpeg/fd_io.h"
#include "formats/new_file.h"
#include "formats/sys_error.h"

namespace sc::formats {
namespace {

// AVIO's buffer for the plain file: few, large writes.
constexpr int kBufferBytes = 1 << 20;

Error not_mp4(const std::string& in, const std::string& why) {
  return make_error(Exit::data, fmt::format("cannot read '{}' as MP4: {}", in, why));
}

// A failed write to `out`: the errno FdIo kept, else FFmpeg's code.
Error write_failed(const std::string& out, const FdIo& io, int err) {
  const int e =
      io.error() != 0 ? io.error() : (err < 0 && AVUNERROR(err) < 4096 ? AVUNERROR(err) : 0);
  const std::string cause = io.error() != 0 ? errno_text(io.error()) : av_error_text(err);
  return make_error(Exit::io, fmt::format("cannot write '{}': {}", out, cause), write_hint(e));
}

// The audio packets in `path` (a plain MP4 just written) as its sample table counts them, or
// a negative AVERROR. (av_read_frame would not do: the demuxer drops a packet that lies wholly
// in the priming the edit list skips.)
int64_t count_packets(const std::string& path) {
  AVFormatContext* raw = nullptr;
  if (int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); err < 0) return err;
  InputFormatPtr input(raw);
  const int index = av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (index < 0) return index;
  return input->streams[index]->nb_frames;
}

}  // namespace

Result<RemuxStats> remux_to_plain(const std::string& in, const std::string& out,
                                  const RemuxOptions& options) {
  quiet_ffmpeg_logs();
  struct stat st {};
  if (::stat(in.c_str(), &st) != 0) {
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", in, errno_text(errno)));
  }
  AVFormatContext* raw = nullptr;
  if (int err = avformat_open_input(&raw, in.c_str(), nullptr, nullptr); err < 0)
    return not_mp4(in, av_error_text(err));
  InputFormatPtr input(raw);
  // The codec's parameters as its decoder sees them; reads a few packets at most (FFmpeg's
  // default probe limits).
  if (int err = avformat_find_stream_info(input.get(), nullptr); err < 0)
    return not_mp4(in, av_error_text(err));
  int index = -1;
  for (unsigned i = 0; i < input->nb_streams && index < 0; ++i)
    if (input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) index = static_cast<int>(i);
  if (index < 0) return not_mp4(in, "no audio track");
  const AVStream* ist = input->streams[index];
  const int rate = ist->codecpar->sample_rate;
  if (rate <= 0) return not_mp4(in, "the audio track has no sample rate");

  auto created = NewFile::create(out, false);
  if (!created) return created.error();
  auto io_made = FdIo::open(created->fd(), true, kBufferBytes);
  if (!io_made) return io_made.error();
  std::unique_ptr<FdIo> io = std::move(*io_made);
  if (options.fail_after_bytes >= 0) io->fail_after(options.fail_after_bytes);

  AVFormatContext* oraw = nullptr;
  if (int err = avformat_alloc_output_context2(&oraw, nullptr, "ipod", out.c_str()); err < 0) {
    return make_error(Exit::internal,
                      fmt::format("cannot write '{}': no MP4 muxer: {}", out, av_error_text(err)));
  }
  OutputFormatPtr output(oraw);  // after io: freed before it
  output->pb = io->avio();
  output->flags |= AVFMT_FLAG_CUSTOM_IO;
  // No flush after each packet (the default flushes a custom AVIO at every packet: a write(2)
  // of a few hundred bytes each): the buffer goes out when full.
  output->flush_packets = 0;
  AVStream* ost = avformat_new_stream(output.get(), nullptr);
  if (ost == nullptr) return make_error(Exit::internal, "out of memory for the MP4 muxer");
  if (int err = avcodec_parameters_copy(ost->codecpar, ist->codecpar); err < 0)
    return make_error(Exit::internal, fmt::format("cannot copy '{}': {}", in, av_error_text(err)));
  ost->codecpar->codec_tag = 0;
  ost->time_base = ist->time_base;
  AVDictionary* opts = nullptr;
  // faststart: the muxer moves the moov before the mdat at the end, reading the file back by
  // its name (`out`), so the finished file starts with what a player needs.
  av_dict_set(&opts, "movflags", "+faststart", 0);
  const int header = avformat_write_header(output.get(), &opts);
  av_dict_free(&opts);
  if (header < 0) {
    if (io->error() != 0) return write_failed(out, *io, header);
    return make_error(Exit::data, fmt::format("cannot write '{}': the MP4 muxer refused the "
                                              "track of '{}': {}",
                                              out, in, av_error_text(header)));
  }

  const auto each = [&](AVPacket& packet) -> Status {
    packet.stream_index = 0;
    packet.pos = -1;
    av_packet_rescale_ts(&packet, ist->time_base, ost->time_base);
    const int wrote = av_write_frame(output.get(), &packet);
    if (io->error() != 0) return write_failed(out, *io, wrote);
    if (wrote < 0) {
      return make_error(Exit::data,
                        fmt::format("cannot copy a packet of '{}': {}", in, av_error_text(wrote)));
    }
    return ok_status();
  };
  auto stats = walk_packets(*input, index, st.st_size, each);
  if (!stats) return stats.error();
  if (int err = av_write_trailer(output.get()); err < 0 || io->error() != 0)
    return write_failed(out, *io, err);
  avio_flush(io->avio());
  if (io->error() != 0) return write_failed(out, *io, 0);
  if (Status s = created->commit(); !s) return s.error();
  return stats;
}

Result<RemuxStats> walk_packets(AVFormatContext& input, int index, int64_t file_size,
                                const std::function<Status(AVPacket&)>& each) {
  const AVStream& st = *input.streams[index];
  RemuxStats stats;
  stats.rate = static_cast<unsigned>(st.codecpar->sample_rate);
  const AVRational samples{1, st.codecpar->sample_rate};
  PacketPtr held(av_packet_alloc());  // one packet back, until the next one's pts is known
  PacketPtr next(av_packet_alloc());
  if (!held || !next) return make_error(Exit::internal, "out of memory for a packet");
  bool holding = false;
  int64_t first_pts = AV_NOPTS_VALUE, last_step = 0, end = 0;
  const auto give = [&](AVPacket& p) -> Status {
    if (first_pts == AV_NOPTS_VALUE) first_pts = p.pts;
    end = p.pts + p.duration;
    ++stats.packets;
    stats.bytes += p.size;
    return each(p);
  };
  const auto max_reads = static_cast<uint64_t>(std::max<int64_t>(file_size, 0));
  for (uint64_t reads = 0; reads <= max_reads; ++reads) {
    const int err = av_read_frame(&input, next.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {  // a cut fragment: what came before it is kept
      stats.truncated = true;
      break;
    }
    if (next->stream_index != index) {
      av_packet_unref(next.get());
      continue;
    }
    if ((next->flags & AV_PKT_FLAG_CORRUPT) || next->pts == AV_NOPTS_VALUE) {
      stats.truncated = (next->flags & AV_PKT_FLAG_CORRUPT) != 0;
      av_packet_unref(next.get());
      if (stats.truncated) break;
      continue;
    }
    if (holding) {
      if (next->pts > held->pts) {
        last_step = next->pts - held->pts;
        held->duration = last_step;
      }
      Status s = give(*held);
      av_packet_unref(held.get());
      if (!s) return s.error();
    }
    av_packet_move_ref(held.get(), next.get());
    holding = true;
  }
  if (holding) {
    // The track's end as the demuxer knows it; a cut file's may lie past what is left.
    const int64_t guess = last_step > 0 ? last_step : held->duration;
    if (st.duration > 0 && st.duration != AV_NOPTS_VALUE) {
      const int64_t track_end = st.duration + (st.start_time != AV_NOPTS_VALUE ? st.start_time : 0);
      const int64_t rest = track_end - held->pts;
      held->duration = rest > 0 && (guess <= 0 || rest <= guess) ? rest : guess;
    } else {
      held->duration = guess;
    }
    if (Status s = give(*held); !s) return s.error();
  }
  if (stats.packets > 0) {
    const int64_t start = av_rescale_q(first_pts, st.time_base, samples);
    stats.priming = start < 0 ? -start : 0;
    const int64_t last = av_rescale_q(end, st.time_base, samples);
    stats.frames = static_cast<uint64_t>(std::max<int64_t>(0, last - std::max<int64_t>(start, 0)));
  }
  return stats;
}

Result<RemuxStats> make_plain(const std::string& path, uint64_t expected_packets,
                              const RemuxOptions& options) {
  const std::string temp = temp_path_for(path);
  auto stats = remux_to_plain(path, temp, options);
  if (!stats) {
    // The temporary name means nothing to the user: the cause alone ("No space left on device").
    Error e = stats.error();
    if (const std::string prefix = fmt::format("cannot write '{}': ", temp);
        e.message.rfind(prefix, 0) == 0)
      e.message.erase(0, prefix.size());
    return e;
  }
  UnlinkGuard guard(temp);
  const int64_t found = count_packets(temp);
  if (found < 0 || static_cast<uint64_t>(found) != expected_packets) {
    return make_error(Exit::io,
                      found < 0
                          ? fmt::format("cannot check the plain copy of '{}': {}", path,
                                        av_error_text(static_cast<int>(found)))
                          : fmt::format("the plain copy of '{}' has {} packets, not the {} written",
                                        path, found, expected_packets));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    return make_error(
        Exit::io, fmt::format("cannot rename the plain copy over '{}': {}", path, errno_text(e)),
        write_hint(e));
  }
  guard.dismiss();
  return stats;
}

}  // namespace sc::formats
