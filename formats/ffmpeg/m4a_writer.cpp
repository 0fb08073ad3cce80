// AAC and ALAC in M4A through FFmpeg's "ipod" muxer (writers.h; the contract is writer.h's).
// "ipod" is the mov muxer that takes both AAC and ALAC and writes the M4A brand.
//
// How the file stays playable (DESIGN.md "Files must never be lost"; STYLE.md's measured
// FFmpeg facts):
// - While recording the file is fragmented MP4: movflags empty_moov+default_base_moof+
//   frag_custom+delay_moov, frag_duration 1 s, flush_packets. The muxer cuts a fragment
//   (moof+mdat) after each second of audio, and checkpoint() cuts one on demand
//   (av_write_frame(ctx, nullptr)), so whatever the encoder has emitted is on disk. AVIO's
//   buffer is larger than a fragment, so each fragment goes out in one write(2). A SIGKILL
//   loses what the encoder holds (FIFO and encoder delay: about two AAC frames) plus the audio
//   since the last cut (at most 1 s, 0.25 s with the recorder's checkpoints).
// - delay_moov: the moov goes out with the first fragment instead of before any packet, so
//   the muxer knows the first packet's pts (-1024: AAC's priming samples) and writes an edit
//   list skipping them. FFmpeg 5.1's demuxer gives that file's first packet pts -1024 but does
//   not trim fragments by the edit list; the plain file made from it does trim (mp4_remux.h).
//   The file gets its name at the first cut, so the name never holds an empty file; a
//   recording killed before it leaves only a hidden temp beside the name (at most 0.25 s of
//   audio, the recorder's checkpoint interval).
// - close() drains the encoder, writes the fragmented trailer, then (unless spec.fragmented
//   or a stream) makes the file plain by remuxing it beside itself and renaming the copy over
//   it (mp4_remux.h make_plain). If that fails, the fragmented file stays: complete and
//   playable, and `soundcheck repair` makes it plain later.
// - The muxer writes through FdIo (fd_io.h) to NewFile's descriptor, which keeps the lock
//   (being_written) and the errno of a failed write for the message and the hint. A failed
//   write cuts the file back to the end of the last whole fragment written.
#include <unistd.h>

#include <fmt/format.h>

#include <optional>

#include "formats/ffmpeg/av_handles.h"
#include "formats/ffmpeg/fd_io.h"
#include "formats/ffmpeg/mp4_remux.h"
#include "formats/ffmpeg/packet_encoder.h"
#include "formats/new_file.h"
#include "formats/sys_error.h"
#include "formats/writers.h"

namespace sc::formats {
namespace {

// AVIO's buffer: larger than a fragment of 1 s of AAC (<= 40 KB) or of 16-bit stereo ALAC at
// 48 kHz (<= 200 KB), so a fragment is one write(2); bigger ones go out in a few.
constexpr int kBufferBytes = 1 << 20;

class M4aWriter final : public Writer {
 public:
  // `path` the file ("-" for a stream), `what` its name in messages ("'take.m4a'", "stdout").
  M4aWriter(std::string path, std::string what, const WriterSpec& spec, bool stream)
      : path_(std::move(path)), what_(std::move(what)), spec_(spec), stream_(stream) {}

  ~M4aWriter() override { (void)close(); }

  // Sets up the encoder and the muxer on `fd` (not owned: see adopt) and writes the header
  // (nothing yet, with delay_moov: the moov goes out with the first fragment).
  // Errors: 70/69 from the encoder or muxer, 74 a failed write. A writer whose open() failed
  // writes nothing more, also not from its destructor.
  Status open(int fd) {
    quiet_ffmpeg_logs();
    auto io = FdIo::open(fd, !stream_, kBufferBytes);
    if (!io) return io.error();
    io_ = std::move(*io);
    AVFormatContext* raw = nullptr;
    if (int err = avformat_alloc_output_context2(&raw, nullptr, "ipod", nullptr); err < 0)
      return make_error(Exit::unavailable, "this FFmpeg has no MP4 (ipod) muxer");
    mux_.reset(raw);
    mux_->pb = io_->avio();
    mux_->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_FLUSH_PACKETS;
    const bool global = (mux_->oformat->flags & AVFMT_GLOBALHEADER) != 0;
    auto encoder = PacketEncoder::open(spec_, global, what_);
    if (!encoder) return encoder.error();
    encoder_ = std::move(*encoder);
    stream_out_ = avformat_new_stream(mux_.get(), nullptr);
    packet_.reset(av_packet_alloc());
    if (stream_out_ == nullptr || !packet_)
      return make_error(Exit::internal, "out of memory for the MP4 muxer");
    if (int err = avcodec_parameters_from_context(stream_out_->codecpar, &encoder_->codec());
        err < 0)
      return muxer_error("the track", err);
    stream_out_->time_base = encoder_->codec().time_base;
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "empty_moov+default_base_moof+frag_custom+delay_moov", 0);
    av_dict_set(&opts, "frag_duration", "1000000", 0);
    const int err = avformat_write_header(mux_.get(), &opts);
    av_dict_free(&opts);
    if (err < 0) return io_->error() != 0 ? write_failed() : muxer_error("the header", err);
    if (Status s = flush(); !s) return s;
    opened_ = true;
    return ok_status();
  }

  // The file, kept open (with its lock) until close(). It is created beside its name and
  // renamed to it once the moov is on disk (the first cut): the file at the name plays, and
  // an old one (overwrite) stays whole until then.
  void adopt(NewFile file) { file_ = std::move(file); }

  Status write(const float* interleaved, size_t frames) override {
    if (Status s = writable(); !s) return s;
    Status s = encoder_->write(interleaved, frames, sink());
    if (!s) return fail(s.error());
    frames_ += frames;
    // The muxer cut a fragment of its own (frag_duration): the moov is on disk.
    return io_->good_end() > 0 ? commit() : ok_status();
  }

  // A fragment of what the encoder has emitted, cut now and written out.
  Status checkpoint() override {
    if (closed_ || failure_) return ok_status();
    if (packets_ == packets_at_cut_) return ok_status();  // nothing new: no empty fragment
    // With delay_moov the first cut writes the moov alone and keeps the packets for the next
    // one: a second cut then puts them on disk too. A cut with nothing held writes nothing.
    for (int cuts = moov_written_ ? 1 : 2; cuts > 0; --cuts) {
      const int err = av_write_frame(mux_.get(), nullptr);
      if (err < 0 && io_->error() == 0) return fail(muxer_error("a fragment", err));
    }
    moov_written_ = true;
    packets_at_cut_ = packets_;
    if (Status s = flush(); !s) return s;
    return commit();
  }

  Status close() override {
    if (closed_) return close_error_ ? Status(*close_error_) : ok_status();
    closed_ = true;
    // A failure before was reported by the write or checkpoint that met it.
    Status s = opened_ && !failure_ ? finish() : ok_status();
    if (!s) close_error_ = s.error();
    mux_.reset();
    io_.reset();
    file_.reset();  // the lock goes with it
    return s;
  }

  uint64_t frames_written() const override { return frames_; }
  const std::string& path() const override { return path_; }
  const WriterSpec& spec() const override { return spec_; }

 private:
  PacketEncoder::Sink sink() {
    return [this](const AVPacket& p) -> Status {
      if (int err = av_packet_ref(packet_.get(), &p); err < 0) return muxer_error("a packet", err);
      packet_->stream_index = 0;
      av_packet_rescale_ts(packet_.get(), encoder_->codec().time_base, stream_out_->time_base);
      const int err = av_write_frame(mux_.get(), packet_.get());
      av_packet_unref(packet_.get());
      if (io_->error() != 0) return write_failed();
      if (err < 0) return muxer_error("a packet", err);
      ++packets_;
      return ok_status();
    };
  }

  // The end: the encoder drained, the fragmented trailer, then the plain file.
  Status finish() {
    if (Status s = encoder_->drain(sink()); !s) return fail(s.error());
    if (int err = av_write_trailer(mux_.get()); err < 0 || io_->error() != 0)
      return fail(io_->error() != 0 ? write_failed() : muxer_error("the trailer", err));
    if (Status s = flush(); !s) return s;
    if (Status s = commit(); !s) return s;
    if (stream_ || spec_.fragmented) return ok_status();
    auto plain = make_plain(path_, packets_);
    if (plain) return ok_status();
    const Error& e = plain.error();
    return make_error(Exit::io,
                      fmt::format("cannot make {} a plain MP4: {}; the fragmented file is kept "
                                  "and plays",
                                  what_, e.message),
                      fmt::format("{}once there is space, 'soundcheck repair {}' makes it plain",
                                  e.hint.empty() ? "" : e.hint + "; ", path_));
  }

  // The file at its name (overwrite: renamed over the old one); once.
  Status commit() {
    if (!file_ || committed_) return ok_status();
    committed_ = true;
    Status s = file_->commit();
    return s ? s : fail(s.error());
  }

  Status flush() {
    avio_flush(io_->avio());
    return io_->error() != 0 ? fail(write_failed()) : ok_status();
  }

  Status writable() const {
    if (closed_) {
      return make_error(Exit::internal,
                        fmt::format("cannot write {}: the file is already closed", what_));
    }
    if (failure_) return *failure_;
    return ok_status();
  }

  // The first failure sticks. A failed write to a file cuts it back to the end of the last
  // whole write (a fragment boundary), so the file holds whole fragments only.
  Error fail(Error e) {
    if (!failure_) {
      failure_ = e;
      if (file_ && io_ && io_->error() != 0) (void)!::ftruncate(file_->fd(), io_->good_end());
    }
    return *failure_;
  }

  Error write_failed() const {
    const int e = io_->error();
    if (stream_ && e == EPIPE) {
      return make_error(Exit::io,
                        fmt::format("cannot write to {}: the reader closed the pipe", what_));
    }
    return make_error(
        Exit::io, fmt::format("cannot write {}{}: {}", stream_ ? "to " : "", what_, errno_text(e)),
        write_hint(e));
  }

  Error muxer_error(std::string_view doing, int err) const {
    return make_error(Exit::internal, fmt::format("cannot write {}: FFmpeg's MP4 muxer, {}: {}",
                                                  what_, doing, av_error_text(err)));
  }

  std::string path_;
  std::string what_;
  WriterSpec spec_;
  bool stream_;
  std::optional<NewFile> file_;  // the file (with its lock); none for a stream
  std::unique_ptr<FdIo> io_;
  OutputFormatPtr mux_;  // after io_: freed before it
  std::unique_ptr<PacketEncoder> encoder_;
  AVStream* stream_out_ = nullptr;  // mux_'s
  PacketPtr packet_;
  uint64_t frames_ = 0;
  uint64_t packets_ = 0;
  uint64_t packets_at_cut_ = 0;
  bool moov_written_ = false;  // by a cut of ours (the muxer's own 1 s cut: a harmless extra)
  bool committed_ = false;
  std::optional<Error> failure_;  // the first failure; later writes return it
  bool opened_ = false;
  bool closed_ = false;
  std::optional<Error> close_error_;
};

}  // namespace

Result<std::unique_ptr<Writer>> create_m4a_writer(const std::string& path, const WriterSpec& spec,
                                                  bool overwrite) {
  // Beside its name until the first cut puts the moov on disk (then renamed into place), so
  // the file at its name always plays: never an empty M4A, not even for the first 0.25 s.
  auto created = NewFile::create_beside(path, overwrite);
  if (!created) return created.error();
  auto writer = std::make_unique<M4aWriter>(path, fmt::format("'{}'", path), spec, false);
  const int fd = created->fd();
  // Failing here leaves nothing (NewFile's guard).
  if (Status s = writer->open(fd); !s) return s.error();
  writer->adopt(std::move(*created));
  return std::unique_ptr<Writer>(std::move(writer));
}

Result<std::unique_ptr<Writer>> create_m4a_stream_writer(int fd, const std::string& label,
                                                         const WriterSpec& spec) {
  auto writer = std::make_unique<M4aWriter>("-", label, spec, true);
  if (Status s = writer->open(fd); !s) return s.error();
  return std::unique_ptr<Writer>(std::move(writer));
}

}  // namespace sc::formats
