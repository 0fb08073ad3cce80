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
#include <utility>
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
    // Playback only: the server asks the application to pause (PulseAudio's
    // PA_STREAM_EVENT_REQUEST_CORK, sent by module-role-cork while a phone-role stream plays
    // on the same sink) or allows it to go on (REQUEST_UNCORK). The stream itself keeps
    // running: acting on the request (PlaybackStream::pause) is the application's choice.
    cork_requested,
    uncork_requested,
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

// --- Playback (DESIGN.md "Data flow", play): the device pulls frames from a PlaybackSource.

// What a caller asks a playback stream for. Zero means "the device's own".
struct PlaybackParams {
  unsigned rate = 0;
  unsigned channels = 0;       // must be <= the device's output channels
  unsigned buffer_frames = 0;  // period; 0: the backend's default, kDefaultFragment at most
  // Extra properties for servers that take them (PulseAudio stream proplist), e.g.
  // {"media.role", "music"}. Others ignore them.
  std::vector<std::pair<std::string, std::string>> properties;
};

// Gives a playback stream its frames.
class PlaybackSource {
 public:
  virtual ~PlaybackSource() = default;

  // Fills `out` with up to `frames` interleaved float frames at the stream's rate and channel
  // count and returns how many it wrote. Fewer than asked is an underrun while the source
  // still has more to come (the stream plays silence for the rest and counts it), and the end
  // once end() is true. `at` is the stream clock of the first frame. Called from the stream's
  // own thread (real-time for real devices): no allocation, no locks, no system calls.
  virtual size_t on_need(float* out, size_t frames, Duration at) noexcept = 0;

  // A device event (xrun = underrun; disconnected, ended; cork_requested, uncork_requested),
  // in order with the pulls. Same thread rules as on_need.
  virtual void on_event(const DeviceEvent& event) noexcept = 0;

  // True once the source will give no more frames: the stream drains what it holds, then
  // finished() turns true. Any thread.
  virtual bool end() const noexcept = 0;

  // For consumers that are not real-time and can wait (the virtual device at speed=max):
  // blocks until `frames` frames are ready (or end() is true), or returns false when the
  // source is stopping. Never called from a real-time thread.
  virtual bool wait_for_data(size_t frames) noexcept = 0;
};

// A running (or ready) playback stream. Destroying it stops it at once (what the device
// still holds is dropped).
class PlaybackStream {
 public:
  virtual ~PlaybackStream() = default;

  // Starts pulling frames. A device that cannot start is an Error with
  // SessionCode::cannotStartPlaying naming the device.
  virtual Status start() = 0;

  // Pauses (PulseAudio: corks) without dropping what the device holds: after resume(), the
  // first frame heard is the one after the last frame heard before pause(), and the source
  // is not asked for frames in between. Both idempotent; from the thread that owns the
  // stream. An Error when the device refuses (it went away).
  virtual Status pause() = 0;
  virtual Status resume() = 0;

  // Stops at once; idempotent. When it returns, the source is not called again.
  virtual void stop() noexcept = 0;

  // The rate and channel count the source must produce; valid from open_playback on.
  virtual unsigned rate() const = 0;
  virtual unsigned channels() const = 0;

  // Frames taken from the source so far, and frames heard: taken minus what the device
  // (and the server) still holds unplayed. heard() never decreases and never passes taken().
  // After the source ended, finished() is true once heard() == taken(). Any thread.
  virtual uint64_t taken() const = 0;
  virtual uint64_t heard() const = 0;

  // True once the source ended and everything taken was heard, or the device went away
  // (an `ended` event was sent). Any thread.
  virtual bool finished() const = 0;

  // What the stream negotiated: backend, client, rate, fragment, latency (the output
  // latency: from a frame taken to that frame heard). Any thread, after open_playback.
  virtual StreamDescription describe() const = 0;
};

// The error of a device that cannot start: session_error(SessionCode::cannotStartPlaying,
// "cannot start playing to 'NAME' (API): CAUSE", hint). Every backend reports so.
Error cannot_start_playing(const DeviceInfo& info, std::string_view cause, std::string hint);

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

  // Opens a playback stream pulling from `source` (which must outlive the stream). A device
  // without output channels, or that refuses the parameters, is an Error with
  // SessionCode::cannotStartPlaying naming the device.
  //
  // Duplex (route test): a device that both captures and plays may have one capture and one
  // playback stream open at once. On the virtual device with signal=loop, what the playback
  // stream takes is what its capture stream delivers, `latency` later, frame for frame.
  virtual Result<std::unique_ptr<PlaybackStream>> open_playback(const PlaybackParams& params,
                                                                PlaybackSource& source) = 0;

  // True when this device's capture stream clock() and its playback stream's on_need `at`
  // count one timeline from one start, sample for sample (the virtual device with
  // signal=loop, whose two streams are one delay line). Two streams of a server or a sound
  // card each count their own frames: only the wall clock relates them (route test).
  virtual bool streams_share_clock() const { return false; }
};

}  // namespace sc::audio
