// The record engine (DESIGN.md "Data flow"): device thread -> CaptureRing -> this thread:
// duration cut, conversion to the file's rate and channels, numbered files, checkpoints (4 a
// second). One path for every device. It is also the session's state machine
// (SESSION-MODEL.md "What record and play do with notifications"): an interruption stops the
// device and checkpoints the file, a resume activates again and opens the device anew, a
// device or server that goes away is waited for and opened again.
// Files are created with the first frame, so a device that cannot start, or a recording that
// ends before its first frame, leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/device.h"
#include "core/common/duration.h"
#include "core/common/error.h"
#include "core/record/file_sequence.h"
#include "core/session/inbox.h"
#include "formats/format_table.h"

namespace sc::record {

// At `began`: keep the file open (pause), open the next numbered file at the resume (split),
// or finalize and stop with 75 at once (stop).
enum class OnInterrupt { pause, split, stop };
// At `ended`: resume when it says shouldResume (automatic), resume anyway (always), or
// finalize and stop with 75 (never).
enum class ResumePolicy { automatic, always, never };

struct RecordRequest {
  std::string path;  // "-" for stdout
  formats::FormatChoice format;
  unsigned rate = 0;                 // file rate; 0: the device's
  unsigned channels = 0;             // file channels; 0: the device's, at most 2
  std::optional<Duration> duration;  // stop when the session clock reaches it
  std::optional<Duration> split;     // a new numbered file every this much audio
  bool overwrite = false;
  bool fragmented = false;     // m4a: keep the fragmented MP4 (WriterSpec::fragmented)
  audio::StreamParams stream;  // asked of the device (rate, buffer); channels are derived
  OnInterrupt on_interrupt = OnInterrupt::pause;
  ResumePolicy resume = ResumePolicy::automatic;
  bool retry = false;  // a refused resume is tried again every second
  // How long a device or audio server that went away is waited for.
  Duration device_wait = std::chrono::seconds(30);
};

struct Interruption {
  double began_s = 0;             // session clock
  std::optional<double> ended_s;  // none: never ended
  std::string reason;             // AVAudioSession's: "default", "routeDisconnected"
  std::string cause;              // "call", "siri", "alarm", "session", "device", ...
  std::optional<pid_t> by_pid;    // the interrupting session's process
  bool should_resume = false;     // what `ended` said
  bool resumed = false;
  // "resumed", "stopped" (--on-interrupt stop), "not resumed" (no shouldResume, or --resume
  // never), "refused" (the resume was refused; `code` says why), "open" (still interrupted
  // at the end of the recording).
  std::string outcome = "open";
  std::string code;  // the refusal's four characters ("!int")
  int retries = 0;   // refused resumes tried again (--retry)
  // From the interrupter's send of `began` to the recorder's receipt (system clock, so across
  // processes), and from `ended`'s receipt to the first frames of the resumed device.
  std::optional<double> notify_latency_ms, resume_latency_ms;
};

struct RouteChange {
  double at_s = 0;
  std::string reason;  // AVAudioSession's: "oldDeviceUnavailable", "newDeviceAvailable"
  std::string device;  // the device now in use (or lost)
};

// The audio server went away (lost) and came back (reset_s set).
struct MediaServices {
  double lost_s = 0;
  std::optional<double> reset_s;
};

struct FormatChange {
  double at_s = 0;
  unsigned rate = 0;
  unsigned channels = 0;
};

struct RecordReport {
  std::vector<FileReport> files;
  formats::FormatChoice format{};
  unsigned rate = 0, channels = 0;                // the file's
  unsigned device_rate = 0, device_channels = 0;  // the stream's at start
  uint64_t frames = 0;                            // in all files
  double duration_s = 0;                          // session clock at the stop
  uint64_t xruns = 0, overflows = 0, lost_frames = 0;
  std::vector<Interruption> interruptions;
  std::vector<RouteChange> route_changes;
  std::vector<FormatChange> format_changes;
  std::vector<MediaServices> media_services;
  // "duration", "signal", "device", "error", "interruption" (75: it did not resume)
  std::string stopped_by;
  audio::StreamDescription stream;  // what the device negotiated (empty if it did not open)
  bool finalized = false;           // every file finalized
};

// What the recording shows while it runs, about ten times a second (the caller's thread).
struct Progress {
  Duration clock{0};
  uint64_t frames = 0;
  std::vector<float> peak_dbfs;  // per device channel since the last report
};

// The session a recording runs under (core/record/session_link.h joins the registry and the
// audio server's calls). Called from the recorder's thread only.
class SessionLink {
 public:
  virtual ~SessionLink() = default;
  // Activates again after an interruption (rule 7). Refused: the Error carries the code.
  virtual Status reactivate() = 0;
  // Tells watchers (`session watch`) of a route change or of media services lost/reset. A
  // reset also means a new audio server, whose calls the link watches from then on.
  virtual void announce(const session::Notification& n) = 0;
};

// Opens the input device again after it went away: the same device by its name, or the new
// default (--follow-default). An Error while it is not back.
using Reopen = std::function<Result<std::unique_ptr<audio::Device>>()>;

// Set from signal handlers by the caller; polled every few milliseconds.
struct Controls {
  const std::atomic<bool>* stop = nullptr;      // SIGINT, SIGTERM: stop and finalize
  const std::atomic<int>* next_file = nullptr;  // SIGUSR1: incremented for each request
  std::function<void(const Progress&)> on_progress;
  // Once the device has started: what it negotiated (record -v prints it).
  std::function<void(const audio::StreamDescription&)> on_stream;
  // The session: notifications arrive in `inbox` (began, ended; the rest is ignored) and
  // `link` activates again. Both null: no session (unit tests).
  session::Inbox* inbox = nullptr;
  SessionLink* link = nullptr;
  // Null: a device that goes away for good ends the recording (75) at once.
  Reopen reopen;
  // Said on stderr as it happens ("interrupted by a call ..."), one line each; may be null.
  std::function<void(const std::string&)> on_notice;
};

struct RecordOutcome {
  RecordReport report;
  std::optional<Error> error;  // none: success (exit 0)
};

// Records from `device` until the duration passes, a stop is asked for, the device goes
// away for good, or an interruption does not resume. Errors: the device's (!rec, 69) before
// any file exists; the output's (73); a write error (74) after which the files written stay
// valid and finalized; the device gone, or an interruption that did not resume (75, with the
// refusal's code when one was refused). The report is filled in every case.
RecordOutcome record(audio::Device& device, const RecordRequest& request, const Controls& controls);

}  // namespace sc::record
