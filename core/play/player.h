// `play`'s engine (DESIGN.md "Data flow", play; SESSION-MODEL.md "What record and play do with
// notifications"): files decoded one after another into one stream per output device, under
// an audio session.
//
//   decoder (formats/decoder.h, on the player's thread) -> PlayRing per output -> device
//   callback (play_ring.h applies the gain)
//
// Files follow each other without a gap: every file is decoded to the stream's rate and
// channels and pushed into the same rings, so the device never sees a boundary.
//
// Interruptions. `began` (from the registry, or the server's calls, merged by the session
// link) and the server's cork request (module-role-cork) each pause the streams
// (PlaybackStream::pause: PulseAudio corks, keeping what it holds), so that nothing is skipped
// or repeated. Playback resumes only when neither holds any more: `ended` with shouldResume
// activates again (rule 7) and, if the server has uncorked too, resumes. A refused activation,
// an `ended` without shouldResume, or --on-interrupt stop ends playback with Exit::temp_fail
// (75) and the position heard, for `--start` to pick up from. `duck` lowers the output by
// 20 dB, `unduck` restores it (rule 4).
//
// Threads: play() runs on the caller's thread, which decodes, acts on notifications and
// reports progress; the devices' threads only pull from the rings.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/device.h"
#include "core/common/duration.h"
#include "core/common/error.h"
#include "core/record/recorder.h"
#include "core/session/inbox.h"
#include "formats/decoder.h"

namespace sc::play {

enum class OnInterrupt { pause, stop };

struct PlayRequest {
  std::vector<formats::AudioSource> files;  // probed (probe_audio) before any device opened
  float gain = 1;                           // --volume as a factor
  Duration start{0};                        // into the first file
  std::optional<Duration> duration;         // of audio, over all the files
  OnInterrupt on_interrupt = OnInterrupt::pause;
  unsigned rate = 0;           // the stream's rate; 0: the first file's
  unsigned buffer_frames = 0;  // the device's period; 0: the backend's default
};

// Where playback is: a file of the request and a time in it (from the file's start).
struct Position {
  size_t file = 0;
  double at_s = 0;
};

struct PlayedFile {
  std::string path;
  double played_s = 0;  // audio of this file heard
};

struct PlayInterruption {
  double began_s = 0;  // on the playback clock (heard audio plus pauses)
  std::optional<double> ended_s;
  std::string reason;  // "default", "routeDisconnected"
  std::string cause;   // "call", "session", "server cork request", ...
  bool should_resume = false;
  bool resumed = false;
  Position position;  // where it paused
};

struct PlayReport {
  std::vector<PlayedFile> files;
  unsigned rate = 0, channels = 0;
  double duration_s = 0;  // audio heard
  uint64_t xruns = 0;     // underruns, summed over the outputs
  uint64_t decode_errors = 0;
  std::vector<PlayInterruption> interruptions;
  unsigned ducks = 0;
  Position position;                              // the last frame heard
  std::vector<audio::StreamDescription> streams;  // one per output
  std::string stopped_by;  // "end", "signal", "interruption", "device", "error"
};

struct PlayOutcome {
  PlayReport report;
  std::optional<Error> error;
};

struct PlayControls {
  const std::atomic<bool>* stop = nullptr;  // SIGINT, SIGTERM: stop now
  // The session (both null: none): notifications arrive in `inbox`; `link` activates again.
  session::Inbox* inbox = nullptr;
  record::SessionLink* link = nullptr;
  // About every 100 ms: the position heard and the total (0 when unknown).
  std::function<void(const Position&, double played_s)> on_progress;
  std::function<void(const std::string&)> on_notice;  // one line each, as it happens
};

// Plays `req` to every device of `outputs` at once (multiRoute: two or more). The devices
// must outlive the call. Errors: a device that cannot start (69), a decoder's (65, 74), an
// interruption that did not resume (75), a device that went away (75).
PlayOutcome play(const std::vector<audio::Device*>& outputs, const PlayRequest& req,
                 const PlayControls& controls);

}  // namespace sc::play
