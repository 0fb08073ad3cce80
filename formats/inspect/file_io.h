// Reading a file by offsets and writing a repaired copy, for the inspect and repair modules
// (internal to formats/). Errors are the ones users see: 74 for I/O, 73 for a copy that
// cannot be created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/error.h"
#include "formats/new_file.h"

namespace sc::formats {

// Little- and big-endian fields in a byte buffer.
inline uint16_t le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
inline uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t le64(const unsigned char* p) {
  return static_cast<uint64_t>(le32(p)) | static_cast<uint64_t>(le32(p + 4)) << 32;
}
void put_le32(unsigned char* p, uint32_t v);
void put_le64(unsigned char* p, uint64_t v);

// "data", or "0x00ff7a10" when the four bytes are not printable: a chunk id for a message.
std::string fourcc_text(const unsigned char* p);

// Reads up to `n` bytes at `off`; the count read (short at the end of the file), or -1 with
// errno set.
long read_at(int fd, void* buf, size_t n, uint64_t off);

// Opens `path` to read it (66 when missing or unreadable; a directory or a FIFO is refused
// without blocking). `size` gets its length.
Result<UniqueFd> open_input(const std::string& path, uint64_t& size);

// Creates `out` with O_EXCL for a repaired copy (create_error's 73 when it cannot).
Result<UniqueFd> create_output(const std::string& out);

// Copies `len` bytes from `in` at `in_off` to `out` at `out_off` (copy_file_range, else
// through a buffer). 74 when either side fails, or when `in` turns out shorter.
Status copy_range(int in, uint64_t in_off, int out, uint64_t out_off, uint64_t len,
                  const std::string& in_path, const std::string& out_path);

// Writes `n` bytes at `off` of `out`; 74 on failure.
Status write_at(int out, const void* buf, size_t n, uint64_t off, const std::string& out_path);

}  // namespace sc::formats
