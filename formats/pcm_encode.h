// Float to stored-sample conversion shared by the writers (internal to formats/). It is the
// scheme libsndfile 1.2 uses with normalisation and SFC_SET_CLIPPING on, so a recording sent
// to a pipe by the stream writer holds the same sample values as one written to a file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "formats/format_table.h"

namespace sc::formats {

// Bytes one sample of `c` takes on disk: 2, 3, 4, 4.
inline size_t sample_bytes(Codec c) { return bits(c) / 8; }

// `x` clipped to [-1, 1]; NaN becomes 0.
float clip_unit(float x);

// libsndfile's float-to-integer conversion with clipping: scale by 2^31, clip to int32,
// round to nearest, then keep the top `bits` bits (an arithmetic shift, so pcm16 is
// floor(x * 32768) for most values, 1.0 gives 32767 and -1.0 gives -32768). NaN gives 0
// (libsndfile would give full-scale negative).
int32_t to_int32(float x);

// Converts `count` floats to samples of `codec` at `out`, little-endian or big-endian, which
// must hold count * sample_bytes(codec) bytes. float32 is clipped like the integer codecs.
void encode(Codec codec, const float* in, size_t count, unsigned char* out, bool big_endian);
inline void encode_le(Codec codec, const float* in, size_t count, unsigned char* out) {
  encode(codec, in, count, out, false);
}

}  // namespace sc::formats
