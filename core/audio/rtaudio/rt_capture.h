// A capture stream on one RtAudio device: what the RtAudio backend's CaptureStream
// (device.h, which describes the behaviour users see) runs on. Nothing here throws an
// RtAudioError: each is caught and becomes a Failure.
//
// Threads: open, start, stop and the destructor on the caller's thread; the sink is called
// from RtAudio's callback thread (real-time: no allocation, lock or system call there).
#pragma once

#include <rtaudio/RtAudio.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/audio/device.h"
#include "core/audio/rtaudio/rt_instance.h"
#include "core/common/duration.h"

namespace sc::audio::rt {

// Why an open or a start failed; an empty hint leaves the caller's default.
struct Failure {
  std::string cause;
  std::string hint;
};

class Capture final : public ErrorTarget {
 public:
  // A stream on `device` (an entry of rtaudio_list(): its api, name and id) into `sink`,
  // which must outlive it.
  Capture(const DeviceInfo& device, CaptureSink& sink);
  ~Capture();  // stops, closes the RtAudio stream and joins its thread
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Opens the RtAudio stream (not started); false with `why` filled.
  bool open(const StreamParams& params, Failure& why);
  // Starts delivering, the clock from 0; false with `why` filled.
  bool start(Failure& why);
  // Stops; idempotent. When it returns, the sink is not called again.
  void stop() noexcept;

  unsigned rate() const { return rate_; }
  unsigned channels() const { return channels_; }
  // The period RtAudio granted and its stream latency, in frames (after open()).
  size_t period_frames() const { return period_frames_; }
  size_t latency_frames() const { return latency_frames_; }
  // True once RtAudio reported the device gone.
  bool finished() const { return gone_.load(); }
  // The frames delivered since start(), as time: the audio's clock, not the wall's, so a
  // server that delivers late (a starved JACK) loses nothing to `record -d`. Any thread.
  Duration clock() const {
    return frames_duration(frames_delivered_.load(std::memory_order_relaxed), rate_);
  }

  // ErrorTarget: the first error during start() is why it failed; those while stopping do not
  // matter. A lost device ends the stream.
  void on_caller_error(const std::string& text) override;
  void on_error(RtAudioError::Type type, const std::string& text) override;
  bool owns_message(const std::string& text) const override;

  static int callback(void* output, void* input, unsigned int frames, double stream_time,
                      RtAudioStreamStatus status, void* user);

 private:
  int deliver(const float* input, unsigned frames, RtAudioStreamStatus status) noexcept;

  const std::string api_;
  const std::string name_;
  const std::string id_;
  const bool alsa_;
  CaptureSink& sink_;
  std::unique_ptr<RtAudio> rt_;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t period_frames_ = 0;
  size_t latency_frames_ = 0;
  bool skip_first_ = false;  // set by start(), then RT thread only
  std::atomic<bool> running_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> gone_{false};
  std::atomic<bool> ended_sent_{false};
  std::atomic<int> in_callback_{0};
  std::atomic<uint64_t> frames_delivered_{0};
  bool in_start_ = false;    // the caller's thread only
  std::string start_error_;  // the caller's thread only
};

}  // namespace sc::audio::rt
