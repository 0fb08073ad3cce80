// WAV (RIFF/WAVE) and RF64/BW64 (EBU Tech 3306: a ds64 chunk holds the 64-bit sizes) for
// inspect_file and repair_file (modules.h).
//
// The chunks are walked with every size checked against the file's length. A file is finalized
// when its RIFF size and data size (or the ds64 sizes) agree with what is on disk; otherwise,
// as a recorder killed between a write and its header update leaves it, the data is taken to
// run to the end of the file, in whole frames (the fmt chunk's block align), and repair writes
// a copy with the sizes set. The data size is trusted when the bytes after the data it claims
// are whole chunks up to the end of the file (LIST, id3 ...); a size of 0 or 0xFFFFFFFF with
// audio after it is "unknown", and a size beyond the file "wrong". A RIFF whose data grew past
// 4 GiB is written as RF64, in the place of the JUNK chunk libsndfile (and others) reserve for
// ds64; without one it is refused (65).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "formats/inspect/file_io.h"
#include "formats/inspect/modules.h"

namespace sc::formats {
namespace {

constexpr uint32_t kUnknown32 = 0xFFFFFFFFu;
constexpr uint64_t kDs64Body = 28;  // riff64, data64, samples64, table length

struct WavLayout {
  uint64_t file_size = 0;
  bool rf64 = false;  // "RF64" or "BW64" at offset 0
  uint32_t riff32 = 0;
  // ds64
  uint64_t ds64_off = 0;  // the chunk's header; 0: none
  uint64_t ds64_riff = 0, ds64_data = 0;
  // fmt
  uint16_t tag = 0, channels = 0, block_align = 0, bits = 0;
  uint32_t rate = 0, byte_rate = 0;
  uint64_t fact_off = 0;                 // the fact chunk's body; 0: none
  uint64_t junk_off = 0, junk_size = 0;  // a JUNK chunk before the data (room for ds64)
  // data
  uint64_t data_hdr = 0;  // offset of the data chunk's header
  uint64_t data_off = 0;  // its first byte
  uint32_t data32 = 0;
  uint64_t data_bytes = 0;              // the whole frames a finalized copy holds
  uint64_t tail_off = 0, tail_len = 0;  // whole chunks after the data, kept
  std::vector<std::string> problems;    // why it is not finalized
  std::string data_note;                // why the data size is what it is, for `repair`
};

Error bad(const std::string& path, std::string what) {
  return make_error(Exit::data, fmt::format("'{}': {}", path, what),
                    "it is not a WAV file this program can read or repair");
}

bool printable_id(const unsigned char* p) {
  for (int i = 0; i < 4; ++i)
    if (p[i] < 0x20 || p[i] >= 0x7f) return false;
  return true;
}

// Whether [pos, end) is whole chunks with printable ids, up to the end (the last one's pad
// byte may be missing).
bool whole_chunks(int fd, uint64_t pos, uint64_t end) {
  while (pos < end) {
    unsigned char h[8];
    if (end - pos < 8 || read_at(fd, h, 8, pos) != 8 || !printable_id(h)) return false;
    const uint64_t size = le32(h + 4);
    if (size > end - pos - 8) return false;
    pos += 8 + size + (size & 1);
  }
  return pos == end || pos == end + 1;
}

Status read_fmt(int fd, const std::string& path, uint64_t body, uint64_t size, WavLayout& w) {
  if (size < 16)
    return bad(path, fmt::format("the fmt chunk at offset {} is {} bytes, not 16 or more", body - 8,
                                 size));
  unsigned char f[40] = {};
  const size_t want = size >= 40 ? 40 : 16;
  if (read_at(fd, f, want, body) != static_cast<long>(want))
    return bad(path, "cannot read the fmt chunk");
  w.tag = le16(f);
  w.channels = le16(f + 2);
  w.rate = le32(f + 4);
  w.byte_rate = le32(f + 8);
  w.block_align = le16(f + 12);
  w.bits = le16(f + 14);
  if (w.tag == 0xFFFE) {
    if (want < 40)
      return bad(path, "the fmt chunk says WAVE_FORMAT_EXTENSIBLE but has no subformat");
    w.tag = le16(f + 24);
  }
  if (w.channels == 0 || w.channels > 1024)
    return bad(path, fmt::format("the fmt chunk says {} channels", w.channels));
  if (w.rate == 0 || w.rate > 10'000'000)
    return bad(path, fmt::format("the fmt chunk says a rate of {} Hz", w.rate));
  if (w.block_align == 0) return bad(path, "the fmt chunk says a block align of 0");
  const bool pcm = w.tag == 1 || w.tag == 3 || w.tag == 6 || w.tag == 7;
  if (pcm && (w.bits == 0 || w.block_align != w.channels * ((w.bits + 7u) / 8u)))
    return bad(path,
               fmt::format("the fmt chunk's block align {} does not fit {} channels of {} bits",
                           w.block_align, w.channels, w.bits));
  return ok_status();
}

std::string codec_of(const WavLayout& w, bool& pcm) {
  pcm = true;
  if (w.tag == 1) {
    switch (w.bits) {
      case 8:
        return "pcm_u8";
      case 16:
        return "pcm16";
      case 24:
        return "pcm24";
      case 32:
        return "pcm32";
      default:
        return fmt::format("pcm{}", w.bits);
    }
  }
  if (w.tag == 3) return w.bits == 64 ? "float64" : fmt::format("float{}", w.bits);
  if (w.tag == 6) return "alaw";
  if (w.tag == 7) return "ulaw";
  pcm = false;
  return fmt::format("wav format 0x{:04x}", w.tag);
}

// The data chunk at `off`: where it is, what it holds, what is wrong with its size.
Status read_data(int fd, uint64_t off, const unsigned char* h, WavLayout& w) {
  w.data_hdr = off;
  w.data_off = off + 8;
  w.data32 = le32(h + 4);
  const uint64_t avail = w.file_size - w.data_off;
  const uint64_t block = w.block_align;
  bool known = true;
  uint64_t declared = w.data32;
  if (w.rf64 && w.ds64_off != 0 && w.data32 == kUnknown32)
    declared = w.ds64_data;
  else if (w.data32 == kUnknown32)
    known = false;
  if (known && declared <= avail) {
    const uint64_t end = w.data_off + declared;
    if (whole_chunks(fd, end + (declared & 1), w.file_size) || end == w.file_size) {
      w.data_bytes = declared - declared % block;
      if (w.data_bytes != declared)
        w.problems.push_back(fmt::format("drop the partial frame ({} bytes) at the end of the data",
                                         declared - w.data_bytes));
      w.tail_off = std::min(end + (declared & 1), w.file_size);
      w.tail_len = w.file_size - w.tail_off;
      return ok_status();
    }
  }
  w.data_bytes = avail - avail % block;
  if (!known)
    w.data_note = "it is unknown (0xFFFFFFFF)";
  else if (declared > avail)
    w.data_note = fmt::format("it says {}, more than the file holds", declared);
  else
    w.data_note = fmt::format("it says {}, and the data runs to the end of the file", declared);
  if (avail != w.data_bytes)
    w.problems.push_back(
        fmt::format("drop the partial last frame ({} of {} bytes)", avail - w.data_bytes, block));
  return ok_status();
}

Result<WavLayout> parse_wav(int fd, uint64_t file_size, const std::string& path) {
  WavLayout w;
  w.file_size = file_size;
  unsigned char h[12];
  if (read_at(fd, h, 12, 0) != 12) return bad(path, "the file ends inside the RIFF header");
  w.rf64 = h[0] != 'R' || h[1] != 'I';  // RF64 or BW64 (inspect_file chose this module)
  w.riff32 = le32(h + 4);
  if (std::string(reinterpret_cast<char*>(h + 8), 4) != "WAVE")
    return bad(path, fmt::format("the RIFF form is '{}', not 'WAVE'", fourcc_text(h + 8)));
  bool have_fmt = false;
  uint64_t off = 12;
  while (off + 8 <= file_size) {
    unsigned char c[8];
    if (read_at(fd, c, 8, off) != 8)
      return bad(path, fmt::format("cannot read the chunk at offset {}", off));
    const std::string id(reinterpret_cast<char*>(c), 4);
    const uint64_t size = le32(c + 4);
    const uint64_t body = off + 8;
    if (id == "data") {
      if (!have_fmt) return bad(path, "the data chunk comes before the fmt chunk");
      if (auto s = read_data(fd, off, c, w); !s) return s.error();
      return w;
    }
    if (size > file_size - body)
      return bad(path, fmt::format("the '{}' chunk at offset {} says {} bytes, beyond the end of "
                                   "the file ({} bytes) before any data",
                                   fourcc_text(c), off, size, file_size));
    if (id == "ds64" && w.rf64 && size >= 16) {
      unsigned char d[16];
      if (read_at(fd, d, 16, body) != 16) return bad(path, "cannot read the ds64 chunk");
      w.ds64_off = off;
      w.ds64_riff = le64(d);
      w.ds64_data = le64(d + 8);
    } else if (id == "fmt ") {
      if (auto s = read_fmt(fd, path, body, size, w); !s) return s.error();
      have_fmt = true;
    } else if (id == "fact" && size >= 4) {
      w.fact_off = body;
    } else if ((id == "JUNK" || id == "junk") && size >= kDs64Body && w.junk_off == 0) {
      w.junk_off = off;
      w.junk_size = size;
    }
    off = body + size + (size & 1);
  }
  return bad(path, have_fmt ? fmt::format("no data chunk (the chunks end at offset {})", off)
                            : "no fmt chunk and no data chunk");
}

// The sizes a finalized copy has, and whether it must be RF64.
struct Plan {
  bool rf64 = false;
  bool pad = false;   // a pad byte after odd data: before chunks that follow, or where one was
  uint64_t size = 0;  // of the copy
};

Result<Plan> plan_of(const WavLayout& w, const std::string& path) {
  Plan p;
  const bool room = w.data_off + w.data_bytes < w.file_size;
  p.pad = (w.data_bytes & 1) && (w.tail_len > 0 || room);
  p.size = w.data_off + w.data_bytes + (p.pad ? 1 : 0) + w.tail_len;
  const bool fits = p.size - 8 <= 0xFFFFFFFEull && w.data_bytes < kUnknown32;
  p.rf64 = (w.rf64 && w.ds64_off != 0) || !fits;
  if (p.rf64 && w.ds64_off == 0 && w.junk_off == 0)
    return make_error(Exit::data,
                      fmt::format("cannot repair '{}': its {} bytes of data need RF64, and it has "
                                  "no JUNK chunk to hold the ds64 sizes",
                                  path, w.data_bytes),
                      "convert it with another tool (sox, ffmpeg) to RF64, CAF or FLAC");
  return p;
}

// Adds what a finalized copy would change to w.problems.
void check_sizes(WavLayout& w, const Plan& p) {
  auto& pr = w.problems;
  const bool data_changed = !w.data_note.empty();
  const std::string note = data_changed ? fmt::format(" ({})", w.data_note) : "";
  std::string text;
  if (p.rf64) {
    const bool ds64_ok = w.ds64_off != 0 && w.ds64_riff == p.size - 8 &&
                         w.ds64_data == w.data_bytes &&
                         (w.data32 == kUnknown32 || w.data32 == w.data_bytes);
    if (!ds64_ok || data_changed)
      text = fmt::format("set the ds64 data size to {} bytes{} and the RIFF size to {}",
                         w.data_bytes, note, p.size - 8);
    if (!w.rf64) text = fmt::format("write it as RF64 (its data is over 4 GiB) and {}", text);
  } else if (w.rf64) {
    text = fmt::format(
        "write it as WAV (an RF64 file without a ds64 chunk) with the data size {} "
        "bytes{} and the RIFF size {}",
        w.data_bytes, note, p.size - 8);
  } else if (data_changed || w.data32 != w.data_bytes) {
    text = fmt::format("set the data size to {} bytes{} and the RIFF size to {}", w.data_bytes,
                       note, p.size - 8);
  } else if (w.riff32 != p.size - 8) {
    text = fmt::format("set the RIFF size to {} (it says {})", p.size - 8, w.riff32);
  }
  if (!text.empty()) pr.insert(pr.begin(), text);
}

}  // namespace

Result<FileInfo> inspect_wav(const std::string& path) {
  uint64_t size = 0;
  auto fd = open_input(path, size);
  if (!fd) return fd.error();
  auto w = parse_wav(fd->get(), size, path);
  if (!w) return w.error();
  auto plan = plan_of(*w, path);
  if (!plan) return plan.error();
  check_sizes(*w, *plan);
  if (plan->size != size && w->problems.empty())  // a partial frame or a missing pad byte
    w->problems.push_back(fmt::format("make the file {} bytes long", plan->size));
  FileInfo info;
  info.format = w->rf64 ? "rf64" : "wav";
  bool pcm = false;
  info.codec = codec_of(*w, pcm);
  info.rate = w->rate;
  info.channels = w->channels;
  info.frames = w->data_bytes / w->block_align;
  info.bitrate = pcm ? int64_t{8} * w->rate * w->block_align : int64_t{8} * w->byte_rate;
  if (!pcm) {  // compressed in WAV (ADPCM, MP3...): FFmpeg counts its frames
    if (auto g = inspect_generic(path); g) {
      info.codec = g->codec;
      info.frames = g->frames;
      if (g->bitrate > 0) info.bitrate = g->bitrate;
    }
  }
  info.duration_s = static_cast<double>(info.frames) / info.rate;
  info.finalized = w->problems.empty();
  if (!info.finalized) {
    std::string text;
    for (size_t i = 0; i < w->problems.size(); ++i) text += (i ? ", " : "") + w->problems[i];
    info.repair = text;
  }
  return info;
}

Result<std::string> repair_wav(const std::string& path, const std::string& out) {
  uint64_t size = 0;
  auto in = open_input(path, size);
  if (!in) return in.error();
  auto w = parse_wav(in->get(), size, path);
  if (!w) return w.error();
  auto plan = plan_of(*w, path);
  if (!plan) return plan.error();
  check_sizes(*w, *plan);
  auto dst = create_output(out);
  if (!dst) return dst.error();
  const int i = in->get(), o = dst->get();
  if (auto s = copy_range(i, 0, o, 0, w->data_off + w->data_bytes, path, out); !s) return s.error();
  uint64_t at = w->data_off + w->data_bytes;
  if (plan->pad) {
    const unsigned char zero = 0;
    if (auto s = write_at(o, &zero, 1, at, out); !s) return s.error();
    at += 1;
  }
  if (w->tail_len > 0) {
    if (auto s = copy_range(i, w->tail_off, o, at, w->tail_len, path, out); !s) return s.error();
    at += w->tail_len;
  }
  const uint64_t frames = w->data_bytes / w->block_align;
  unsigned char b[8];
  auto put32 = [&](uint64_t off, uint32_t v) {
    put_le32(b, v);
    return write_at(o, b, 4, off, out);
  };
  auto put64 = [&](uint64_t off, uint64_t v) {
    put_le64(b, v);
    return write_at(o, b, 8, off, out);
  };
  std::vector<Status> done;
  if (plan->rf64) {
    uint64_t ds64 = w->ds64_off;
    if (ds64 == 0) {  // the JUNK chunk becomes ds64
      ds64 = w->junk_off;
      done.push_back(write_at(o, "ds64", 4, ds64, out));
      done.push_back(put32(ds64 + 8 + 24, 0));  // table length
    }
    if (!w->rf64) done.push_back(write_at(o, "RF64", 4, 0, out));
    done.push_back(put32(4, kUnknown32));
    done.push_back(put64(ds64 + 8, at - 8));
    done.push_back(put64(ds64 + 16, w->data_bytes));
    done.push_back(put64(ds64 + 24, frames));
    done.push_back(put32(w->data_hdr + 4, kUnknown32));
  } else {
    if (w->rf64) done.push_back(write_at(o, "RIFF", 4, 0, out));
    done.push_back(put32(4, static_cast<uint32_t>(at - 8)));
    done.push_back(put32(w->data_hdr + 4, static_cast<uint32_t>(w->data_bytes)));
  }
  if (w->fact_off != 0)
    done.push_back(
        put32(w->fact_off, frames > kUnknown32 ? kUnknown32 : static_cast<uint32_t>(frames)));
  for (auto& s : done)
    if (!s) return s.error();
  std::string what;
  for (size_t k = 0; k < w->problems.size(); ++k) what += (k ? ", " : "") + w->problems[k];
  return fmt::format("fixed the header: {} ({} whole frames)", what, frames);
}

}  // namespace sc::formats
