// The Device interface (DESIGN.md "core/audio"): what a capture source is, how a stream
// delivers frames, and the events a device reports. Backends, one folder each: PulseAudio
// through libpulse (pulse/), ALSA and JACK through RtAudio (rtaudio/) and the built-in virtual
// device (virtual/). Nothing above them knows which one it holds.
//
// Threads: a stream calls its CaptureSink from one thread of its own (RtAudio's callback
// thread, libpulse's main loop thread, the virtual device's producer), never from the
// caller's. For real devices that thread is real-time, or shared with the library's own
// work: the sink must not allocate, lock or make system calls there. Every real device
// delivers into a CaptureRing that the recorder's thread drains (DESIGN.md "Data flow").
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
  unsigned buffer_frames = 0;  // period (PulseAudio: fragment) size; 0: the backend's
                               // default, kDefaultFragment at most (the virtual device: its
                               // `buffer` key)
};

// How much audio a real device holds before it hands it over, unless the caller asks for
// more: what a device or server that goes away takes with it (DESIGN.md "Data flow").
constexpr std::chrono::milliseconds kDefaultFragment{20};

// The fragment (period) a backend asks its device for, in frames at `rate`:
// params.buffer_frames when given, else kDefaultFragment (64 frames at least).
unsigned fragment_frames(const StreamParams& params, unsigned rate);

// What a stream negotiated, for `record -v`.
struct StreamDescription {
  std::string backend;         // "pulse", "alsa", "jack", "virtual"
  std::string client;          // "libpulse 16.1.0 to pulseaudio 16.1", "RtAudio 5.2.0"
  unsigned rate = 0;           // the stream's
  size_t fragment_frames = 0;  // what the device hands over at once, 0 if unknown
  Duration latency{0};         // the device's own latency (source latency, stream latency)
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
  // ended: the audio server itself went away (it died, or the connection failed), rather
  // than the device (mediaServicesWereLost against a route change, SESSION-MODEL.md).
  bool server_lost = false;
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

  // What the stream negotiated with its device (backend, client, fragment, latency); valid
  // after open_capture. Any thread.
  virtual StreamDescription describe() const = 0;
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
