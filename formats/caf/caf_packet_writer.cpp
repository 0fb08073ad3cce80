// AAC and ALAC packets in CAF (writers.h create_caf_packet_writer; the contract is writer.h's).
//
// FFmpeg's CAF muxer refuses AAC and writes ALAC with format flags 0 (libsndfile refuses that)
// and only at the end, so the file is written here, with PacketEncoder for the packets:
//   'caff' v1, 'desc', 'chan', 'kuki' (AAC: esds payload; ALAC: ALACSpecificConfig), then
//   'data' with size -1 while recording, then 'pakt' and the real data size at close().
// No reader plays a compressed CAF without its packet table, and raw AAC and ALAC packets
// carry no length, so while the file is open the sizes of the packets on disk go to a journal
// beside it (packet_journal.h): `soundcheck repair` rebuilds the table from it after a crash.
//
// Packets are held until they make a quarter of a second of audio (writer.h), then written out
// in this order: the packet bytes to the data chunk (one pwrite), then their sizes to the
// journal (one write). A SIGKILL between the two leaves bytes the journal does not describe,
// which repair drops; never an entry without its bytes. A failed write (disk full) leaves the
// file as it was before it (the undescribed tail is cut off at close) and sticks.
//
// close(): drains the encoder, writes what is held, appends 'pakt' after the data, cuts the
// file there, patches the data size, syncs, then removes the journal. If any of that fails the
// journal stays and close() returns Exit::io with the hint to run `soundcheck repair`.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "formats/caf/caf_chunks.h"
#include "formats/caf/packet_journal.h"
#include "formats/ffmpeg/packet_encoder.h"
#include "formats/new_file.h"
#include "formats/sys_error.h"
#include "formats/writers.h"

namespace sc::formats {
namespace {

using caf::Bytes;

// FFmpeg's ALAC extradata is an 'alac' atom: a 12-byte atom header, then the 24-byte
// ALACSpecificConfig that CAF's 'kuki' holds.
constexpr int kAlacAtomHeader = 12;
constexpr int kAlacConfigBytes = 24;

struct Header {
  std::vector<uint8_t> bytes;       // everything up to the first packet byte
  uint64_t data_header_offset = 0;  // the 'data' chunk header
  caf::Desc desc;
};

Result<Header> build_header(const WriterSpec& spec, const AVCodecContext& c,
                            const std::string& path) {
  Header h;
  caf::Desc& d = h.desc;
  d.rate = spec.rate;
  d.channels = spec.channels;
  d.frames_per_packet = static_cast<uint32_t>(c.frame_size);
  std::vector<uint8_t> cookie;
  if (spec.format.codec == Codec::aac) {
    d.format_id = caf::kAac;
    d.format_flags = caf::kAacLcObject;
    if (c.extradata_size <= 0) {
      return make_error(Exit::internal, fmt::format("cannot create '{}': the AAC encoder gave no "
                                                    "AudioSpecificConfig",
                                                    path));
    }
    cookie = caf::aac_cookie({c.extradata, static_cast<size_t>(c.extradata_size)}, spec.channels,
                             c.bit_rate);
  } else {
    d.format_id = caf::kAlac;
    d.format_flags = spec.format.codec == Codec::alac ? caf::kAlac16Bit : caf::kAlac24Bit;
    if (c.extradata_size < kAlacAtomHeader + kAlacConfigBytes) {
      return make_error(Exit::internal,
                        fmt::format("cannot create '{}': the ALAC encoder gave {} bytes of "
                                    "configuration ({} expected)",
                                    path, c.extradata_size, kAlacAtomHeader + kAlacConfigBytes));
    }
    cookie.assign(c.extradata + kAlacAtomHeader, c.extradata + kAlacAtomHeader + kAlacConfigBytes);
  }
  Bytes b;
  caf::put_file_header(b);
  caf::put_desc(b, d);
  caf::put_chan(b, spec.channels);
  caf::put_kuki(b, cookie);
  h.data_header_offset = b.data().size();
  caf::put_data_header(b, caf::kSizeToEnd);
  h.bytes = std::move(b.data());
  return h;
}

class CafPacketWriter final : public Writer {
 public:
  CafPacketWriter(std::string path, const WriterSpec& spec, UniqueFd fd,
                  std::unique_ptr<PacketEncoder> encoder, caf::JournalWriter journal,
                  uint64_t data_header_offset, uint64_t data_start)
      : path_(std::move(path)),
        spec_(spec),
        fd_(std::move(fd)),
        encoder_(std::move(encoder)),
        journal_(std::move(journal)),
        data_header_offset_(data_header_offset),
        data_end_(data_start),
        frames_per_packet_(static_cast<uint32_t>(encoder_->codec().frame_size)),
        priming_(static_cast<uint32_t>(std::max(encoder_->codec().initial_padding, 0))),
        hold_packets_(std::max<size_t>(1, spec.rate / 4 / frames_per_packet_)),
        sink_([this](const AVPacket& p) { return take(p); }) {}

  ~CafPacketWriter() override { (void)close(); }

  Status write(const float* interleaved, size_t frames) override {
    if (closed_) {
      return make_error(Exit::internal,
                        fmt::format("cannot write '{}': the file is already closed", path_));
    }
    if (failure_) return *failure_;
    Status s = encoder_->write(interleaved, frames, sink_);
    if (!s && !failure_) failure_ = s.error();
    return s;
  }

  Status checkpoint() override {
    if (closed_ || failure_) return ok_status();
    return flush();
  }

  Status close() override {
    if (closed_) return ok_status();
    closed_ = true;
    const bool failed_before = failure_.has_value();
    if (!failed_before) {
      Status s = encoder_->drain(sink_);
      if (s) s = flush();
      if (!s && !failure_) failure_ = s.error();
    }
    Status finished = finish();
    fd_.reset();  // releases the lock: repair may run now
    if (!finished) return finished;
    if (failure_ && !failed_before) return *failure_;  // the drain's, not reported yet
    return ok_status();
  }

  uint64_t frames_written() const override {
    const uint64_t in = encoder_->frames_in();
    if (!failure_) return in;
    const uint64_t packed = sizes_.size() * uint64_t{frames_per_packet_};
    return std::min(in, packed > priming_ ? packed - priming_ : 0);
  }
  const std::string& path() const override { return path_; }
  const WriterSpec& spec() const override { return spec_; }

 private:
  // A packet from the encoder: held, and the held ones written when they make 0.25 s.
  Status take(const AVPacket& p) {
    if (p.size <= 0) return ok_status();
    held_bytes_.insert(held_bytes_.end(), p.data, p.data + p.size);
    held_sizes_.push_back(static_cast<uint32_t>(p.size));
    return held_sizes_.size() >= hold_packets_ ? flush() : ok_status();
  }

  // The held packets to the data chunk, then their sizes to the journal.
  Status flush() {
    if (failure_) return *failure_;
    if (held_sizes_.empty()) return ok_status();
    if (const int e =
            caf::write_all_at(fd_.get(), held_bytes_.data(), held_bytes_.size(), data_end_);
        e != 0) {
      failure_ = make_error(Exit::io, fmt::format("cannot write '{}': {}", path_, errno_text(e)),
                            write_hint(e));
      return *failure_;
    }
    if (Status s = journal_.append(held_sizes_); !s) {
      failure_ = s.error();
      return s;
    }
    data_end_ += held_bytes_.size();
    sizes_.insert(sizes_.end(), held_sizes_.begin(), held_sizes_.end());
    held_bytes_.clear();
    held_sizes_.clear();
    return ok_status();
  }

  // The packet table after the data, the file cut there, the real data size, then the
  // journal removed.
  Status finish() {
    const uint64_t packets = sizes_.size();
    const uint64_t total = packets * frames_per_packet_;
    caf::PaktHeader h;
    h.packets = static_cast<int64_t>(packets);
    h.priming_frames = static_cast<int32_t>(std::min<uint64_t>(priming_, total));
    const uint64_t valid = std::min(encoder_->frames_in(), total - h.priming_frames);
    h.valid_frames = static_cast<int64_t>(valid);
    h.remainder_frames = static_cast<int32_t>(total - h.priming_frames - valid);
    Bytes pakt;
    caf::put_pakt(pakt, h, sizes_);
    Bytes size;
    size.be(data_end_ - data_header_offset_ - caf::kChunkHeaderBytes, 8);
    const int fd = fd_.get();
    int e = caf::write_all_at(fd, pakt.data().data(), pakt.data().size(), data_end_);
    if (e == 0 && ::ftruncate(fd, static_cast<off_t>(data_end_ + pakt.data().size())) != 0)
      e = errno;
    if (e == 0) e = caf::write_all_at(fd, size.data().data(), 8, data_header_offset_ + 4);
    if (e == 0 && ::fdatasync(fd) != 0) e = errno;
    if (e != 0) {
      return make_error(
          Exit::io, fmt::format("cannot finish '{}': {}", path_, errno_text(e)),
          fmt::format("its packets are safe with the journal '{}': run `soundcheck repair {}` "
                      "to finish it",
                      journal_.path(), path_));
    }
    if (Status s = journal_.remove(); !s) {
      Error err = s.error();
      err.hint = "the CAF is complete; delete the journal by hand";
      return err;
    }
    return ok_status();
  }

  std::string path_;
  WriterSpec spec_;
  UniqueFd fd_;  // holds the lock of new_file.h while the file is being written
  std::unique_ptr<PacketEncoder> encoder_;
  caf::JournalWriter journal_;
  uint64_t data_header_offset_;
  uint64_t data_end_;  // after the last packet on disk and in the journal
  uint32_t frames_per_packet_;
  uint32_t priming_;
  size_t hold_packets_;
  PacketEncoder::Sink sink_;
  std::vector<uint8_t> held_bytes_;
  std::vector<uint32_t> held_sizes_;
  std::vector<uint32_t> sizes_;  // of the packets on disk, for 'pakt'
  bool closed_ = false;
  std::optional<Error> failure_;  // the first failure; later writes return it
};

}  // namespace

Result<std::unique_ptr<Writer>> create_caf_packet_writer(const std::string& path,
                                                         const WriterSpec& spec, bool overwrite) {
  auto encoder = PacketEncoder::open(spec, /*global_header=*/true, fmt::format("'{}'", path));
  if (!encoder) return encoder.error();
  auto header = build_header(spec, (*encoder)->codec(), path);
  if (!header) return header.error();
  auto file = NewFile::create(path, overwrite);
  if (!file) return file.error();
  if (const int e = caf::write_all_at(file->fd(), header->bytes.data(), header->bytes.size(), 0);
      e != 0) {
    return make_error(Exit::io, fmt::format("cannot write '{}': {}", path, errno_text(e)),
                      write_hint(e));
  }
  if (Status s = file->commit(); !s) return s.error();
  // The CAF is ours at `path` now: a journal of that name left from another file is stale.
  const caf::Desc& d = header->desc;
  const caf::JournalHeader jh{
      d.format_id,         d.format_flags,
      spec.rate,           spec.channels,
      d.frames_per_packet, static_cast<uint32_t>(std::max((*encoder)->codec().initial_padding, 0)),
      header->bytes.size()};
  auto journal = caf::JournalWriter::create(caf::journal_path(path), jh);
  if (!journal) {
    ::unlink(path.c_str());
    return journal.error();
  }
  return std::unique_ptr<Writer>(std::make_unique<CafPacketWriter>(
      path, spec, file->take_fd(), std::move(*encoder), std::move(*journal),
      header->data_header_offset, header->bytes.size()));
}

}  // namespace sc::formats
