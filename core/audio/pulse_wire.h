// PulseAudio's native protocol on the wire, as much of it as a record stream and a device
// listing need: packets, and the typed values ("tagstructs") commands are made of. Internal to
// core/audio (pulse_client.h speaks it).
//
// Why by hand and not through libpulse: loading libpulse costs every recording ~2.5 ms of CPU
// in the dynamic loader (17 shared libraries) and its shared-memory ring copies every block
// once more; together that was the whole margin of the CPU-per-recorded-minute target
// (bench/README.md, "where a recording's CPU goes"). libpulse stays the fallback for what this
// does not speak (pulse_client.h says when).
//
// The format follows libpulse's own code (pulsecore/tagstruct.c, pstream.c, pulse/stream.c,
// pulse/introspect.c): a packet is a 20-byte descriptor (payload length, channel, offset high
// and low, flags; big-endian) and its payload. Commands and replies travel on channel
// kControl as a tagstruct: a type byte per value, then the value, big-endian. Audio of a
// record stream travels on the stream's channel, the payload being the samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sc::audio::pulse::wire {

constexpr uint32_t kControl = 0xffffffffu;  // the channel of commands and replies
constexpr uint32_t kInvalid = 0xffffffffu;  // PA_INVALID_INDEX
constexpr size_t kDescriptorBytes = 20;
constexpr size_t kCookieBytes = 256;
constexpr size_t kMaxChannels = 32;  // PA_CHANNELS_MAX

// Command numbers (pulsecore/native-common.h; stable since protocol 16).
enum Command : uint32_t {
  kError = 0,
  kReply = 2,
  kCreateRecordStream = 5,
  kDeleteRecordStream = 6,
  kAuth = 8,
  kSetClientName = 9,
  kGetServerInfo = 20,
  kGetSinkInfoList = 22,
  kGetSourceInfoList = 24,
  kGetRecordLatency = 57,
  kCorkRecordStream = 58,
  kOverflow = 62,
  kRecordStreamKilled = 65,
  kSetRecordStreamBufferAttr = 73,
};

// Sample formats (pulse/sample.h).
enum SampleFormat : uint8_t { kS16le = 3, kFloat32le = 5 };

// PulseAudio's error codes (pulse/def.h) that callers tell apart.
enum ErrorCode : uint32_t { kErrAccess = 1, kErrNoEntity = 5, kErrVersion = 17 };

// Builds one command's payload: Tags t(kAuth, tag); t.u32(...)...; then bytes().
class Tags {
 public:
  Tags(uint32_t command, uint32_t tag) {
    u32(command);
    u32(tag);
  }
  Tags& u32(uint32_t v);
  Tags& u8(uint8_t v);
  Tags& boolean(bool v);
  Tags& str(std::string_view s);  // no NUL inside
  Tags& arbitrary(const void* data, uint32_t n);
  Tags& sample_spec(uint8_t format, uint8_t channels, uint32_t rate);
  Tags& channel_map(uint8_t channels);  // PulseAudio's default map for `channels` (AIFF order)
  Tags& cvolume_norm(uint8_t channels);
  Tags& timeval_now();
  Tags& props(std::initializer_list<std::pair<std::string_view, std::string_view>> kv);
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  void raw32(uint32_t v);
  std::vector<uint8_t> b_;
};

// Reads a reply's values in order. Every getter checks the value's type byte and the length
// left; the first mismatch makes ok() false for good and later getters return zeros, so a
// caller reads everything it needs and checks ok() once.
class Reader {
 public:
  Reader(const uint8_t* data, size_t n) : p_(data), end_(data + n) {}
  uint32_t u32();
  uint8_t u8();
  bool boolean();
  std::optional<std::string> str();  // nullopt for a null string
  uint64_t usec();
  int64_t s64();
  struct Spec {
    uint8_t format = 0, channels = 0;
    uint32_t rate = 0;
  };
  Spec sample_spec();
  // Values read only to get past them.
  void skip_channel_map();
  void skip_cvolume();
  void skip_volume();
  void skip_proplist();
  void skip_timeval();
  void skip_format_info();
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }
  // The values not read yet.
  const uint8_t* here() const { return p_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }

 private:
  bool tag(uint8_t t);
  const uint8_t* take(size_t n);
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// A server error code as words ("access denied", "no such entity"; else "error N").
std::string error_name(uint32_t code);

// The 20-byte descriptor of a packet carrying `payload_bytes` on `channel`.
void descriptor(uint8_t out[kDescriptorBytes], uint32_t payload_bytes, uint32_t channel);

uint32_t be32(const uint8_t* p);

}  // namespace sc::audio::pulse::wire
