#include "core/audio/pulse_wire.h"

#include <sys/time.h>

#include <cstring>

namespace sc::audio::pulse::wire {
namespace {

// Type bytes (pulsecore/tagstruct.h).
constexpr uint8_t kString = 't', kNullString = 'N', kU32 = 'L', kU8 = 'B', kU64 = 'R', kS64 = 'r',
                  kSampleSpec = 'a', kArbitrary = 'x', kTrue = '1', kFalse = '0', kTimeval = 'T',
                  kUsec = 'U', kChannelMap = 'm', kCvolume = 'v', kProplist = 'P', kVolume = 'V',
                  kFormatInfo = 'f';

}  // namespace

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

std::string error_name(uint32_t code) {
  switch (code) {
    case kErrAccess:
      return "access denied";
    case kErrNoEntity:
      return "no such entity";
    case kErrVersion:
      return "incompatible protocol version";
    default:
      return "error " + std::to_string(code);
  }
}

void descriptor(uint8_t out[kDescriptorBytes], uint32_t payload_bytes, uint32_t channel) {
  const uint32_t words[5] = {payload_bytes, channel, 0, 0, 0};
  for (size_t w = 0; w < 5; ++w)
    for (size_t i = 0; i < 4; ++i) out[w * 4 + i] = static_cast<uint8_t>(words[w] >> (24 - 8 * i));
}

void Tags::raw32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b_.push_back(static_cast<uint8_t>(v >> s));
}

Tags& Tags::u32(uint32_t v) {
  b_.push_back(kU32);
  raw32(v);
  return *this;
}

Tags& Tags::u8(uint8_t v) {
  b_.insert(b_.end(), {kU8, v});
  return *this;
}

Tags& Tags::boolean(bool v) {
  b_.push_back(v ? kTrue : kFalse);
  return *this;
}

Tags& Tags::str(std::string_view s) {
  b_.push_back(kString);
  b_.insert(b_.end(), s.begin(), s.end());
  b_.push_back(0);
  return *this;
}

Tags& Tags::arbitrary(const void* data, uint32_t n) {
  b_.push_back(kArbitrary);
  raw32(n);
  const auto* p = static_cast<const uint8_t*>(data);
  b_.insert(b_.end(), p, p + n);
  return *this;
}

Tags& Tags::sample_spec(uint8_t format, uint8_t channels, uint32_t rate) {
  b_.insert(b_.end(), {kSampleSpec, format, channels});
  raw32(rate);
  return *this;
}

// What pa_channel_map_init_extend(PA_CHANNEL_MAP_DEFAULT) gives, the map libpulse streams
// ask with (pulse/channelmap.c, the AIFF table): 1 to 6 channels from the table; above that,
// the six-channel map and then aux0, aux1, ...
Tags& Tags::channel_map(uint8_t channels) {
  // Positions (pulse/channelmap.h): mono 0, front-left 1, front-right 2, front-center 3,
  // rear-center 4, rear-left 5, rear-right 6, front-left-of-center 8, front-right-of-center 9,
  // aux0 12.
  static const uint8_t kMaps[7][6] = {
      {}, {0}, {1, 2}, {1, 2, 3}, {1, 3, 2, 4}, {1, 2, 3, 5, 6}, {1, 8, 3, 2, 9, 4}};
  b_.insert(b_.end(), {kChannelMap, channels});
  for (uint8_t i = 0; i < channels; ++i)
    b_.push_back(channels <= 6 ? kMaps[channels][i]
                               : (i < 6 ? kMaps[6][i] : static_cast<uint8_t>(12 + i - 6)));
  return *this;
}

Tags& Tags::cvolume_norm(uint8_t channels) {
  b_.insert(b_.end(), {kCvolume, channels});
  for (uint8_t i = 0; i < channels; ++i) raw32(0x10000);  // PA_VOLUME_NORM
  return *this;
}

Tags& Tags::timeval_now() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  b_.push_back(kTimeval);
  raw32(static_cast<uint32_t>(tv.tv_sec));
  raw32(static_cast<uint32_t>(tv.tv_usec));
  return *this;
}

Tags& Tags::props(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  b_.push_back(kProplist);
  for (const auto& [key, value] : kv) {
    str(key);
    const auto n = static_cast<uint32_t>(value.size() + 1);
    u32(n);
    b_.push_back(kArbitrary);
    raw32(n);
    b_.insert(b_.end(), value.begin(), value.end());
    b_.push_back(0);
  }
  b_.push_back(kNullString);
  return *this;
}

const uint8_t* Reader::take(size_t n) {
  if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
    ok_ = false;
    return nullptr;
  }
  const uint8_t* at = p_;
  p_ += n;
  return at;
}

bool Reader::tag(uint8_t t) {
  const uint8_t* p = take(1);
  if (p && *p == t) return true;
  ok_ = false;
  return false;
}

uint32_t Reader::u32() {
  if (!tag(kU32)) return 0;
  const uint8_t* p = take(4);
  return p ? be32(p) : 0;
}

uint8_t Reader::u8() {
  if (!tag(kU8)) return 0;
  const uint8_t* p = take(1);
  return p ? *p : 0;
}

bool Reader::boolean() {
  const uint8_t* p = take(1);
  if (p && (*p == kTrue || *p == kFalse)) return *p == kTrue;
  ok_ = false;
  return false;
}

std::optional<std::string> Reader::str() {
  const uint8_t* p = take(1);
  if (p && *p == kNullString) return std::nullopt;
  if (!p || *p != kString) {
    ok_ = false;
    return std::nullopt;
  }
  const void* nul = std::memchr(p_, 0, static_cast<size_t>(end_ - p_));
  if (!nul) {
    ok_ = false;
    return std::nullopt;
  }
  std::string s(reinterpret_cast<const char*>(p_), static_cast<const uint8_t*>(nul) - p_);
  p_ = static_cast<const uint8_t*>(nul) + 1;
  return s;
}

uint64_t Reader::usec() {
  if (!tag(kUsec)) return 0;
  const uint8_t* p = take(8);
  return p ? uint64_t{be32(p)} << 32 | be32(p + 4) : 0;
}

int64_t Reader::s64() {
  if (!tag(kS64)) return 0;
  const uint8_t* p = take(8);
  return p ? static_cast<int64_t>(uint64_t{be32(p)} << 32 | be32(p + 4)) : 0;
}

Reader::Spec Reader::sample_spec() {
  Spec s;
  if (!tag(kSampleSpec)) return s;
  if (const uint8_t* p = take(6)) {
    s.format = p[0];
    s.channels = p[1];
    s.rate = be32(p + 2);
  }
  return s;
}

void Reader::skip_channel_map() {
  if (!tag(kChannelMap)) return;
  if (const uint8_t* n = take(1)) take(*n);
}

void Reader::skip_cvolume() {
  if (!tag(kCvolume)) return;
  if (const uint8_t* n = take(1)) take(size_t{*n} * 4);
}

void Reader::skip_timeval() {
  if (tag(kTimeval)) take(8);
}

void Reader::skip_volume() {
  if (tag(kVolume)) take(4);
}

// Keys ('t'), each with a length ('L') and that many bytes ('x' with the length again), up
// to a null string.
void Reader::skip_proplist() {
  if (!tag(kProplist)) return;
  while (ok_) {
    if (!str()) return;  // the null string ends the list (or a bad value ended ok_)
    const uint32_t n = u32();
    if (!tag(kArbitrary)) return;
    const uint8_t* len = take(4);
    if (!len || be32(len) != n) {
      ok_ = false;
      return;
    }
    take(n);
  }
}

void Reader::skip_format_info() {
  if (!tag(kFormatInfo)) return;
  u8();  // encoding
  skip_proplist();
}

}  // namespace sc::audio::pulse::wire
