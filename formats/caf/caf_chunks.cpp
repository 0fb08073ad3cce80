// CAF chunks (caf_chunks.h).
#include "formats/caf/caf_chunks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <bit>
#include <cerrno>

#include "formats/sys_error.h"

namespace sc::formats::caf {
namespace {

// CoreAudioTypes.h channel layout tags.
constexpr uint32_t kLayoutMono = (100u << 16) | 1;
constexpr uint32_t kLayoutStereo = (101u << 16) | 2;
constexpr uint32_t kLayoutDiscreteInOrder = 147u << 16;

// MPEG-4 Systems descriptor tags and values (ISO/IEC 14496-1).
constexpr uint8_t kEsDescrTag = 3;
constexpr uint8_t kDecConfigDescrTag = 4;
constexpr uint8_t kDecSpecificInfoTag = 5;
constexpr uint8_t kSlConfigDescrTag = 6;
constexpr uint8_t kObjectTypeAac = 0x40;
constexpr uint8_t kAudioStream = (5 << 2) | 1;  // streamType audio, upStream 0, reserved 1

uint64_t be_at(std::span<const uint8_t> b, size_t pos, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[pos + static_cast<size_t>(i)];
  return v;
}

// A descriptor header with the 4-byte length form Apple writes.
void descriptor(Bytes& b, uint8_t tag, size_t length) {
  b.be(tag, 1);
  b.be(0x80 | ((length >> 21) & 0x7F), 1);
  b.be(0x80 | ((length >> 14) & 0x7F), 1);
  b.be(0x80 | ((length >> 7) & 0x7F), 1);
  b.be(length & 0x7F, 1);
}

Error bad(const std::string& path, uint64_t offset, const std::string& what) {
  return make_error(Exit::data, fmt::format("'{}' is not a CAF soundcheck understands: {} at "
                                            "offset {}",
                                            path, what, offset));
}

}  // namespace

void Bytes::ber(uint64_t v) {
  int groups = 1;
  while (groups < 10 && (v >> (7 * groups)) != 0) ++groups;
  for (int g = groups - 1; g >= 0; --g) {
    const auto seven = static_cast<uint8_t>((v >> (7 * g)) & 0x7F);
    out_.push_back(g > 0 ? static_cast<uint8_t>(seven | 0x80) : seven);
  }
}

bool read_ber(std::span<const uint8_t> b, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (int n = 0; n < 9; ++n) {
    if (*pos >= b.size()) return false;
    const uint8_t byte = b[(*pos)++];
    v = (v << 7) | (byte & 0x7F);
    if ((byte & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return false;
}

void put_file_header(Bytes& b) {
  b.tag(kCaff);
  b.be(1, 2);  // mFileVersion
  b.be(0, 2);  // mFileFlags
}

void put_desc(Bytes& b, const Desc& d) {
  b.tag(kDesc);
  b.be(32, 8);
  b.be(std::bit_cast<uint64_t>(d.rate), 8);
  b.tag(d.format_id);
  b.be(d.format_flags, 4);
  b.be(d.bytes_per_packet, 4);
  b.be(d.frames_per_packet, 4);
  b.be(d.channels, 4);
  b.be(d.bits_per_channel, 4);
}

void put_chan(Bytes& b, unsigned channels) {
  b.tag(kChan);
  b.be(12, 8);
  b.be(channels == 1   ? kLayoutMono
       : channels == 2 ? kLayoutStereo
                       : (kLayoutDiscreteInOrder | channels),
       4);
  b.be(0, 4);  // mChannelBitmap
  b.be(0, 4);  // mNumberChannelDescriptions
}

void put_kuki(Bytes& b, std::span<const uint8_t> cookie) {
  b.tag(kKuki);
  b.be(cookie.size(), 8);
  b.raw(cookie);
}

void put_data_header(Bytes& b, int64_t body_size) {
  b.tag(kData);
  b.be(static_cast<uint64_t>(body_size), 8);
  b.be(0, 4);  // mEditCount
}

void put_pakt(Bytes& b, const PaktHeader& h, std::span<const uint32_t> packet_sizes) {
  Bytes body;
  body.be(static_cast<uint64_t>(h.packets), 8);
  body.be(static_cast<uint64_t>(h.valid_frames), 8);
  body.be(static_cast<uint32_t>(h.priming_frames), 4);
  body.be(static_cast<uint32_t>(h.remainder_frames), 4);
  for (uint32_t s : packet_sizes) body.ber(s);
  b.tag(kPakt);
  b.be(body.data().size(), 8);
  b.raw(body.data());
}

std::vector<uint8_t> aac_cookie(std::span<const uint8_t> asc, unsigned channels, int64_t bit_rate) {
  constexpr size_t kHeader = 5;  // tag and 4-byte length
  const size_t dsi = kHeader + asc.size();
  const size_t dec_config = kHeader + 13 + dsi;
  const size_t sl_config = kHeader + 1;
  const size_t es = kHeader + 3 + dec_config + sl_config;
  Bytes b;
  b.be(0, 4);  // esds version and flags
  descriptor(b, kEsDescrTag, es - kHeader);
  b.be(0, 2);  // ES_ID
  b.be(0, 1);  // no dependency, URL or OCR stream
  descriptor(b, kDecConfigDescrTag, dec_config - kHeader);
  b.be(kObjectTypeAac, 1);
  b.be(kAudioStream, 1);
  b.be(6144 / 8 * channels, 3);  // bufferSizeDB: AAC's most bits per channel per frame
  const auto rate = static_cast<uint32_t>(bit_rate > 0 ? bit_rate : 0);
  b.be(rate, 4);  // maxBitrate
  b.be(rate, 4);  // avgBitrate
  descriptor(b, kDecSpecificInfoTag, asc.size());
  b.raw(asc);
  descriptor(b, kSlConfigDescrTag, 1);
  b.be(2, 1);  // predefined: MP4
  return std::move(b.data());
}

const Chunk* Layout::find(uint32_t type) const {
  for (const Chunk& c : chunks)
    if (c.type == type) return &c;
  return nullptr;
}

Result<std::vector<uint8_t>> read_at(int fd, uint64_t offset, uint64_t size,
                                     const std::string& path) {
  std::vector<uint8_t> out(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return make_error(Exit::no_input,
                        fmt::format("cannot read '{}': {}", path, errno_text(errno)));
    }
    if (n == 0) {
      return make_error(Exit::no_input,
                        fmt::format("cannot read '{}': it ends at offset {}", path, offset + done));
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

int write_all_at(int fd, const void* data, size_t size, uint64_t offset) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    p += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return 0;
}

Result<Layout> read_layout(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return make_error(Exit::no_input, fmt::format("cannot read '{}': {}", path, errno_text(errno)));
  Layout layout;
  layout.file_size = static_cast<uint64_t>(st.st_size);
  if (layout.file_size < 8) return bad(path, 0, "the file is shorter than a CAF header");
  auto head = read_at(fd, 0, 8, path);
  if (!head) return head.error();
  if (be_at(*head, 0, 4) != kCaff) return bad(path, 0, "no 'caff' signature");
  if (be_at(*head, 4, 2) != 1)
    return bad(path, 4, fmt::format("CAF version {}", be_at(*head, 4, 2)));

  uint64_t pos = 8;
  while (pos < layout.file_size) {
    if (layout.file_size - pos < kChunkHeaderBytes)
      return bad(path, pos, "a chunk header cut short by the end of the file");
    auto h = read_at(fd, pos, kChunkHeaderBytes, path);
    if (!h) return h.error();
    Chunk c;
    c.type = static_cast<uint32_t>(be_at(*h, 0, 4));
    c.header_offset = pos;
    c.body_offset = pos + kChunkHeaderBytes;
    c.size = static_cast<int64_t>(be_at(*h, 4, 8));
    const uint64_t room = layout.file_size - c.body_offset;
    if (c.size == kSizeToEnd && c.type == kData) {
      c.body_size = room;
      layout.chunks.push_back(c);
      break;  // the data runs to the end of the file
    }
    if (c.size < 0) {
      return bad(path, pos,
                 fmt::format("chunk '{}' has the negative size {}", fourcc_text(c.type), c.size));
    }
    if (static_cast<uint64_t>(c.size) > room) {
      return bad(path, pos,
                 fmt::format("chunk '{}' of {} bytes runs past the end of the file ({} bytes)",
                             fourcc_text(c.type), c.size, layout.file_size));
    }
    c.body_size = static_cast<uint64_t>(c.size);
    layout.chunks.push_back(c);
    pos = c.body_offset + c.body_size;
  }
  if (layout.chunks.empty() || layout.chunks.front().type != kDesc)
    return bad(path, 8, "the first chunk is not 'desc'");
  return layout;
}

Result<Desc> parse_desc(std::span<const uint8_t> body, const std::string& path, uint64_t offset) {
  if (body.size() < 32)
    return bad(path, offset, fmt::format("a 'desc' chunk of {} bytes (32 expected)", body.size()));
  Desc d;
  d.rate = std::bit_cast<double>(be_at(body, 0, 8));
  d.format_id = static_cast<uint32_t>(be_at(body, 8, 4));
  d.format_flags = static_cast<uint32_t>(be_at(body, 12, 4));
  d.bytes_per_packet = static_cast<uint32_t>(be_at(body, 16, 4));
  d.frames_per_packet = static_cast<uint32_t>(be_at(body, 20, 4));
  d.channels = static_cast<uint32_t>(be_at(body, 24, 4));
  d.bits_per_channel = static_cast<uint32_t>(be_at(body, 28, 4));
  if (!(d.rate >= 1 && d.rate <= 1e7))
    return bad(path, offset + 12, fmt::format("a sample rate of {}", d.rate));
  if (d.channels < 1 || d.channels > 1024)
    return bad(path, offset + 36, fmt::format("{} channels", d.channels));
  return d;
}

Result<Pakt> parse_pakt(std::span<const uint8_t> body, const std::string& path, uint64_t offset) {
  if (body.size() < 24)
    return bad(path, offset, fmt::format("a 'pakt' chunk of {} bytes (24 at least)", body.size()));
  Pakt p;
  p.header.packets = static_cast<int64_t>(be_at(body, 0, 8));
  p.header.valid_frames = static_cast<int64_t>(be_at(body, 8, 8));
  p.header.priming_frames = static_cast<int32_t>(be_at(body, 16, 4));
  p.header.remainder_frames = static_cast<int32_t>(be_at(body, 20, 4));
  // Each entry takes a byte at least: more packets than bytes cannot be.
  if (p.header.packets < 0 || static_cast<uint64_t>(p.header.packets) > body.size() - 24) {
    return bad(
        path, offset + 12,
        fmt::format("a packet table of {} packets in {} bytes", p.header.packets, body.size()));
  }
  p.sizes.reserve(static_cast<size_t>(p.header.packets));
  size_t pos = 24;
  for (int64_t i = 0; i < p.header.packets; ++i) {
    uint64_t v = 0;
    const size_t at = pos;
    if (!read_ber(body, &pos, &v) || v > UINT32_MAX) {
      return bad(path, offset + kChunkHeaderBytes + at,
                 fmt::format("packet table entry {} of {} is cut short", i, p.header.packets));
    }
    p.sizes.push_back(static_cast<uint32_t>(v));
  }
  return p;
}

std::string fourcc_text(uint32_t t) {
  std::string s;
  for (int i = 3; i >= 0; --i) {
    const char c = static_cast<char>((t >> (8 * i)) & 0xFF);
    if (c < 0x20 || c > 0x7E) return fmt::format("0x{:08x}", t);
    s.push_back(c);
  }
  return s;
}

}  // namespace sc::formats::caf
