// 16-bit samples as floats: k stands for k / 32768, exactly (and pcm16 encoding gives k back).
// The one widening shared by the PulseAudio stream, the recorder and the writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sc {

// `count` native-endian 16-bit samples at `in` (any alignment) to floats at `out`.
inline void widen_s16(const void* in, size_t count, float* out) {
  const auto* bytes = static_cast<const unsigned char*>(in);
  for (size_t i = 0; i < count; ++i) {
    int16_t v;
    std::memcpy(&v, bytes + i * sizeof v, sizeof v);
    out[i] = static_cast<float>(v) * (1.0f / 32768.0f);
  }
}

}  // namespace sc
