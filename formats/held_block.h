// The block of encoded frames a writer holds before they go out (writer.h: a quarter of a
// second at most), shared by the file and the stream writer (internal to formats/). Frames are
// encoded into it; the writer's `put(bytes, frames)` (a Status) writes it out when it is full,
// and at checkpoints and the close through flush(). It earns its place without a benchmark:
// the encoded samples need a buffer anyway, and a file writer rewrites the header after every
// write, so holding turns a write(2) and a header rewrite per piece handed over (a 10 ms
// device period: 100 of each a second) into about ten of each.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>

#include "core/common/error.h"

namespace sc::formats {

class HeldBlock {
 public:
  // Frames of `frame_bytes` bytes; room for `block_frames` of them (at least 1), allocated by
  // the first add.
  HeldBlock(size_t frame_bytes, size_t block_frames)
      : frame_bytes_(frame_bytes), block_frames_(std::max<size_t>(block_frames, 1)) {}

  // Frames held, not written out yet.
  size_t frames() const { return held_; }

  // Adds `frames` frames, `fill(out, n)` storing the next n of them at `out`, and puts the
  // block each time it is full. A failed put's error is returned (what was held is dropped).
  template <typename Fill, typename Put>
  Status add(size_t frames, Fill fill, Put put) {
    if (!bytes_)
      bytes_ = std::make_unique_for_overwrite<unsigned char[]>(block_frames_ * frame_bytes_);
    while (frames > 0) {
      const size_t n = std::min(block_frames_ - held_, frames);
      fill(bytes_.get() + held_ * frame_bytes_, n);
      held_ += n;
      frames -= n;
      if (held_ == block_frames_) {
        if (Status s = flush(put); !s) return s;
      }
    }
    return ok_status();
  }

  // Puts what is held, if anything.
  template <typename Put>
  Status flush(Put put) {
    const size_t n = held_;
    held_ = 0;
    return n > 0 ? put(bytes_.get(), n) : ok_status();
  }

 private:
  size_t frame_bytes_;
  size_t block_frames_;
  size_t held_ = 0;
  std::unique_ptr<unsigned char[]> bytes_;
};

}  // namespace sc::formats
