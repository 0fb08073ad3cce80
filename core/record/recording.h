// The recorder's private state machine, shared by recorder.cpp (streams, frames, files, the
// main loop) and interruptions.cpp (what a session notification, a lost device or a lost
// server does). Not a public interface: record() in recorder.h is.
//
// States, all on the recorder's thread:
//   running        a stream delivers into the ring; the loop drains it
//   interrupted    `began` stopped the stream; waiting for `ended`, then activating again
//   device lost    the device or the server went away; trying to open it again until
//                  --device-wait runs out
// Interrupted and device lost may hold at once; the stream runs only when neither does.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/capture_ring.h"
#include "core/record/converter.h"
#include "core/record/recorder.h"

namespace sc::record {

using Clock = std::chrono::steady_clock;

class Recording {
 public:
  Recording(audio::Device& device, const RecordRequest& req, const Controls& controls);
  ~Recording();
  RecordOutcome run();

 private:
  // --- recorder.cpp
  Status start();
  // Opens and starts a stream on device() into a new ring. Checks the first frames' format
  // against the converter's input.
  Status open_stream();
  // Stops the stream, drains the ring into the file, adds the stream's time to the session
  // clock and checkpoints: what is on disk is playable now.
  Status stop_stream();
  Status process(const audio::CaptureRing::Chunk& chunk);
  Status process_frames(const float* data, size_t frames, unsigned channels, Duration at);
  size_t frames_to_take(size_t frames, Duration at);
  Status write_frames(const float* data, size_t frames);
  Status flush_converter();
  Status ensure_open();
  Status checkpoint();
  Status handle_event(const audio::DeviceEvent& e);
  Status reconvert(unsigned rate, unsigned channels);
  void report_progress(Duration clock);
  void measure_peaks(const float* interleaved, size_t frames, unsigned channels);
  Status drain();
  Status wait_and_process(std::chrono::milliseconds timeout);
  Error nothing_recorded(std::string_view why) const;
  RecordOutcome finish(std::optional<Error> error, std::string stopped_by);
  // The session clock: the stream's, plus every earlier stream and gap.
  Duration session_clock() const;
  audio::Device& device() { return reopened_ ? *reopened_ : device_; }
  double now_s() const { return to_seconds(session_clock()); }
  void notice(const std::string& line) const;

  // --- interruptions.cpp
  // Acts on what the inbox holds, waiting up to `timeout` for the first. An Error ends the
  // recording with it (and stopped_by_ says how).
  Status take_notifications(std::chrono::milliseconds timeout);
  Status on_began(const session::Notification& n);
  Status on_ended(const session::Notification& n);
  // Activates again and reopens the stream; a refusal with --retry schedules the next try.
  Status resume();
  // The stream ended by itself (the device or the server went away): wait for it.
  Status on_device_lost(bool server);
  // Tries to open the lost device again; an Error when the wait has run out.
  Status try_reopen();
  // Runs the stream when nothing holds it back.
  Status restart_if_ready();
  // The recording's end when an interruption does not resume: 75, the code kept.
  Error not_resumed(std::string message, std::string hint, const Error* refusal = nullptr);
  void announce(session::NoteType type, int reason);
  // A device that went away (routeDisconnected, oldDeviceUnavailable) and came back
  // (newDeviceAvailable), booked in the report and told to watchers; `at` on the session clock.
  void route_lost(double at);
  void route_back(double at);
  Interruption* open_interruption();

  audio::Device& device_;
  std::unique_ptr<audio::Device> reopened_;  // the device opened again after a loss
  const RecordRequest& req_;
  const Controls& controls_;
  session::Inbox own_inbox_;  // when the caller gives none
  session::Inbox& inbox_;
  RecordReport report_;
  std::mutex ring_mu_;  // ring_ as the inbox's waker sees it
  std::unique_ptr<audio::CaptureRing> ring_;
  std::unique_ptr<audio::CaptureStream> stream_;
  std::unique_ptr<FileSequence> files_;
  std::unique_ptr<Converter> converter_;
  std::vector<float> in_, out_;
  std::vector<float> peaks_;
  unsigned in_channels_ = 0, in_rate_ = 0;
  bool opened_ = false;               // the first file exists (created with the first frames)
  bool done_ = false;                 // the duration was reached
  bool device_gone_ = false;          // the stream sent `ended`
  bool server_lost_ = false;          // ... because the audio server went away
  std::string stopped_by_ = "error";  // for an Error a handler returns

  // Session clock bookkeeping: offset_ is the time of earlier streams and of gaps; while no
  // stream runs, the gap since paused_at_ counts too.
  Duration offset_{0};
  Clock::time_point paused_at_{};

  bool interrupted_ = false;    // between `began` and a successful resume
  bool ended_pending_ = false;  // `ended` came and a resume is due (or retried)
  Clock::time_point retry_at_{};
  // Set at a resume, until the first frames come: resume_latency_ms.
  std::optional<Clock::time_point> resume_timer_;
  bool device_lost_ = false;  // waiting for the device or server to come back
  bool lost_server_ = false;  // ... and it was the server
  Clock::time_point lost_deadline_{}, next_reopen_{};
  std::optional<Duration> disconnected_at_;  // a device's own disconnect (session clock)
};

}  // namespace sc::record
