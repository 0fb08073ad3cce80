#include "core/audio/pulse_frames.h"

#include <algorithm>
#include <cstring>

#include "core/common/pcm16.h"

namespace sc::audio {

void PulseFrames::configure(bool s16, unsigned channels, unsigned rate) {
  s16_ = s16;
  channels_ = std::clamp(channels, 1u, 32u);
  rate_ = rate;
  frame_bytes_ = channels_ * (s16 ? sizeof(int16_t) : sizeof(float));
  if (!scratch_) scratch_ = std::make_unique_for_overwrite<float[]>(kScratchFloats);
}

void PulseFrames::start() noexcept {
  s16_sink_ = s16_ && sink_.takes_s16();
  carry_ = 0;
  delivered_.store(0);
}

void PulseFrames::to_float(const uint8_t* in, size_t samples, float* out) const noexcept {
  if (!s16_) {
    std::memcpy(out, in, samples * sizeof(float));
    return;
  }
  widen_s16(in, samples, out);
}

void PulseFrames::deliver(const uint8_t* data, size_t bytes) noexcept {
  if (s16_sink_ && carry_ == 0 && reinterpret_cast<uintptr_t>(data) % alignof(int16_t) == 0) {
    if (const size_t whole = bytes / frame_bytes_; whole > 0) {
      sink_.on_frames_s16(reinterpret_cast<const int16_t*>(data), whole, clock());
      count(whole);
      data += whole * frame_bytes_;
      bytes -= whole * frame_bytes_;
    }
  }
  const size_t max_frames = kScratchFloats / channels_;
  while (bytes > 0) {
    size_t frames = 0;
    if (carry_ > 0) {
      const size_t take = std::min(bytes, frame_bytes_ - carry_);
      std::memcpy(carry_bytes_ + carry_, data, take);
      carry_ += take;
      data += take;
      bytes -= take;
      if (carry_ < frame_bytes_) return;
      to_float(carry_bytes_, channels_, scratch_.get());
      carry_ = 0;
      frames = 1;
    }
    const size_t whole_frames = bytes / frame_bytes_;
    if (frames == 0 && !s16_ && reinterpret_cast<uintptr_t>(data) % alignof(float) == 0 &&
        whole_frames > 0) {
      sink_.on_frames(reinterpret_cast<const float*>(data), whole_frames, clock());
      count(whole_frames);
      data += whole_frames * frame_bytes_;
      bytes -= whole_frames * frame_bytes_;
    } else {
      const size_t whole = std::min(whole_frames, max_frames - frames);
      to_float(data, whole * channels_, scratch_.get() + frames * channels_);
      frames += whole;
      data += whole * frame_bytes_;
      bytes -= whole * frame_bytes_;
      if (frames > 0) {
        sink_.on_frames(scratch_.get(), frames, clock());
        count(frames);
      }
    }
    if (bytes > 0 && bytes < frame_bytes_) {
      std::memcpy(carry_bytes_, data, bytes);
      carry_ = bytes;
      return;
    }
  }
}

}  // namespace sc::audio
