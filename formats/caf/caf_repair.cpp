// inspect_caf and repair_caf (modules.h): PCM CAFs and AAC or ALAC packet CAFs, finished or
// left by a recorder that stopped before its close() (data size -1, no packet table).
//
// A PCM CAF of size -1 (`soundcheck record -f caf - > take.caf`) is repaired by writing the
// data size that the file's length gives (whole frames). A packet CAF needs its journal
// (packet_journal.h): raw AAC and ALAC packets carry no length, so the sizes of the packets in
// the data chunk come from `<path>.journal`; the packets whose bytes are all on disk are kept
// (a last packet cut short is dropped) and the copy gets a real data size and a 'pakt'.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "formats/caf/caf_chunks.h"
#include "formats/caf/packet_journal.h"
#include "formats/inspect/modules.h"
#include "formats/new_file.h"
#include "formats/sys_error.h"

namespace sc::formats {
namespace {

using caf::Chunk;
using caf::Desc;
using caf::Layout;

Error bad(const std::string& path, uint64_t offset, const std::string& what) {
  return make_error(
      Exit::data,
      fmt::format("'{}' is not a CAF soundcheck understands: {} at offset {}", path, what, offset));
}

// A CAF open for reading with its chunk list, 'desc' and data chunk.
struct Caf {
  UniqueFd fd;
  Layout layout;
  Desc desc;
  Chunk data;
  std::vector<uint8_t> kuki;
  bool pcm() const { return desc.format_id == caf::kLpcm; }
  bool size_to_end() const { return data.size == caf::kSizeToEnd; }
  uint64_t audio_offset() const { return data.body_offset + caf::kEditCountBytes; }
  uint64_t audio_bytes() const { return data.body_size - caf::kEditCountBytes; }
};

Result<Caf> open_caf(const std::string& path) {
  Caf c;
  c.fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (c.fd.get() < 0) {
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", path, errno_text(errno)));
  }
  auto layout = caf::read_layout(c.fd.get(), path);
  if (!layout) return layout.error();
  c.layout = std::move(*layout);
  const Chunk& desc = c.layout.chunks.front();
  auto body =
      caf::read_at(c.fd.get(), desc.body_offset, std::min<uint64_t>(desc.body_size, 32), path);
  if (!body) return body.error();
  auto d = caf::parse_desc(*body, path, desc.header_offset);
  if (!d) return d.error();
  c.desc = *d;
  const Chunk* data = c.layout.find(caf::kData);
  if (data == nullptr) return bad(path, c.layout.file_size, "no 'data' chunk");
  if (data->body_size < caf::kEditCountBytes)
    return bad(path, data->header_offset, "a 'data' chunk without its edit count");
  c.data = *data;
  if (const Chunk* kuki = c.layout.find(caf::kKuki); kuki != nullptr && kuki->body_size <= 4096) {
    auto k = caf::read_at(c.fd.get(), kuki->body_offset, kuki->body_size, path);
    if (!k) return k.error();
    c.kuki = std::move(*k);
  }
  return c;
}

// soundcheck's codec names for what the desc says; an error for what it does not read.
Result<std::string> codec_name(const Caf& c, const std::string& path) {
  const Desc& d = c.desc;
  const uint64_t at = c.layout.chunks.front().header_offset + 12;
  if (d.format_id == caf::kLpcm) {
    const bool is_float = (d.format_flags & caf::kLpcmIsFloat) != 0;
    if (d.bytes_per_packet != d.channels * d.bits_per_channel / 8 || d.frames_per_packet != 1)
      return bad(path, at, fmt::format("linear PCM of {} bytes a packet", d.bytes_per_packet));
    if (is_float && d.bits_per_channel == 32) return std::string("float32");
    if (!is_float && d.bits_per_channel == 16) return std::string("pcm16");
    if (!is_float && d.bits_per_channel == 24) return std::string("pcm24");
    if (!is_float && d.bits_per_channel == 32) return std::string("pcm32");
    return bad(path, at,
               fmt::format("{}-bit {} PCM", d.bits_per_channel, is_float ? "float" : "integer"));
  }
  if (d.frames_per_packet == 0 || d.frames_per_packet > 65536)
    return bad(path, at, fmt::format("{} frames per packet", d.frames_per_packet));
  if (d.format_id == caf::kAac) return std::string("aac");
  if (d.format_id == caf::kAlac) {
    // The flags give the source bit depth; FFmpeg's muxer writes 0, then the cookie says.
    const unsigned depth = d.format_flags == caf::kAlac16Bit   ? 16
                           : d.format_flags == caf::kAlac24Bit ? 24
                           : c.kuki.size() >= 24               ? c.kuki[5]
                                                               : 0;
    return std::string(depth == 24 ? "alac24" : "alac");
  }
  return bad(path, at, fmt::format("codec '{}'", caf::fourcc_text(d.format_id)));
}

// The packets of the journal whose bytes are all in the file.
struct Plan {
  std::vector<uint32_t> sizes;
  uint64_t bytes = 0;
  size_t dropped = 0;    // entries whose bytes are not all on disk
  uint32_t priming = 0;  // priming frames of the whole table
  uint64_t valid_frames = 0;
};

Result<Plan> plan_from_journal(const Caf& c, const caf::Journal& j, const std::string& path,
                               const std::string& jpath) {
  const caf::JournalHeader& h = j.header;
  const Desc& d = c.desc;
  const auto mismatch = [&](std::string_view what, uint64_t journal, uint64_t file) {
    return make_error(Exit::data,
                      fmt::format("the journal '{}' does not belong to '{}': its {} is {}, the "
                                  "file's {}",
                                  jpath, path, what, journal, file));
  };
  if (h.format_id != d.format_id) {
    return make_error(
        Exit::data,
        fmt::format("the journal '{}' does not belong to '{}': its codec is '{}', the file's '{}'",
                    jpath, path, caf::fourcc_text(h.format_id), caf::fourcc_text(d.format_id)));
  }
  if (h.format_flags != d.format_flags)
    return mismatch("format flags", h.format_flags, d.format_flags);
  if (h.rate != static_cast<uint32_t>(d.rate))
    return mismatch("rate", h.rate, static_cast<uint64_t>(d.rate));
  if (h.channels != d.channels) return mismatch("channel count", h.channels, d.channels);
  if (h.frames_per_packet != d.frames_per_packet)
    return mismatch("frames per packet", h.frames_per_packet, d.frames_per_packet);
  if (h.data_offset != c.audio_offset())
    return mismatch("first packet offset", h.data_offset, c.audio_offset());
  const uint64_t max_packet = uint64_t{h.frames_per_packet} * h.channels * 4 + 4096;
  Plan p;
  uint64_t room = c.audio_bytes();
  for (size_t i = 0; i < j.sizes.size(); ++i) {
    const uint32_t s = j.sizes[i];
    if (s == 0 || s > max_packet) {
      return make_error(Exit::data,
                        fmt::format("the journal '{}' is damaged: packet {} has {} bytes (a "
                                    "packet of {} frames in {} channels takes 1 to {}) at offset "
                                    "{}",
                                    jpath, i, s, h.frames_per_packet, h.channels, max_packet,
                                    caf::kJournalHeaderBytes + i * 4));
    }
    if (s > room) {
      p.dropped = j.sizes.size() - i;
      break;
    }
    room -= s;
    p.bytes += s;
    p.sizes.push_back(s);
  }
  const uint64_t total = p.sizes.size() * uint64_t{h.frames_per_packet};
  p.priming = static_cast<uint32_t>(std::min<uint64_t>(h.priming_frames, total));
  p.valid_frames = total - p.priming;
  return p;
}

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Error no_journal(const std::string& path, const std::string& jpath, const std::string& codec) {
  return make_error(Exit::data,
                    fmt::format("cannot repair '{}': raw {} packets carry no length, so their "
                                "sizes must come from the journal '{}', and it is missing",
                                path, codec == "aac" ? "AAC" : "ALAC", jpath),
                    "the journal is written beside the file while recording: look for it "
                    "where the recording was made");
}

// Copies `size` bytes at `from` of `in` to `to` of `out`; errors name `out`.
Status copy_range(int in, uint64_t from, uint64_t size, int out, uint64_t to,
                  const std::string& in_path, const std::string& out_path) {
  constexpr uint64_t kPiece = 1 << 20;
  while (size > 0) {
    const uint64_t n = std::min(size, kPiece);
    auto bytes = caf::read_at(in, from, n, in_path);
    if (!bytes) return bytes.error();
    if (const int e = caf::write_all_at(out, bytes->data(), n, to); e != 0) {
      return make_error(Exit::io, fmt::format("cannot write '{}': {}", out_path, errno_text(e)),
                        write_hint(e));
    }
    from += n;
    to += n;
    size -= n;
  }
  return ok_status();
}

// Writes to `out` the chunks before the data chunk (a stale 'pakt' left out), a data chunk of
// `audio_bytes` copied from the file, and `tail` after it.
Status write_copy(const Caf& c, const std::string& path, const std::string& out,
                  uint64_t audio_bytes, const std::vector<uint8_t>& tail) {
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) return create_error(out, errno);
  UnlinkGuard guard(out);
  uint64_t at = 0;
  if (Status s = copy_range(c.fd.get(), 0, 8, fd.get(), at, path, out); !s) return s;
  at += 8;
  for (const Chunk& k : c.layout.chunks) {
    if (k.header_offset >= c.data.header_offset) break;
    if (k.type == caf::kPakt) continue;
    const uint64_t n = caf::kChunkHeaderBytes + k.body_size;
    if (Status s = copy_range(c.fd.get(), k.header_offset, n, fd.get(), at, path, out); !s)
      return s;
    at += n;
  }
  caf::Bytes head;
  caf::put_data_header(head, static_cast<int64_t>(audio_bytes + caf::kEditCountBytes));
  const auto write = [&](const std::vector<uint8_t>& b) {
    if (const int e = caf::write_all_at(fd.get(), b.data(), b.size(), at); e != 0) {
      return Status(make_error(Exit::io, fmt::format("cannot write '{}': {}", out, errno_text(e)),
                               write_hint(e)));
    }
    at += b.size();
    return ok_status();
  };
  if (Status s = write(head.data()); !s) return s;
  if (Status s = copy_range(c.fd.get(), c.audio_offset(), audio_bytes, fd.get(), at, path, out); !s)
    return s;
  at += audio_bytes;
  if (Status s = write(tail); !s) return s;
  if (::fsync(fd.get()) != 0)
    return make_error(Exit::io, fmt::format("cannot write '{}': {}", out, errno_text(errno)));
  guard.dismiss();
  return ok_status();
}

}  // namespace

Result<FileInfo> inspect_caf(const std::string& path) {
  auto opened = open_caf(path);
  if (!opened) return opened.error();
  const Caf& c = *opened;
  auto codec = codec_name(c, path);
  if (!codec) return codec.error();
  FileInfo info;
  info.path = path;
  info.format = "caf";
  info.codec = *codec;
  info.rate = static_cast<unsigned>(c.desc.rate);
  info.channels = c.desc.channels;
  uint64_t audio_bytes = c.audio_bytes();
  if (c.pcm()) {
    info.frames = audio_bytes / c.desc.bytes_per_packet;
    info.bitrate = static_cast<int64_t>(c.desc.rate * c.desc.bytes_per_packet * 8);
    if (c.size_to_end()) {
      info.finalized = false;
      info.repair = "set the data size from the file's length";
    }
  } else {
    const Chunk* pakt = c.layout.find(caf::kPakt);
    if (!c.size_to_end() && pakt != nullptr) {
      auto body = caf::read_at(c.fd.get(), pakt->body_offset, pakt->body_size, path);
      if (!body) return body.error();
      auto table = caf::parse_pakt(*body, path, pakt->header_offset);
      if (!table) return table.error();
      uint64_t sum = 0;
      for (uint32_t s : table->sizes) sum += s;
      if (sum > audio_bytes) {
        return bad(
            path, pakt->header_offset,
            fmt::format("a packet table of {} bytes for a data chunk of {}", sum, audio_bytes));
      }
      const uint64_t capacity = table->sizes.size() * uint64_t{c.desc.frames_per_packet};
      if (table->header.valid_frames < 0 ||
          static_cast<uint64_t>(table->header.valid_frames) > capacity) {
        return bad(path, pakt->header_offset + 20,
                   fmt::format("{} valid frames in {} packets of {}", table->header.valid_frames,
                               table->sizes.size(), c.desc.frames_per_packet));
      }
      info.frames = static_cast<uint64_t>(table->header.valid_frames);
      audio_bytes = sum;
      // A recorder killed after its packet table was written but before it removed the
      // journal: the file is whole, the journal is a leftover (repair_file removes it).
      if (const std::string jpath = caf::journal_path(path); ::access(jpath.c_str(), F_OK) == 0)
        info.repair =
            fmt::format("remove the leftover journal {} (the file is finalized)", file_name(jpath));
    } else {
      info.finalized = false;
      const std::string jpath = caf::journal_path(path);
      auto journal = caf::read_journal(jpath);
      if (journal) {
        auto plan = plan_from_journal(c, *journal, path, jpath);
        if (plan) {
          info.frames = plan->valid_frames;
          audio_bytes = plan->bytes;
          info.repair = fmt::format("rebuild the packet table from {}", file_name(jpath));
        } else {
          info.repair = fmt::format("none possible: {}", plan.error().message);
        }
      } else if (journal.error().exit == Exit::no_input) {
        info.repair = fmt::format(
            "none possible: raw {} packets carry no length and the journal {} is missing",
            info.codec == "aac" ? "AAC" : "ALAC", file_name(jpath));
      } else {
        info.repair = fmt::format("none possible: {}", journal.error().message);
      }
    }
  }
  info.duration_s = static_cast<double>(info.frames) / c.desc.rate;
  if (!c.pcm() && info.duration_s > 0)
    info.bitrate = static_cast<int64_t>(static_cast<double>(audio_bytes) * 8 / info.duration_s);
  return info;
}

Result<std::string> repair_caf(const std::string& path, const std::string& out) {
  auto opened = open_caf(path);
  if (!opened) return opened.error();
  const Caf& c = *opened;
  auto codec = codec_name(c, path);
  if (!codec) return codec.error();
  if (c.pcm()) {
    const uint64_t bpp = c.desc.bytes_per_packet;
    const uint64_t frames = c.audio_bytes() / bpp;
    if (Status s = write_copy(c, path, out, frames * bpp, {}); !s) return s.error();
    return fmt::format("set the data size to {} frames from the file's length", frames);
  }
  const std::string jpath = caf::journal_path(path);
  auto journal = caf::read_journal(jpath);
  if (!journal) {
    if (journal.error().exit == Exit::no_input) return no_journal(path, jpath, *codec);
    return journal.error();
  }
  auto plan = plan_from_journal(c, *journal, path, jpath);
  if (!plan) return plan.error();
  caf::PaktHeader h;
  h.packets = static_cast<int64_t>(plan->sizes.size());
  h.valid_frames = static_cast<int64_t>(plan->valid_frames);
  h.priming_frames = static_cast<int32_t>(plan->priming);
  caf::Bytes pakt;
  caf::put_pakt(pakt, h, plan->sizes);
  if (Status s = write_copy(c, path, out, plan->bytes, pakt.data()); !s) return s.error();
  std::string did = fmt::format("rebuilt the packet table of {} packets ({} frames) from {}",
                                plan->sizes.size(), plan->valid_frames, file_name(jpath));
  if (plan->dropped > 0) {
    did += fmt::format("; dropped {} packet{} cut short at the end", plan->dropped,
                       plan->dropped == 1 ? "" : "s");
  }
  return did;
}

}  // namespace sc::formats
