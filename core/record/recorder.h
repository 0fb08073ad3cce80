// The record engine (DESIGN.md "Data flow"): device thread -> CaptureRing -> this thread:
// duration cut, conversion to the file's rate and channels, numbered files, checkpoints (4 a
// second). One path for every device.
// Files are created with the first frame, so a device that cannot start, or a recording that
// ends before its first frame, leaves nothing behind.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/audio/device.h"
#include "core/common/duration.h"
#include "core/common/error.h"
#include "core/record/file_sequence.h"
#include "formats/format_table.h"

namespace sc::record {

struct RecordRequest {
  std::string path;  // "-" for stdout
  formats::FormatChoice format;
  unsigned rate = 0;                 // file rate; 0: the device's
  unsigned channels = 0;             // file channels; 0: the device's, at most 2
  std::optional<Duration> duration;  // stop when the session clock reaches it
  std::optional<Duration> split;     // a new numbered file every this much audio
  bool overwrite = false;
  audio::StreamParams stream;  // asked of the device (rate, buffer); channels are derived
};

struct Interruption {
  double began_s = 0;
  std::optional<double> ended_s;  // none: never ended
  std::string reason;             // "routeDisconnected"
  bool resumed = false;
};

struct RouteChange {
  double at_s = 0;
  std::string reason;  // AVAudioSession's: "oldDeviceUnavailable", "newDeviceAvailable"
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
  std::string stopped_by;           // "duration", "signal", "device", "error"
  audio::StreamDescription stream;  // what the device negotiated (empty if it did not open)
  bool finalized = false;           // every file finalized
};

// What the recording shows while it runs, about ten times a second (the caller's thread).
struct Progress {
  Duration clock{0};
  uint64_t frames = 0;
  std::vector<float> peak_dbfs;  // per device channel since the last report
};

// Set from signal handlers by the caller; polled every few milliseconds.
struct Controls {
  const std::atomic<bool>* stop = nullptr;      // SIGINT, SIGTERM: stop and finalize
  const std::atomic<int>* next_file = nullptr;  // SIGUSR1: incremented for each request
  std::function<void(const Progress&)> on_progress;
  // Once the device has started: what it negotiated (record -v prints it).
  std::function<void(const audio::StreamDescription&)> on_stream;
};

struct RecordOutcome {
  RecordReport report;
  std::optional<Error> error;  // none: success (exit 0)
};

// Records from `device` until the duration passes, a stop is asked for, or the device goes
// away for good. Errors: the device's (!rec, 69) before any file exists; the output's (73);
// a write error (74) after which the files written stay valid and finalized; the device gone
// (75). The report is filled in every case.
RecordOutcome record(audio::Device& device, const RecordRequest& request, const Controls& controls);

}  // namespace sc::record
