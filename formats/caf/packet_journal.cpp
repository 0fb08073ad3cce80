// The packet journal (packet_journal.h).
#include "formats/caf/packet_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "formats/caf/caf_chunks.h"
#include "formats/sys_error.h"

namespace sc::formats::caf {
namespace {

constexpr char kMagic[8] = {'S', 'C', 'P', 'K', 'T', 'J', 'N', 'L'};
constexpr uint32_t kVersion = 1;

void le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t le_at(const std::vector<uint8_t>& b, size_t pos, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[pos + static_cast<size_t>(i)];
  return v;
}

Error io_error(const std::string& what, const std::string& path, int e) {
  return make_error(Exit::io, fmt::format("cannot {} '{}': {}", what, path, errno_text(e)),
                    write_hint(e));
}

Error bad(const std::string& path, uint64_t offset, const std::string& what) {
  return make_error(Exit::data, fmt::format("'{}' is not a soundcheck packet journal: {} at "
                                            "offset {}",
                                            path, what, offset));
}

}  // namespace

std::string journal_path(const std::string& caf_path) { return caf_path + ".journal"; }

Result<JournalWriter> JournalWriter::create(const std::string& path, const JournalHeader& h) {
  auto file = NewFile::create(path, /*overwrite=*/true);
  if (!file) return file.error();
  std::vector<uint8_t> b(std::begin(kMagic), std::end(kMagic));
  le(b, kVersion, 4);
  le(b, h.format_id, 4);
  le(b, h.format_flags, 4);
  le(b, h.rate, 4);
  le(b, h.channels, 4);
  le(b, h.frames_per_packet, 4);
  le(b, h.priming_frames, 4);
  le(b, 0, 4);
  le(b, h.data_offset, 8);
  if (const int e = write_all_at(file->fd(), b.data(), b.size(), 0); e != 0)
    return io_error("write the journal", path, e);
  if (Status s = file->commit(); !s) return s.error();
  return JournalWriter(path, file->take_fd());
}

Status JournalWriter::append(std::span<const uint32_t> sizes) {
  if (fd_.get() < 0)
    return make_error(Exit::internal, fmt::format("journal '{}' is closed", path_));
  if (sizes.empty()) return ok_status();
  buffer_.clear();
  for (uint32_t s : sizes) le(buffer_, s, 4);
  if (const int e = write_all_at(fd_.get(), buffer_.data(), buffer_.size(), size_); e != 0)
    return io_error("write the journal", path_, e);
  size_ += buffer_.size();
  return ok_status();
}

Status JournalWriter::remove() {
  fd_.reset();
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
    return io_error("remove the journal", path_, errno);
  return ok_status();
}

Result<Journal> read_journal(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return make_error(Exit::no_input,
                      fmt::format("cannot read the journal '{}': {}", path, errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(Exit::no_input,
                      fmt::format("cannot read the journal '{}': not a regular file", path));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < kJournalHeaderBytes)
    return bad(path, 0, fmt::format("{} bytes, shorter than its header", size));
  auto bytes = read_at(fd.get(), 0, size, path);
  if (!bytes) return bytes.error();
  const std::vector<uint8_t>& b = *bytes;
  if (std::memcmp(b.data(), kMagic, sizeof kMagic) != 0) return bad(path, 0, "no signature");
  if (const uint64_t v = le_at(b, 8, 4); v != kVersion)
    return bad(path, 8, fmt::format("version {} (this soundcheck reads {})", v, kVersion));
  Journal j;
  JournalHeader& h = j.header;
  h.format_id = static_cast<uint32_t>(le_at(b, 12, 4));
  h.format_flags = static_cast<uint32_t>(le_at(b, 16, 4));
  h.rate = static_cast<uint32_t>(le_at(b, 20, 4));
  h.channels = static_cast<uint32_t>(le_at(b, 24, 4));
  h.frames_per_packet = static_cast<uint32_t>(le_at(b, 28, 4));
  h.priming_frames = static_cast<uint32_t>(le_at(b, 32, 4));
  h.data_offset = le_at(b, 40, 8);
  if (h.frames_per_packet == 0 || h.frames_per_packet > 65536)
    return bad(path, 28, fmt::format("{} frames per packet", h.frames_per_packet));
  const uint64_t entries = (size - kJournalHeaderBytes) / 4;
  j.cut = (size - kJournalHeaderBytes) % 4 != 0;
  j.sizes.reserve(entries);
  for (uint64_t i = 0; i < entries; ++i)
    j.sizes.push_back(static_cast<uint32_t>(le_at(b, kJournalHeaderBytes + i * 4, 4)));
  return j;
}

}  // namespace sc::formats::caf
