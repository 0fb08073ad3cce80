// The pieces of Apple's Core Audio Format that soundcheck writes and reads (internal to
// formats/): builders for the chunks of a packet CAF ('caff' header, 'desc', 'chan', 'kuki',
// the 'data' header, 'pakt') and a bounds-checked reader of a CAF file's chunk list. All CAF
// numbers are big-endian. Any thread; no state.
//
// The reader never trusts a size field: every chunk must lie inside the file, and a size of -1
// ("to the end of the file", Apple's spec, for a file still being written) is taken only for
// the 'data' chunk, which then ends the list.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace sc::formats::caf {

constexpr uint32_t fourcc(const char (&s)[5]) {
  return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) |
         (uint32_t(uint8_t(s[2])) << 8) | uint32_t(uint8_t(s[3]));
}

constexpr uint32_t kCaff = fourcc("caff");
constexpr uint32_t kDesc = fourcc("desc");
constexpr uint32_t kChan = fourcc("chan");
constexpr uint32_t kKuki = fourcc("kuki");
constexpr uint32_t kData = fourcc("data");
constexpr uint32_t kPakt = fourcc("pakt");
constexpr uint32_t kLpcm = fourcc("lpcm");
constexpr uint32_t kAac = fourcc("aac ");
constexpr uint32_t kAlac = fourcc("alac");

constexpr uint32_t kLpcmIsFloat = 1;         // desc flags of 'lpcm'
constexpr uint32_t kLpcmIsLittleEndian = 2;  //
constexpr uint32_t kAacLcObject = 2;         // desc flags of 'aac ': kMPEG4Object_AAC_LC
constexpr uint32_t kAlac16Bit = 1;           // desc flags of 'alac': source bit depth
constexpr uint32_t kAlac24Bit = 3;           //

constexpr int64_t kSizeToEnd = -1;  // a data chunk written "until the end of the file"
constexpr uint64_t kChunkHeaderBytes = 12;
constexpr uint64_t kEditCountBytes = 4;  // at the start of the data chunk's body

// The 'desc' chunk's body (CAFAudioFormat, 32 bytes).
struct Desc {
  double rate = 0;
  uint32_t format_id = 0;
  uint32_t format_flags = 0;
  uint32_t bytes_per_packet = 0;   // 0: variable (a packet table says)
  uint32_t frames_per_packet = 0;  // 0: variable
  uint32_t channels = 0;
  uint32_t bits_per_channel = 0;
};

// The 'pakt' chunk's header (CAFPacketTableHeader, 24 bytes); the packet sizes follow it as
// BER varints.
struct PaktHeader {
  int64_t packets = 0;
  int64_t valid_frames = 0;
  int32_t priming_frames = 0;
  int32_t remainder_frames = 0;
};

// Big-endian byte appender.
class Bytes {
 public:
  void tag(uint32_t four) { be(four, 4); }
  // The low `n` bytes of `v` (n from 1 to 8), most significant first.
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void raw(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // A BER varint: 7 bits a byte, most significant first, the high bit set on all but the last.
  void ber(uint64_t v);
  std::vector<uint8_t>& data() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

// Reads a BER varint at `*pos` of `b`, advancing `*pos`; false when it is cut off or longer
// than 9 bytes.
bool read_ber(std::span<const uint8_t> b, size_t* pos, uint64_t* value);

// The chunks, each with its 12-byte chunk header.
void put_file_header(Bytes& b);  // 'caff', version 1, flags 0
void put_desc(Bytes& b, const Desc& d);
// Mono and stereo layout tags; other counts kCAFChannelLayoutTag_DiscreteInOrder | n.
void put_chan(Bytes& b, unsigned channels);
void put_kuki(Bytes& b, std::span<const uint8_t> cookie);
// The data chunk header and its edit count (0); `body_size` (edit count included) or kSizeToEnd.
void put_data_header(Bytes& b, int64_t body_size);
void put_pakt(Bytes& b, const PaktHeader& h, std::span<const uint32_t> packet_sizes);

// The AAC magic cookie: an MPEG-4 'esds' payload (version and flags, then ES_Descriptor with a
// DecoderConfigDescriptor of object type 0x40 whose DecoderSpecificInfo is the
// AudioSpecificConfig `asc`, and an SLConfigDescriptor), what Apple and FFmpeg's cafdec read.
std::vector<uint8_t> aac_cookie(std::span<const uint8_t> asc, unsigned channels, int64_t bit_rate);

// One chunk as found in a file.
struct Chunk {
  uint32_t type = 0;
  uint64_t header_offset = 0;  // where its 12-byte header starts
  uint64_t body_offset = 0;
  int64_t size = 0;        // the header's size field (kSizeToEnd only for 'data')
  uint64_t body_size = 0;  // size, or what lies between body_offset and the file's end
};

struct Layout {
  uint64_t file_size = 0;
  std::vector<Chunk> chunks;
  const Chunk* find(uint32_t type) const;  // the first of its type, or null
};

// Reads the chunk list of the CAF open at `fd`. Exit::data (65) naming `path` and the offset
// when it is not a CAF or a chunk does not fit in the file; Exit::no_input (66) when it cannot
// be read.
Result<Layout> read_layout(int fd, const std::string& path);

// `size` bytes at `offset` of `fd` (checked against the layout by the caller); 66 when short.
Result<std::vector<uint8_t>> read_at(int fd, uint64_t offset, uint64_t size,
                                     const std::string& path);

// Writes all of `size` bytes at `offset` of `fd` (retrying EINTR and short writes); 0 or the
// errno that stopped it (EIO for a write of nothing).
int write_all_at(int fd, const void* data, size_t size, uint64_t offset);

Result<Desc> parse_desc(std::span<const uint8_t> body, const std::string& path, uint64_t offset);

// A 'pakt' body: its header and the packet sizes (frames per packet must be constant: the
// per-packet frame counts of variable-frame formats are not read). Exit::data when the table
// is cut short or holds fewer entries than it says.
struct Pakt {
  PaktHeader header;
  std::vector<uint32_t> sizes;
};
Result<Pakt> parse_pakt(std::span<const uint8_t> body, const std::string& path, uint64_t offset);

std::string fourcc_text(uint32_t t);  // "aac ", or hex when not printable

}  // namespace sc::formats::caf
