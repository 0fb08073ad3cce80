// inspect_mp4 and repair_mp4 (formats/inspect/modules.h): plain and fragmented MP4 (M4A),
// whole or cut short by a recorder that died. The top-level boxes are walked here (sizes
// checked against the file's length) to tell plain from fragmented and to find a cut last
// box; the track and its packets are FFmpeg's demuxer's; the repair is mp4_remux.h's.
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "formats/ffmpeg/av_handles.h"
#include "formats/ffmpeg/mp4_remux.h"
#include "formats/inspect/modules.h"
#include "formats/sys_error.h"

namespace sc::formats {
namespace {

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// What the top level of an MP4 holds.
struct TopLevel {
  bool moov = false;
  bool moof = false;
  int64_t moov_at = -1;
  int64_t mdat_at = -1;
  int64_t cut_at = -1;  // where a box starts that the file's end cuts short, else -1
  std::string bad;      // a box whose size cannot be: what and where
};

// Walks the top-level boxes: each step moves on by at least 8 bytes, so it ends.
Result<TopLevel> walk_boxes(const std::string& path) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    const int e = errno;
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", path, errno_text(e)));
  }
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0)
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", path, errno_text(errno)));
  const int64_t size = st.st_size;
  TopLevel top;
  int64_t at = 0;
  while (at + 8 <= size) {
    unsigned char h[16];
    if (fseeko(f.get(), at, SEEK_SET) != 0 || std::fread(h, 1, 8, f.get()) != 8) break;
    uint64_t box = (uint64_t{h[0]} << 24) | (uint64_t{h[1]} << 16) | (uint64_t{h[2]} << 8) | h[3];
    const std::string type(reinterpret_cast<const char*>(h + 4), 4);
    int64_t header = 8;
    if (box == 1) {
      if (at + 16 > size || std::fread(h + 8, 1, 8, f.get()) != 8) {
        top.cut_at = at;
        break;
      }
      box = 0;
      for (int i = 8; i < 16; ++i) box = (box << 8) | h[i];
      header = 16;
    } else if (box == 0) {
      box = static_cast<uint64_t>(size - at);  // to the end of the file
    }
    if (box < static_cast<uint64_t>(header)) {
      top.bad = fmt::format("box '{}' at offset {} has size {}", type, at, box);
      break;
    }
    if (type == "moov" && !top.moov) {
      top.moov = true;
      top.moov_at = at;
    }
    if (type == "moof") top.moof = true;
    if (type == "mdat" && top.mdat_at < 0) top.mdat_at = at;
    if (box > static_cast<uint64_t>(size - at)) {
      top.cut_at = at;
      break;
    }
    at += static_cast<int64_t>(box);
  }
  if (top.cut_at < 0 && top.bad.empty() && at < size && at + 8 > size) top.cut_at = at;
  return top;
}

std::string codec_name(const AVCodecParameters& par) {
  if (par.codec_id == AV_CODEC_ID_AAC) return "aac";
  if (par.codec_id == AV_CODEC_ID_ALAC) {
    // The 'alac' atom in extradata (size, tag, version, frameLength, compatibleVersion,
    // bitDepth): its bit depth, as FFmpeg's decoder reads it.
    int bits = par.bits_per_raw_sample;
    if (par.extradata != nullptr && par.extradata_size >= 36) bits = par.extradata[17];
    return bits == 24 ? "alac24" : "alac";
  }
  return avcodec_get_name(par.codec_id);
}

Error not_understood(const std::string& path, const std::string& why) {
  return make_error(Exit::data, fmt::format("cannot read '{}' as MP4: {}", path, why));
}

}  // namespace

Result<FileInfo> inspect_mp4(const std::string& path) {
  quiet_ffmpeg_logs();
  auto top = walk_boxes(path);
  if (!top) return top.error();
  if (!top->bad.empty() && !top->moov) return not_understood(path, top->bad);
  if (!top->moov) {
    return not_understood(
        path, top->cut_at >= 0
                  ? fmt::format("no moov box (the box at offset {} runs past the end)", top->cut_at)
                  : "no moov box");
  }
  AVFormatContext* raw = nullptr;
  if (int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); err < 0)
    return not_understood(path, av_error_text(err));
  InputFormatPtr input(raw);
  // The codec's parameters as its decoder sees them; bounded by FFmpeg's default probe limits.
  if (int err = avformat_find_stream_info(input.get(), nullptr); err < 0)
    return not_understood(path, av_error_text(err));
  int index = -1;
  for (unsigned i = 0; i < input->nb_streams && index < 0; ++i)
    if (input->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) index = static_cast<int>(i);
  if (index < 0) return not_understood(path, "no audio track");
  const AVStream* s = input->streams[index];
  const AVCodecParameters& par = *s->codecpar;
  if (par.sample_rate <= 0 || par.ch_layout.nb_channels <= 0)
    return not_understood(path, "the audio track has no rate or channels");

  FileInfo fi;
  fi.path = path;
  fi.format = "m4a";
  fi.codec = codec_name(par);
  fi.rate = static_cast<unsigned>(par.sample_rate);
  fi.channels = static_cast<unsigned>(par.ch_layout.nb_channels);

  // The packets: frames (priming trimmed: a first pts below 0 is the edit list's skip) and
  // bytes, and whether the end is cut (a read error or a packet cut short).
  struct stat st {};
  const int64_t size = ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
  auto walked = walk_packets(*input, index, size, [](AVPacket&) { return ok_status(); });
  if (!walked) return walked.error();
  const bool cut = walked->truncated || top->cut_at >= 0 || !top->bad.empty();
  fi.frames = walked->frames;
  const int64_t bytes = walked->bytes;
  fi.duration_s = static_cast<double>(fi.frames) / par.sample_rate;
  fi.bitrate =
      fi.duration_s > 0 ? static_cast<int64_t>(static_cast<double>(bytes) * 8 / fi.duration_s) : 0;
  fi.finalized = !top->moof && !cut;
  if (top->moof) {
    fi.repair = "make the fragmented MP4 plain (moov first)";
    if (cut) {
      *fi.repair += top->cut_at >= 0 ? fmt::format(
                                           ", dropping the truncated last fragment (the "
                                           "box at offset {} is cut short)",
                                           top->cut_at)
                                     : std::string(", dropping the truncated last fragment");
    }
  } else if (cut) {
    fi.repair = "copy the whole packets into a plain MP4, dropping the truncated end";
  }
  return fi;
}

Result<std::string> repair_mp4(const std::string& path, const std::string& out) {
  auto top = walk_boxes(path);
  if (!top) return top.error();
  auto stats = remux_to_plain(path, out);
  if (!stats) return stats.error();
  const double seconds = stats->rate > 0 ? static_cast<double>(stats->frames) / stats->rate : 0;
  std::string did =
      fmt::format("{} {} packets ({:.2f} s) into a plain MP4 (moov first)",
                  top->moof ? "made the fragmented MP4 plain:" : "copied", stats->packets, seconds);
  if (stats->truncated) did += ", dropping the truncated last fragment";
  if (stats->priming > 0) did += fmt::format("; {} priming frames signalled", stats->priming);
  return did;
}

}  // namespace sc::formats
