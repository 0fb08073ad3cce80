// Writers to descriptors that cannot seek: stdout, pipes (writer.h create_stream_writer).
//
// libsndfile refuses to write WAV, RF64 or CAF to a pipe (SFE_NO_PIPE_WRITE: its writers seek
// back to patch sizes into the header), and its headerless RAW format would leave the header to
// us anyway. So the header is written here by hand, with the sizes that mean "until the end of
// the stream" (WAV: RIFF and data sizes 0xFFFFFFFF, which ffmpeg and sox accept; CAF: data size
// -1, which Apple's spec allows), and the samples are converted by pcm_encode.h exactly as
// libsndfile converts them for the file writer.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <optional>
#include <string_view>
#include <vector>

#include "formats/held_block.h"
#include "formats/pcm_encode.h"
#include "formats/sys_error.h"
#include "formats/writers.h"

namespace sc::formats {
namespace {

constexpr unsigned kMaxChannels = 1024;
constexpr unsigned kMaxRate = 1000000;
// Converted samples are held until there are this many bytes or a tenth of a second of audio
// (so that a reader is not kept waiting), then written with one write(2).
constexpr size_t kBlockBytes = 64 * 1024;
constexpr unsigned kBlocksPerSecond = 10;

constexpr uint16_t kWaveFormatPcm = 0x0001;
constexpr uint16_t kWaveFormatIeeeFloat = 0x0003;
constexpr uint16_t kWaveFormatExtensible = 0xFFFE;
constexpr uint32_t kStreamingSize = 0xFFFFFFFF;

// CAF 'desc' format flags.
constexpr uint32_t kCafIsFloat = 1;
constexpr uint32_t kCafIsLittleEndian = 2;

class Bytes {
 public:
  void tag(std::string_view four) { out_.insert(out_.end(), four.begin(), four.end()); }
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<unsigned char>(v >> (8 * i)));
  }
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<unsigned char>(v >> (8 * i)));
  }
  std::vector<unsigned char> take() { return std::move(out_); }

 private:
  std::vector<unsigned char> out_;
};

// The speaker mask libsndfile writes for these channel counts (so file and stream agree).
uint32_t channel_mask(unsigned channels) {
  switch (channels) {
    case 1:
      return 0x4;  // front centre
    case 2:
      return 0x3;  // front left, right
    case 4:
      return 0x33;  // quad
    case 6:
      return 0x3F;  // 5.1
    case 8:
      return 0xFF;  // 7.1
    default:
      return 0;
  }
}

// RIFF/WAVE with a 'fmt ' chunk and an open-ended 'data' chunk. pcm16 in mono or stereo is
// WAVE_FORMAT_PCM; everything else WAVE_FORMAT_EXTENSIBLE, with the PCM or IEEE-float
// subformat GUID, as the spec asks for more than 16 bits or more than two channels.
std::vector<unsigned char> wav_header(const WriterSpec& spec) {
  const Codec codec = spec.format.codec;
  const uint32_t bytes = static_cast<uint32_t>(sample_bytes(codec));
  const uint32_t block = bytes * spec.channels;
  const bool extensible = codec != Codec::pcm16 || spec.channels > 2;
  Bytes b;
  b.tag("RIFF");
  b.le(kStreamingSize, 4);
  b.tag("WAVE");
  b.tag("fmt ");
  b.le(extensible ? 40 : 16, 4);
  b.le(extensible ? kWaveFormatExtensible : kWaveFormatPcm, 2);
  b.le(spec.channels, 2);
  b.le(spec.rate, 4);
  b.le(static_cast<uint32_t>(std::min<uint64_t>(uint64_t{spec.rate} * block, 0xFFFFFFFF)), 4);
  b.le(block, 2);
  b.le(bytes * 8, 2);
  if (extensible) {
    b.le(22, 2);         // cbSize: the extension below
    b.le(bytes * 8, 2);  // valid bits per sample
    b.le(channel_mask(spec.channels), 4);
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00AA00389B71}
    b.le(codec == Codec::float32 ? kWaveFormatIeeeFloat : kWaveFormatPcm, 4);
    b.le(0x0000, 2);
    b.le(0x0010, 2);
    for (unsigned char c : {0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}) b.le(c, 1);
  }
  b.tag("data");
  b.le(kStreamingSize, 4);
  return b.take();
}

// 'caff' file header, 'desc' (linear PCM, little-endian samples), and a 'data' chunk of size
// -1 ("to the end of the file") starting with its 4-byte edit count.
std::vector<unsigned char> caf_header(const WriterSpec& spec) {
  const Codec codec = spec.format.codec;
  const auto bytes = static_cast<uint32_t>(sample_bytes(codec));
  Bytes b;
  b.tag("caff");
  b.be(1, 2);  // version
  b.be(0, 2);  // flags
  b.tag("desc");
  b.be(32, 8);
  b.be(std::bit_cast<uint64_t>(static_cast<double>(spec.rate)), 8);
  b.tag("lpcm");
  b.be(kCafIsLittleEndian | (codec == Codec::float32 ? kCafIsFloat : 0), 4);
  b.be(bytes * spec.channels, 4);  // bytes per packet
  b.be(1, 4);                      // frames per packet
  b.be(spec.channels, 4);
  b.be(bytes * 8, 4);
  b.tag("data");
  b.be(~uint64_t{0}, 8);  // -1
  b.be(0, 4);             // edit count
  return b.take();
}

Error write_error(const std::string& label, int e) {
  if (e == EPIPE) {
    return make_error(Exit::io,
                      fmt::format("cannot write to {}: the reader closed the pipe", label));
  }
  return make_error(Exit::io, fmt::format("cannot write to {}: {}", label, errno_text(e)),
                    write_hint(e));
}

// Where a stream's header starts when the descriptor is a regular file that can be written
// at an offset (stdout redirected with `> take.caf`), else -1. With O_APPEND (`>>`) pwrite
// would append, so such a file is treated as a stream.
off_t patchable_offset(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || (flags & O_APPEND)) return -1;
  return ::lseek(fd, 0, SEEK_CUR);
}

class StreamWriter final : public Writer {
  // Where the held block goes: put.
  auto put_fn() {
    return [this](const unsigned char* bytes, size_t frames) { return put(bytes, frames); };
  }

 public:
  StreamWriter(int fd, std::string label, const WriterSpec& spec, off_t header_offset,
               size_t header_size)
      : fd_(fd),
        label_(std::move(label)),
        spec_(spec),
        frame_bytes_(sample_bytes(spec.format.codec) * spec.channels),
        block_(frame_bytes_,
               std::min<size_t>(kBlockBytes / frame_bytes_, spec.rate / kBlocksPerSecond)),
        header_offset_(header_offset),
        header_size_(header_size) {}

  ~StreamWriter() override { (void)close(); }

  Status write(const float* interleaved, size_t frames) override {
    if (Status s = writable(); !s) return s;
    const size_t channels = spec_.channels;
    const auto fill = [&](unsigned char* out, size_t n) {
      encode_le(spec_.format.codec, interleaved, n * channels, out);
      interleaved += n * channels;
    };
    return block_.add(frames, fill, put_fn());
  }

  // What is held goes out. A stream's header has no sizes to update, but when the output is a
  // regular file its real sizes are written in, so the file is a plain one that every reader
  // opens (libsndfile and sox refuse a CAF of size -1).
  Status checkpoint() override {
    if (closed_ || failure_) return ok_status();
    if (Status s = block_.flush(put_fn()); !s) return s;
    patch_sizes();
    return ok_status();
  }

  // The descriptor stays open (it is not ours). A failure to write out what was held is
  // reported here (it was not before).
  Status close() override {
    if (closed_ || failure_) {
      closed_ = true;
      return ok_status();
    }
    closed_ = true;
    Status s = block_.flush(put_fn());
    patch_sizes();
    return s;
  }

  uint64_t frames_written() const override { return frames_ + block_.frames(); }
  const std::string& path() const override { return path_; }
  const WriterSpec& spec() const override { return spec_; }

 private:
  Status writable() const {
    if (closed_) {
      return make_error(Exit::internal,
                        fmt::format("cannot write to {}: the writer is already closed", label_));
    }
    if (failure_) return *failure_;
    return ok_status();
  }

  // `frames` encoded frames at `bytes` to the descriptor.
  Status put(const void* bytes, size_t frames) {
    if (frames == 0) return ok_status();
    if (const int e =
            write_all(fd_, static_cast<const unsigned char*>(bytes), frames * frame_bytes_);
        e != 0) {
      failure_ = write_error(label_, e);
      return *failure_;
    }
    frames_ += frames;
    return ok_status();
  }

  // Best effort: a failure leaves the streaming sizes, which ffmpeg still reads.
  void patch_sizes() {
    if (header_offset_ < 0 || failure_) return;
    const uint64_t data = frames_ * frame_bytes_;
    Bytes b;
    if (spec_.format.container == Container::caf) {
      b.be(data + 4, 8);  // the data chunk's size counts its edit count
      (void)!::pwrite(fd_, b.take().data(), 8,
                      header_offset_ + static_cast<off_t>(header_size_) - 12);
      return;
    }
    if (data + header_size_ - 8 > 0xFFFFFFFFu) return;  // past 4 GiB: stays a streaming WAV
    b.le(static_cast<uint32_t>(data + header_size_ - 8), 4);
    (void)!::pwrite(fd_, b.take().data(), 4, header_offset_ + 4);
    Bytes d;
    d.le(static_cast<uint32_t>(data), 4);
    (void)!::pwrite(fd_, d.take().data(), 4, header_offset_ + static_cast<off_t>(header_size_) - 4);
  }

  int fd_;
  std::string label_;
  std::string path_ = "-";
  WriterSpec spec_;
  size_t frame_bytes_;
  HeldBlock block_;      // encoded frames on their way to the descriptor
  off_t header_offset_;  // -1: a stream; else where the header starts in a regular file
  size_t header_size_;
  uint64_t frames_ = 0;
  bool closed_ = false;
  std::optional<Error> failure_;  // the first failed write; later writes return it
};

}  // namespace

Result<std::unique_ptr<Writer>> create_pcm_stream_writer(int fd, const std::string& label,
                                                         const WriterSpec& spec) {
  if (spec.channels < 1 || spec.channels > kMaxChannels) {
    return make_error(Exit::usage,
                      fmt::format("cannot write to {}: {} channels", label, spec.channels),
                      fmt::format("give 1 to {} channels", kMaxChannels));
  }
  if (spec.rate < 1 || spec.rate > kMaxRate) {
    return make_error(Exit::usage, fmt::format("cannot write to {}: {} Hz", label, spec.rate),
                      fmt::format("give a rate from 1 to {} Hz", kMaxRate));
  }
  const std::vector<unsigned char> header =
      spec.format.container == Container::caf ? caf_header(spec) : wav_header(spec);
  const off_t offset = patchable_offset(fd);
  if (const int e = write_all(fd, header.data(), header.size()); e != 0)
    return write_error(label, e);
  return std::unique_ptr<Writer>(
      std::make_unique<StreamWriter>(fd, label, spec, offset, header.size()));
}

}  // namespace sc::formats
