// A playback stream on one RtAudio device (ALSA, JACK): what the RtAudio backend's
// PlaybackStream (device.h) runs on. Nothing here throws an RtAudioError: each is caught and
// becomes a Failure.
//
// The stream: RTAUDIO_FLOAT32 interleaved output at params.rate when the device lists it (else
// its preferred rate, else 48000 or its highest), params.channels (else all of the device's; an
// ALSA plugin device such as "default" 2 at most), a period of fragment_frames().
//
// Each RtAudio callback pulls one period from the source. Fewer frames while the source has not
// ended are its underrun: silence for the rest, an xrun event whose lost_frames is that silence.
// RTAUDIO_OUTPUT_UNDERFLOW (the device ran dry) is an xrun event with lost_frames 0. Once the
// source's end() is true the callback returns 1: RtAudio plays what it holds, then stops
// (ALSA: snd_pcm_drain; JACK: a few silent cycles), and finished() turns true once it stopped
// and the stream's latency has passed.
//
// pause() is RtAudio's stopStream, which returns once the device played what it held: what was
// taken is heard, and the source is not pulled again until resume() (startStream).
//
// heard(): taken() less the latency RtAudio reports (getStreamLatency, in frames) while
// playing; taken() once paused or finished. Rough: RtAudio's latency is its buffer, not what
// the device still holds at this moment; the silence of underruns counts as heard.
//
// Threads: open, start, pause, resume, stop and the destructor on one caller's thread; the
// source is called from RtAudio's callback thread (real-time: no allocation, lock or system call
// of ours there). taken() from any thread; heard() and finished() from any thread but RtAudio's
// (once the source ended they take the RtAudio lock to ask whether the stream stopped).
#pragma once

#include <rtaudio/RtAudio.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/audio/device.h"
#include "core/audio/rtaudio/rt_capture.h"
#include "core/audio/rtaudio/rt_instance.h"
#include "core/common/duration.h"

namespace sc::audio::rt {

class Playback final : public ErrorTarget {
 public:
  // A stream on `device` (an entry of rtaudio_list()) pulling from `source`, which must outlive
  // it.
  Playback(const DeviceInfo& device, PlaybackSource& source);
  ~Playback() override;  // stops, closes the RtAudio stream and joins its thread
  Playback(const Playback&) = delete;
  Playback& operator=(const Playback&) = delete;

  // Opens the RtAudio stream (not started); false with `why` filled.
  bool open(const PlaybackParams& params, Failure& why);
  // Starts (or, after pause(), resumes) pulling; false with `why` filled.
  bool start(Failure& why);
  // Stops after the device played what it holds; false with `why` filled (the device is gone).
  bool pause(Failure& why);
  // Stops at once (abortStream); idempotent. When it returns, the source is not called again.
  void stop() noexcept;

  unsigned rate() const { return rate_; }
  unsigned channels() const { return channels_; }
  size_t period_frames() const { return period_frames_; }
  size_t latency_frames() const { return latency_frames_; }
  uint64_t taken() const { return taken_.load(std::memory_order_acquire); }
  uint64_t heard() const;
  bool finished() const;

  // ErrorTarget.
  void on_caller_error(const std::string& text) override;
  void on_error(RtAudioError::Type type, const std::string& text) override;
  bool owns_message(const std::string& text) const override;

  static int callback(void* output, void* input, unsigned int frames, double stream_time,
                      RtAudioStreamStatus status, void* user);

 private:
  int pull(float* out, unsigned frames, RtAudioStreamStatus status) noexcept;
  void send(DeviceEvent::Kind kind, uint64_t lost = 0) noexcept;
  bool run(bool resume, Failure& why);

  const std::string api_;
  const std::string name_;
  const std::string id_;
  PlaybackSource& source_;
  std::unique_ptr<RtAudio> rt_;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t period_frames_ = 0;
  size_t latency_frames_ = 0;
  uint64_t written_ = 0;              // RT thread: frames handed to RtAudio, silence included
  std::atomic<bool> running_{false};  // started and not stopped: the callback pulls
  std::atomic<bool> paused_{false};
  std::atomic<bool> ended_{false};  // the source ended: the callback returned 1
  std::atomic<bool> gone_{false};
  std::atomic<bool> ended_sent_{false};
  std::atomic<int> in_callback_{0};
  std::atomic<uint64_t> taken_{0};
  mutable std::atomic<uint64_t> heard_{0};  // the floor heard() never goes below
  // When finished() first saw the stream stopped after the end (the caller's threads only).
  mutable std::mutex end_mutex_;
  mutable std::optional<std::chrono::steady_clock::time_point> stopped_at_;
  bool in_start_ = false;    // the caller's thread only
  std::string start_error_;  // the caller's thread only
};

}  // namespace sc::audio::rt
