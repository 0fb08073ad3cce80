// The journal of a packet CAF being recorded (internal to formats/): the sizes of the AAC or
// ALAC packets written to the CAF's data chunk, so that `soundcheck repair` can rebuild the
// packet table of a CAF whose recorder died (raw AAC and ALAC packets carry no length).
//
// It lives beside the CAF as `<path>.journal` ("take.caf.journal") from the creation of the CAF
// until its close() wrote the packet table. Format, all little-endian:
//   header, 48 bytes: "SCPKTJNL", u32 version (1), u32 CAF format id ('aac ', 'alac' as a
//     big-endian fourcc value), u32 CAF format flags, u32 rate, u32 channels, u32 frames per
//     packet, u32 priming frames, u32 0, u64 file offset of the data chunk's first packet byte;
//   then one u32 per packet, its size in bytes, in the order of the packets in the data chunk.
// The writer puts packet bytes in the CAF before their sizes in the journal, so every whole
// entry has its bytes on disk unless the CAF was cut later; a trailing partial entry (a cut
// journal write) is ignored by the reader.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "formats/new_file.h"

namespace sc::formats::caf {

constexpr size_t kJournalHeaderBytes = 48;

// "take.caf" -> "take.caf.journal".
std::string journal_path(const std::string& caf_path);

struct JournalHeader {
  uint32_t format_id = 0;
  uint32_t format_flags = 0;
  uint32_t rate = 0;
  uint32_t channels = 0;
  uint32_t frames_per_packet = 0;
  uint32_t priming_frames = 0;
  uint64_t data_offset = 0;
  bool operator==(const JournalHeader&) const = default;
};

// Appends packet sizes to a journal. One thread at a time. Owns its descriptor.
class JournalWriter {
 public:
  // Writes a journal with `header` and no packets beside `path` and renames it over `path`
  // (a stale journal there is replaced whole; the caller owns the name). Failure: Exit::io
  // naming the journal; nothing is left behind.
  static Result<JournalWriter> create(const std::string& path, const JournalHeader& header);

  // Appends the sizes with one write. Failure: Exit::io naming the journal and the cause.
  Status append(std::span<const uint32_t> sizes);
  // Closes and deletes the journal (the CAF no longer needs it). Failure: Exit::io.
  Status remove();
  const std::string& path() const { return path_; }

 private:
  JournalWriter(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
  uint64_t size_ = kJournalHeaderBytes;
  std::vector<uint8_t> buffer_;
};

struct Journal {
  JournalHeader header;
  std::vector<uint32_t> sizes;
  bool cut = false;  // it ended in a partial entry (ignored)
};

// Reads the journal at `path`. Exit::no_input (66) when it does not exist or cannot be read;
// Exit::data (65) when it is not a soundcheck packet journal (what is wrong, at which offset).
Result<Journal> read_journal(const std::string& path);

}  // namespace sc::formats::caf
