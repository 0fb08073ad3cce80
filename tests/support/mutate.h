// Damaged copies of audio files, for the tests that info and repair never crash, hang or
// change their input (tests/unit/inspect_mutation_test.cpp, tests/e2e/info_repair_test.cpp).
// Deterministic: variant `index` of a seed file depends only on (seed, index), so a failure
// printed as "take.wav variant 417" is reproduced by asking for that variant again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sc::test {

// A size field in a file: where, how wide, which byte order, and what it is.
struct SizeField {
  size_t offset = 0;
  int width = 4;  // 4 or 8 bytes
  bool big_endian = false;
  std::string
      name;  // "RIFF size", "data size", "ds64 data size", "caf 'pakt' size", "mp4 'moov' size"
};

namespace mutate_detail {

inline uint64_t get(const std::string& b, size_t at, int width, bool big) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const auto byte =
        static_cast<unsigned char>(b[at + static_cast<size_t>(big ? i : width - 1 - i)]);
    v = v << 8 | byte;
  }
  return v;
}

inline void put(std::string& b, size_t at, int width, bool big, uint64_t v) {
  for (int i = 0; i < width; ++i) {
    const size_t pos = at + static_cast<size_t>(big ? width - 1 - i : i);
    b[pos] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
}

inline void wav_fields(const std::string& b, std::vector<SizeField>& out) {
  out.push_back({4, 4, false, "RIFF size"});
  for (size_t pos = 12; pos + 8 <= b.size();) {
    const std::string id = b.substr(pos, 4);
    const uint64_t size = get(b, pos + 4, 4, false);
    out.push_back({pos + 4, 4, false, "'" + id + "' size"});
    if (id == "ds64" && pos + 8 + 24 <= b.size()) {
      out.push_back({pos + 8, 8, false, "ds64 RIFF size"});
      out.push_back({pos + 16, 8, false, "ds64 data size"});
      out.push_back({pos + 24, 8, false, "ds64 sample count"});
    }
    if (id == "data") break;
    pos += 8 + size + (size & 1);
  }
}

inline void caf_fields(const std::string& b, std::vector<SizeField>& out) {
  for (size_t pos = 8; pos + 12 <= b.size();) {
    const std::string id = b.substr(pos, 4);
    const uint64_t size = get(b, pos + 4, 8, true);
    out.push_back({pos + 4, 8, true, "caf '" + id + "' size"});
    if (id == "pakt" && pos + 12 + 24 <= b.size()) {
      out.push_back({pos + 12, 8, true, "caf packet count"});
      out.push_back({pos + 20, 8, true, "caf valid frames"});
    }
    if (size >= b.size() - pos) break;  // the data chunk's -1, or the last one
    pos += 12 + size;
  }
}

inline void mp4_fields(const std::string& b, size_t pos, size_t end, int depth,
                       std::vector<SizeField>& out) {
  static const std::vector<std::string> containers = {
      "moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "mvex", "edts", "dinf", "udta"};
  while (pos + 8 <= end && depth < 8) {
    uint64_t size = get(b, pos, 4, true);
    const std::string type = b.substr(pos + 4, 4);
    size_t header = 8;
    out.push_back({pos, 4, true, "mp4 '" + type + "' size"});
    if (size == 1 && pos + 16 <= end) {
      out.push_back({pos + 8, 8, true, "mp4 '" + type + "' largesize"});
      size = get(b, pos + 8, 8, true);
      header = 16;
    } else if (size == 0) {
      size = end - pos;
    }
    if (size < header || size > end - pos) break;
    for (const auto& c : containers)
      if (type == c) mp4_fields(b, pos + header, pos + size, depth + 1, out);
    pos += size;
  }
}

}  // namespace mutate_detail

// The size fields of a WAV/RF64, CAF or MP4 file (as far as its own sizes can be followed).
inline std::vector<SizeField> size_fields(const std::string& b) {
  std::vector<SizeField> out;
  if (b.size() >= 12 && (b.compare(0, 4, "RIFF") == 0 || b.compare(0, 4, "RF64") == 0))
    mutate_detail::wav_fields(b, out);
  else if (b.size() >= 8 && b.compare(0, 4, "caff") == 0)
    mutate_detail::caf_fields(b, out);
  else if (b.size() >= 8 && b.compare(4, 4, "ftyp") == 0)
    mutate_detail::mp4_fields(b, 0, b.size(), 0, out);
  return out;
}

struct Variant {
  std::string what;  // "truncated at 1234 of 5678", "flipped 3 bytes at 12, 40, 99", ...
  std::string bytes;
};

// Variant `index` of `seed` (its bytes, and its size fields from size_fields): truncated at a
// random point, random bytes changed (half the time in the first 512 bytes, where the headers
// are), a size field set to 0, all ones, or huge, or a size field and a truncation together.
inline Variant mutate(const std::string& seed, const std::vector<SizeField>& fields,
                      uint64_t seed_value, size_t index) {
  std::mt19937_64 rng(seed_value * 0x9E3779B97F4A7C15ull + index);
  auto pick = [&](uint64_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, n - 1)(rng);
  };
  Variant v;
  v.bytes = seed;
  const size_t kind = fields.empty() ? pick(2) : pick(4);
  if (kind == 0) {
    const size_t at = static_cast<size_t>(pick(seed.size()));
    v.bytes.resize(at);
    v.what = "truncated at " + std::to_string(at) + " of " + std::to_string(seed.size());
  } else if (kind == 1) {
    const size_t n = 1 + static_cast<size_t>(pick(8));
    const bool header = pick(2) == 0;
    v.what = "changed bytes at";
    for (size_t i = 0; i < n && !seed.empty(); ++i) {
      const size_t at = static_cast<size_t>(header ? pick(std::min<size_t>(512, seed.size()))
                                                   : pick(seed.size()));
      v.bytes[at] = static_cast<char>(pick(256));
      v.what += " " + std::to_string(at);
    }
  } else {
    const SizeField& f = fields[static_cast<size_t>(pick(fields.size()))];
    const uint64_t ones = f.width == 8 ? ~uint64_t{0} : 0xFFFFFFFFull;
    const uint64_t huge =
        f.width == 8 ? (uint64_t{1} << 62) + pick(1000) : 0xFFFFFF00ull + pick(255);
    const uint64_t values[] = {
        0, ones, huge, pick(uint64_t{1} << 20),
        mutate_detail::get(seed, f.offset, f.width, f.big_endian) + 1 + pick(64)};
    const uint64_t value = values[pick(5)];
    mutate_detail::put(v.bytes, f.offset, f.width, f.big_endian, value);
    v.what = f.name + " set to " + std::to_string(value);
    if (kind == 3) {
      const size_t at = static_cast<size_t>(f.offset + pick(seed.size() - f.offset));
      v.bytes.resize(at);
      v.what += ", truncated at " + std::to_string(at);
    }
  }
  return v;
}

}  // namespace sc::test
