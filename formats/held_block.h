// The block of encoded frames a writer holds before they go out (writer.h: a file writer holds
// up to half a second, a stream writer a tenth), shared by the file and the stream writer
// (internal to formats/). Frames are encoded into it; the writer's `put(bytes, frames)` (a
// Status) writes it out when it is full, and at checkpoints and the close through flush().
// 16-bit frames whose stored form is their form in memory go out straight from the caller's
// memory, after what is held, when there are enough of them (add_s16).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/common/error.h"
#include "formats/pcm_encode.h"

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

  // Adds native-endian 16-bit frames of `channels` samples, stored as pcm16 (frame_bytes must
  // be 2 * channels), big- or little-endian. When no byte swap is needed and there are at
  // least a quarter block of them, they are put straight from `in`, all of them, after what is
  // held (if anything) has been put: a PulseAudio recording hands over the server's memory
  // blocks, up to 64 KiB (a third of a second of 48 kHz stereo), and copying every byte of
  // them into the block first was a memcpy parecord does not make (a uprobe on memcpy: all
  // 1.15 MB of a 6 s recording were copied, then 0.4 MB). Large pieces that came after a
  // small one were still copied, pulled into the block because something was held; now they
  // go straight too, one more write(2) of the small piece instead of a copy of the large one
  // (callgrind of a 20 s recording with a tone playing, where libpulse receives everything by
  // copy in pieces of 7-64 KB: 1.1 M instructions of memcpy here before, 77 K now). Smaller
  // pieces are held, so that they still go out in blocks, one system call for many.
  template <typename Put>
  Status add_s16(const int16_t* in, size_t frames, size_t channels, bool big_endian, Put put) {
    const bool as_in_memory = big_endian == (std::endian::native == std::endian::big);
    const size_t straight = std::max<size_t>(block_frames_ / 4, 1);
    if (as_in_memory && frames >= straight) {
      if (Status s = flush(put); !s) return s;
      return put(reinterpret_cast<const unsigned char*>(in), frames);
    }
    // Into the block, put each time it is full.
    const auto store = [&](unsigned char* out, size_t m) {
      store_s16(in, m * channels, out, big_endian);
      in += m * channels;
    };
    return add(frames, store, put);
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
