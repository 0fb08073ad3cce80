// The Device interface (DESIGN.md "core/audio"): what a capture source is, how a stream
// delivers frames, and the events a device reports. Backends: PulseAudio (its native protocol,
// or libpulse) in pulse_device.h, RtAudio (ALSA, JACK) in rtaudio/device.h and the built-in virtual
// device in virtual_device.h.
//
// Threads: a stream calls its CaptureSink from the stream's own thread, or, for streams that
// are pumped (CaptureStream::pump), from the thread that pumps them. For real devices the
// stream's own thread is a real-time thread: the sink must not allocate, lock or make system
// calls there.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/duration.h"
#include "core/common/error.h"

namespace sc::audio {

// One device as `route list` shows it.
struct DeviceInfo {
  int index = -1;    // position in `route list` (stable for one listing)
  std::string api;   // "pulse", "alsa", "jack", "virtual"
  std::string name;  // the name users see ("Monitor of Null Output")
  std::string id;    // the system's identifier where known ("loop.monitor", "hw:1,0")
  unsigned input_channels = 0;
  unsigned output_channels = 0;
  std::vector<unsigned> rates;  // supported sample rates, ascending
  unsigned preferred_rate = 0;  // the device's native/preferred rate, 0 if unknown
  bool default_input = false;
  bool default_output = false;
};

// What a caller asks a capture stream for. Zero means "the device's own".
struct StreamParams {
  unsigned rate = 0;
  unsigned channels = 0;       // must be <= the device's input channels
  unsigned buffer_frames = 0;  // period size; 0: the backend's relaxed default (PulseAudio:
                               // 2 s fragments; RtAudio: 250 ms; the virtual device: its
                               // `buffer` key)
  unsigned keep_bits = 0;      // the resolution the caller keeps: 16 when the frames end up
                               // as 16-bit samples, so a backend may carry 16-bit samples,
                               // hand them as they are to a sink that takes them
                               // (CaptureSink::takes_s16) and widen them to float (exactly)
                               // for one that does not; 0: all
};

// Something that happened to a stream, at a time on the stream's clock.
struct DeviceEvent {
  enum class Kind {
    xrun,            // the device lost frames (overrun); `lost_frames` says how many if known
    disconnected,    // the device went away; no frames until `reconnected`
    reconnected,     // it came back; frames follow at `rate` and `channels`
    format_changed,  // from now on frames come at `rate` and `channels`
    ended,           // the device is gone for good; no more callbacks
  };
  Kind kind = Kind::xrun;
  Duration at{0};     // stream clock at the event
  unsigned rate = 0;  // for format_changed and reconnected
  unsigned channels = 0;
  uint64_t lost_frames = 0;
};

// Receives a capture stream's frames and events.
class CaptureSink {
 public:
  virtual ~CaptureSink() = default;

  // Interleaved float frames (nominal range -1..1) at the stream's current rate and channel
  // count; `at` is the stream clock of the first frame. Real-time thread: no allocation,
  // no locks, no system calls. Frames the sink cannot take are its to count as lost.
  virtual void on_frames(const float* data, size_t frames, Duration at) noexcept = 0;

  // A device event, in order with the frames. Same thread rules as on_frames.
  virtual void on_event(const DeviceEvent& event) noexcept = 0;

  // Whether the sink takes 16-bit frames as they are, through on_frames_s16, from a stream
  // that carries 16-bit samples (StreamParams::keep_bits 16): a recording to pcm16 then never
  // widens them to float and back. Asked by the stream when it starts. Default: no, every
  // frame comes to on_frames.
  virtual bool takes_s16() const noexcept { return false; }

  // Interleaved native-endian 16-bit frames (k stands for k / 32768), for a sink whose
  // takes_s16() said yes; `data` is 2-byte aligned. Same thread rules as on_frames.
  virtual void on_frames_s16(const int16_t* data, size_t frames, Duration at) noexcept {
    (void)data, (void)frames, (void)at;
  }

  // For producers that are not real-time and can wait (the virtual device at speed=max):
  // blocks until the sink can take `frames` more frames, or returns false when the sink
  // wants no more (it is stopping). Never called from a real-time thread.
  virtual bool wait_for_space(size_t frames) noexcept = 0;
};

// A running (or ready) capture stream. Destroying it stops it.
class CaptureStream {
 public:
  virtual ~CaptureStream() = default;

  // Starts delivering frames. A device that cannot start is an Error with
  // SessionCode::cannotStartRecording naming the device.
  virtual Status start() = 0;

  // Stops; idempotent. When it returns, the sink is not called again. A producer that may
  // block in the sink's wait_for_space (the virtual device at speed=max) is only released by
  // the sink: close the sink (CaptureRing::close) before calling stop().
  virtual void stop() noexcept = 0;

  // The rate and channel count frames come at: from open_capture on, those of the first
  // frames; afterwards they may change, each change announced by a format_changed event in
  // order with the frames (so read them before start() for the first frames).
  virtual unsigned rate() const = 0;
  virtual unsigned channels() const = 0;

  // The session clock: time since start, as the audio counts it — the time of the next frame
  // to deliver, plus the time the device was disconnected (a gap passes in real time, or at
  // once at speed=max). For the virtual device at speed=max it runs as fast as frames are
  // taken. A late real device (a starved server) does not lose frames to it. Any thread.
  virtual Duration clock() const = 0;

  // True once the stream has ended by itself (the device is gone, or a finite source ran
  // out). Any thread.
  virtual bool finished() const = 0;

  // For streams that deliver on their caller's thread (PulseAudio, whose server already
  // buffers what it captured: no real-time thread of ours is needed): waits up to `timeout`
  // for the server and hands what it sent to the sink, here, before returning. Returns early
  // when frames or events were delivered, when the stream ended, and when a signal
  // interrupted the wait. The thread that started the stream calls it. Returns false, at once,
  // for streams that deliver from a thread of their own: the caller waits on its sink instead.
  virtual bool pump(std::chrono::milliseconds timeout) {
    (void)timeout;
    return false;
  }

  // True for streams that deliver on their caller's thread, from pump() (PulseAudio): the
  // sink is then called only there, on the thread that pumps, so it may do what a real-time
  // thread may not (write the file at once, allocate). Known from open_capture on.
  virtual bool pumped() const { return false; }

  // Where the session clock will be once everything the device has captured until now has
  // been delivered, for streams whose device buffers more than a period and can say how much
  // (PulseAudio asks its server: up to a fragment and the source's own latency). A stop waits
  // for that, so that nothing captured before it is lost. nullopt: the stream cannot say (the
  // caller waits for one more delivery instead). The thread that pumps the stream calls it.
  virtual std::optional<Duration> captured() { return std::nullopt; }

  // The recording ends after about `left` more audio (0: now, a stop). A stream that delivers
  // in large fragments switches to small ones (PulseAudio: about left / 8, at least 20 ms), so
  // that the end is not waited for. Default: nothing. The thread that pumps the stream calls
  // it.
  virtual void end_soon(Duration left) { (void)left; }
};

// The error of a device that cannot start: session_error(SessionCode::cannotStartRecording,
// "cannot start recording from 'NAME' (API): CAUSE", hint). Every backend reports so.
Error cannot_start_recording(const DeviceInfo& info, std::string_view cause, std::string hint);

// A device that can be opened.
class Device {
 public:
  virtual ~Device() = default;
  virtual const DeviceInfo& info() const = 0;

  // Opens a capture stream into `sink` (which must outlive the stream). A device without
  // input channels, or that refuses the parameters, is an Error with
  // SessionCode::cannotStartRecording naming the device.
  virtual Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                              CaptureSink& sink) = 0;
};

}  // namespace sc::audio
