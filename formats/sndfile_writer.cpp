// WAV, RF64 and CAF files through libsndfile (writer.h create_file_writer). libsndfile's
// errors (SF_ERR_*, sf_strerror) are translated here and nowhere else.
//
// How the file stays playable (DESIGN.md "Files must never be lost"):
// - The header is written when the file is created, so even a recording killed before its first
//   frame is a valid, empty file.
// - write() holds what it is given, encoded, in a block of at most a quarter of a second of audio
//   and writes the block when it is full; checkpoint() writes what is held. Every block
//   written is followed at once by a rewrite of the header with the sizes of everything on
//   disk (SFC_UPDATE_HEADER_NOW: an fstat, two seeks and one write of about 100 bytes at offset
//   0, its sizes taken from the file's length). So the header agrees with the data on disk
//   except between those two system calls, and a SIGKILL loses what is held (at most 0.25 s)
//   plus what the caller had not handed over yet. Holding, rather than a write(2) and a header
//   rewrite for each piece handed over (SFC_SET_UPDATE_HEADER_AUTO does that after every
//   sf_write call), keeps them to four of each a second whatever the pieces: measured
//   on one hour of 48 kHz stereo pcm16 written in 10 ms pieces, a header update after each
//   piece cost 2.4 s of CPU, one every 100 ms 1.3 s.
// - "wav" is written as RF64 with SFC_RF64_AUTO_DOWNGRADE. libsndfile 1.2 then writes every
//   header as plain RIFF/WAVE (a JUNK chunk holding the place of ds64, WAVE_FORMAT_EXTENSIBLE,
//   fact, real RIFF and data sizes) while the file is under 4 GiB, and as RF64 (ds64, a PAD
//   chunk keeping the data offset) once it is larger. A SIGKILL therefore leaves a RIFF file
//   under 4 GiB and an RF64 file above, both with the sizes of the last header update, and both
//   read by libsndfile, ffprobe/ffmpeg and sox (writer_file_test; writer_slow_test kills a
//   4.1 GiB recording after it passed 4 GiB).
// - A failed write (disk full, file size limit) cuts a partly written frame off the end and
//   rewrites the header, so the file holds exactly the whole frames that reached the disk.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "formats/held_block.h"
#include "formats/new_file.h"
#include "formats/pcm_encode.h"
#include "formats/sys_error.h"
#include "formats/writers.h"

namespace sc::formats {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

constexpr unsigned kMaxChannels = 1024;  // libsndfile's SF_MAX_CHANNELS
constexpr unsigned kMaxRate = 1000000;
// The block holds a quarter of a second at most (and kEncodeSamples): what a SIGKILL can take
// from the writer (writer.h).
constexpr unsigned kBlocksPerSecond = 4;
// Samples are converted here (pcm_encode.h: libsndfile's own scheme, float32 clipped too) into
// a block of this many samples at most, which goes to libsndfile as raw bytes, one write(2)
// followed by the header's rewrite, when it is full, at a checkpoint and at the close.
constexpr size_t kEncodeSamples = size_t{1} << 16;

int sf_container(Container c) {
  switch (c) {
    case Container::wav:  // RF64 that downgrades itself to WAV under 4 GiB
    case Container::rf64:
      return SF_FORMAT_RF64;
    case Container::caf:
      return SF_FORMAT_CAF;
    case Container::m4a:  // FFmpeg's (writers.h)
      return 0;
  }
  return 0;
}

int sf_codec(Codec c) {
  switch (c) {
    case Codec::pcm16:
      return SF_FORMAT_PCM_16;
    case Codec::pcm24:
      return SF_FORMAT_PCM_24;
    case Codec::pcm32:
      return SF_FORMAT_PCM_32;
    case Codec::float32:
      return SF_FORMAT_FLOAT;
    case Codec::aac:  // FFmpeg's encoders (writers.h)
    case Codec::alac:
    case Codec::alac24:
      return 0;
  }
  return 0;
}

// libsndfile's message for `f` (nullptr: the last failed open) without its decorations:
// "System error : No space left on device." becomes "No space left on device".
std::string sndfile_text(SNDFILE* f) {
  std::string text = sf_strerror(f);
  constexpr std::string_view kSystem = "System error : ";
  if (text.rfind(kSystem, 0) == 0) text.erase(0, kSystem.size());
  while (!text.empty() && (text.back() == '.' || text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

// The errno behind libsndfile's message, when `text` is one (for the hint), else 0.
int errno_behind(const std::string& text, int candidate) {
  return candidate != 0 && errno_text(candidate) == text ? candidate : 0;
}

class SndfileWriter final : public Writer {
  // Where the held block goes: write_block.
  auto put() {
    return [this](const unsigned char* bytes, size_t frames) { return write_block(bytes, frames); };
  }

 public:
  SndfileWriter(std::string path, const WriterSpec& spec, UniqueFd fd, SndfilePtr file,
                off_t data_offset)
      : path_(std::move(path)),
        spec_(spec),
        fd_(std::move(fd)),
        file_(std::move(file)),
        data_offset_(data_offset),
        frame_bytes_(sample_bytes(spec.format.codec) * spec.channels),
        block_(frame_bytes_,
               std::min<size_t>(kEncodeSamples / spec.channels, spec.rate / kBlocksPerSecond)) {}

  ~SndfileWriter() override { (void)close(); }

  Status write(const float* interleaved, size_t frames) override {
    if (Status s = writable(); !s) return s;
    const size_t channels = spec_.channels;
    const auto fill = [&](unsigned char* out, size_t n) {
      encode(spec_.format.codec, interleaved, n * channels, out, big_endian_);
      interleaved += n * channels;
    };
    return block_.add(frames, fill, put());
  }

  Status checkpoint() override {
    // Closed: the header is final. Failed: the header was made to match the file then.
    // Otherwise every block written rewrote the header: it is current once what is held is out.
    if (closed_ || failure_) return ok_status();
    if (Status s = block_.flush(put()); !s) return s;
    return header_written_ ? ok_status() : update_header();
  }

  Status close() override {
    if (closed_) return close_error_ ? Status(*close_error_) : ok_status();
    closed_ = true;
    // What is held, and an explicit update first: it reports errors, which sf_close does not.
    Status status = ok_status();
    if (!failure_) {
      status = block_.flush(put());
      if (status) status = update_header();
    }
    // sf_close writes the final header: plain WAV for a "wav" under 4 GiB.
    const int sf_rc = sf_close(file_.release());
    if (status && sf_rc != SF_ERR_NO_ERROR && !failure_) {
      status = make_error(Exit::io,
                          fmt::format("cannot finish '{}': {}", path_, sf_error_number(sf_rc)));
    }
    if (::close(fd_.release()) != 0 && status && !failure_) {
      const int e = errno;
      status = make_error(Exit::io, fmt::format("cannot finish '{}': {}", path_, errno_text(e)),
                          write_hint(e));
    }
    if (!status) close_error_ = status.error();
    return status;
  }

  uint64_t frames_written() const override { return frames_ + block_.frames(); }
  const std::string& path() const override { return path_; }
  const WriterSpec& spec() const override { return spec_; }

 private:
  Status writable() const {
    if (closed_) {
      return make_error(Exit::internal,
                        fmt::format("cannot write '{}': the file is already closed", path_));
    }
    if (failure_) return *failure_;
    return ok_status();
  }

  // `frames` whole frames of encoded bytes.
  Status write_block(const unsigned char* bytes, size_t frames) {
    if (frames == 0) return ok_status();
    errno = 0;
    const auto want = static_cast<sf_count_t>(frames * frame_bytes_);
    const sf_count_t n = sf_write_raw(file_.get(), bytes, want);
    const int e = errno;
    if (n == want) {
      frames_ += frames;
      return update_header();  // at once: the header agrees with what is on disk
    }
    std::string cause = sndfile_text(file_.get());
    if (cause.empty() || sf_error(file_.get()) == SF_ERR_NO_ERROR)
      cause = e != 0 ? errno_text(e) : "short write";
    failure_ = make_error(Exit::io, fmt::format("cannot write '{}': {}", path_, cause),
                          write_hint(errno_behind(cause, e)));
    salvage();
    return *failure_;
  }

  Status update_header() {
    header_written_ = true;
    sf_command(file_.get(), SFC_UPDATE_HEADER_NOW, nullptr, 0);
    if (sf_error(file_.get()) == SF_ERR_NO_ERROR) return ok_status();
    const std::string cause = sndfile_text(file_.get());
    return make_error(Exit::io, fmt::format("cannot write '{}': {}", path_, cause),
                      write_hint(errno_behind(cause, errno)));
  }

  // After a failed write: cuts a partly written frame off the end and rewrites the header,
  // so the file holds exactly the whole frames that reached the disk. Best effort: the
  // header is at the start of the file, so it can be rewritten even on a full disk.
  void salvage() {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0 || st.st_size < data_offset_) return;
    const auto whole = static_cast<uint64_t>(st.st_size - data_offset_) / frame_bytes_;
    const auto end = static_cast<off_t>(data_offset_ + whole * frame_bytes_);
    if (end != st.st_size && ::ftruncate(fd_.get(), end) != 0) return;
    frames_ = whole;
    // Sizes come from the file's length (fstat), not from libsndfile's own frame count.
    sf_command(file_.get(), SFC_UPDATE_HEADER_NOW, nullptr, 0);
  }

  std::string path_;
  WriterSpec spec_;
  UniqueFd fd_;        // declared before file_, so libsndfile lets go of it first
  SndfilePtr file_;    // does not own fd_ (sf_open_fd with close_desc false)
  off_t data_offset_;  // where the first frame is stored
  size_t frame_bytes_;
  HeldBlock block_;               // encoded frames on their way to the file
  uint64_t frames_ = 0;           // frames in the file
  bool header_written_ = false;   // by update_header (the one sf_open wrote does not count)
  std::optional<Error> failure_;  // the first failed write; later writes return it
  bool closed_ = false;
  std::optional<Error> close_error_;
  // The file's samples are big-endian (libsndfile writes CAF so), else little-endian.
  const bool big_endian_ = (sf_command(file_.get(), SFC_RAW_DATA_NEEDS_ENDSWAP, nullptr, 0) ==
                            SF_TRUE) == (std::endian::native == std::endian::little);
};

}  // namespace

Result<std::unique_ptr<Writer>> create_sndfile_writer(const std::string& path,
                                                      const WriterSpec& spec, bool overwrite) {
  if (spec.channels < 1 || spec.channels > kMaxChannels) {
    return make_error(Exit::usage,
                      fmt::format("cannot write '{}': {} channels", path, spec.channels),
                      fmt::format("give 1 to {} channels", kMaxChannels));
  }
  if (spec.rate < 1 || spec.rate > kMaxRate) {
    return make_error(Exit::usage, fmt::format("cannot write '{}': {} Hz", path, spec.rate),
                      fmt::format("give a rate from 1 to {} Hz", kMaxRate));
  }
  SF_INFO sfinfo{};
  sfinfo.samplerate = static_cast<int>(spec.rate);
  sfinfo.channels = static_cast<int>(spec.channels);
  sfinfo.format = sf_container(spec.format.container) | sf_codec(spec.format.codec);
  if (sf_format_check(&sfinfo) == SF_FALSE) {
    return make_error(Exit::usage,
                      fmt::format("cannot write '{}': libsndfile cannot write {} {} at {} Hz "
                                  "with {} channels",
                                  path, info(spec.format.container).name, name(spec.format.codec),
                                  spec.rate, spec.channels));
  }

  // Without `overwrite` the file is created at its name with O_EXCL. With it, a new file is
  // created next to it and renamed over it once its header is written: the old file stays
  // as it was if anything before that fails.
  auto created = NewFile::create(path, overwrite);
  if (!created) return created.error();

  // close_desc false: fd stays ours (UniqueFd), whatever libsndfile does on failure.
  SndfilePtr file(sf_open_fd(created->fd(), SFM_WRITE, &sfinfo, SF_FALSE));
  if (!file) {
    return make_error(Exit::cannot_create,
                      fmt::format("cannot create '{}': {}", path, sndfile_text(nullptr)));
  }
  // Floats beyond +-1 are clipped, never wrapped (libsndfile wraps without this).
  sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  if (spec.format.container == Container::wav &&
      sf_command(file.get(), SFC_RF64_AUTO_DOWNGRADE, nullptr, SF_TRUE) != SF_TRUE) {
    return make_error(
        Exit::internal,
        fmt::format("cannot create '{}': libsndfile refused RF64 auto-downgrade", path));
  }
  // The header on disk now, so an empty recording is already a valid file.
  sf_command(file.get(), SFC_UPDATE_HEADER_NOW, nullptr, 0);
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    return make_error(Exit::cannot_create,
                      fmt::format("cannot create '{}': {}", path, sndfile_text(file.get())));
  }
  const off_t data_offset = ::lseek(created->fd(), 0, SEEK_CUR);
  if (data_offset <= 0) {
    return make_error(Exit::internal,
                      fmt::format("cannot create '{}': no data offset after the header", path));
  }
  if (Status s = created->commit(); !s) return s.error();
  return std::unique_ptr<Writer>(std::make_unique<SndfileWriter>(path, spec, created->take_fd(),
                                                                 std::move(file), data_offset));
}

}  // namespace sc::formats
