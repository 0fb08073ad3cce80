#include "core/record/recorder.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "core/record/recording.h"
#include "core/session/codes.h"

namespace sc::record {
namespace {

using namespace std::chrono_literals;

// What is on disk is at most this old (plus what the device holds), so a SIGKILL loses little
// (writer.h).
constexpr auto kCheckpointEvery = 250ms;
// A device that delivers no audio for this long has stalled (a suspended source, a hung
// server): before its first frame that is !rec, afterwards the recording stops (75).
constexpr auto kStallLimit = 10s;
constexpr auto kProgressEvery = 100ms;
// How often the ring is looked at: a device's real-time thread cannot wake us (no system
// calls there). With a meter, 10 times a second, for it to move; without one, at each
// checkpoint, which then writes out everything that came (a SIGKILL loses at most that and
// a fragment) and answers a signal within a quarter second. Every wake-up costs: at 10 a
// second this thread cost 1.4 ms of CPU per second of audio (bench/run cpu).
constexpr auto kWaitWithMeter = 100ms;
constexpr auto kWaitPolled = kCheckpointEvery;
// After a resume, until the first frames come: resume_latency_ms is timed when this thread
// sees them, so it looks this often (for one fragment or so, once per interruption), not at
// the next checkpoint, which would time its own polling.
constexpr auto kWaitResuming = 2ms;

// Frames of a chunk that start before `limit` on the session clock. A stream's `at` is its
// first frame's time floored to the nanosecond, so it may be up to 1 ns early: a frame whose
// computed start lies less than 1 ns past a whole frame boundary is not counted twice.
size_t frames_before(Duration limit, Duration at, size_t frames, unsigned rate) {
  if (at >= limit) return 0;
  // Whole seconds and the rest apart, so no product overflows 64 bits.
  const int64_t ns = (limit - at).count();
  const int64_t r = rate;
  const int64_t rest = ns % 1'000'000'000 * r - r;  // in frame-nanoseconds, less the 1 ns slack
  const int64_t rest_frames = rest <= 0 ? 0 : (rest + 999'999'999) / 1'000'000'000;
  const int64_t keep = ns / 1'000'000'000 * r + rest_frames;
  return static_cast<size_t>(std::clamp<int64_t>(keep, 0, static_cast<int64_t>(frames)));
}

}  // namespace

Recording::Recording(audio::Device& device, const RecordRequest& req, const Controls& controls)
    : device_(device),
      req_(req),
      controls_(controls),
      inbox_(controls.inbox ? *controls.inbox : own_inbox_) {
  // A notification ends the ring's wait at once (notification latency, bench/run sessions).
  inbox_.set_waker([this] {
    std::lock_guard lock(ring_mu_);
    if (ring_) ring_->wake();
  });
}

Recording::~Recording() {
  inbox_.set_waker(nullptr);  // it may outlive this recording
  stream_.reset();            // before the ring it delivers into
}

Duration Recording::session_clock() const {
  if (stream_) return offset_ + stream_->clock();
  if (paused_at_ == Clock::time_point{}) return offset_;
  return offset_ + std::chrono::duration_cast<Duration>(Clock::now() - paused_at_);
}

void Recording::notice(const std::string& line) const {
  if (controls_.on_notice) controls_.on_notice(line);
}

Status Recording::open_stream() {
  const auto& info = device().info();
  const unsigned want = req_.channels ? req_.channels : 2;
  const unsigned capture_channels = std::min(info.input_channels, want);
  audio::StreamParams params = req_.stream;
  params.channels = capture_channels > 0 ? capture_channels : 1;  // 0 in: the device refuses
  const unsigned nominal_rate = params.rate ? params.rate : std::max(info.preferred_rate, 8000u);
  // Two seconds of audio, and room for many periods, allocated before the stream opens (no
  // stream calls its sink before it starts).
  const size_t period = params.buffer_frames ? params.buffer_frames : 1024;
  auto ring = std::make_unique<audio::CaptureRing>(
      std::max<size_t>(size_t{2} * nominal_rate, 16 * period) * params.channels, 8192);
  auto stream = device().open_capture(params, *ring);
  if (!stream) return stream.error();
  {
    std::lock_guard lock(ring_mu_);
    ring_ = std::move(ring);
  }
  stream_ = std::move(*stream);
  // The format of the first frames, read before the start: a producer at speed=max may have
  // passed a rate change before start() returns (its frames wait in the ring, after a
  // format_changed event).
  const unsigned rate = stream_->rate(), channels = stream_->channels();
  ring_->set_channels(channels);
  if (auto s = stream_->start(); !s) {
    stream_.reset();
    std::lock_guard lock(ring_mu_);
    ring_.reset();
    return s;
  }
  // The gap since the last stream stopped (an interruption, a lost device) is session time.
  if (paused_at_ != Clock::time_point{}) {
    offset_ += std::chrono::duration_cast<Duration>(Clock::now() - paused_at_);
    paused_at_ = {};
  }
  device_gone_ = server_lost_ = false;
  disconnected_at_.reset();
  if (!converter_) {
    in_rate_ = rate;
    in_channels_ = channels;
    return ok_status();
  }
  if (rate == in_rate_ && channels == in_channels_) return ok_status();
  // A device opened again may come at another rate: the file keeps its own (scenario 4).
  report_.format_changes.push_back(FormatChange{now_s(), rate, channels});
  return reconvert(rate, channels);
}

Status Recording::stop_stream() {
  if (!stream_) return ok_status();
  ring_->close();  // unblocks a producer waiting for space
  stream_->stop();
  Status drained = drain();
  offset_ += stream_->clock();
  report_.overflows += ring_->overflows();
  report_.lost_frames += ring_->lost_frames();
  stream_.reset();
  {
    std::lock_guard lock(ring_mu_);
    ring_.reset();
  }
  paused_at_ = Clock::now();
  if (!drained) return drained;
  return checkpoint();
}

Status Recording::start() {
  if (auto s = open_stream(); !s) return s;
  report_.stream = stream_->describe();
  if (controls_.on_stream) controls_.on_stream(report_.stream);
  report_.device_rate = in_rate_;
  report_.device_channels = in_channels_;

  formats::WriterSpec spec;
  spec.format = req_.format;
  spec.rate = req_.rate ? req_.rate : in_rate_;
  spec.channels = req_.channels ? req_.channels : in_channels_;
  spec.fragmented = req_.fragmented;
  // Before any frame: a format the file cannot take is a usage error, and no file.
  const std::string what = req_.path == "-" ? "stdout" : fmt::format("'{}'", req_.path);
  if (auto s = formats::check_format(spec.format, spec.rate, spec.channels, what); !s) return s;
  report_.format = spec.format;
  report_.rate = spec.rate;
  report_.channels = spec.channels;
  const uint64_t split_frames =
      req_.split ? static_cast<uint64_t>(std::llround(to_seconds(*req_.split) * spec.rate)) : 0;
  files_ = std::make_unique<FileSequence>(req_.path, spec, req_.overwrite, split_frames);
  peaks_.assign(in_channels_, 0.0f);
  return reconvert(in_rate_, in_channels_);
}

Status Recording::flush_converter() {
  if (!converter_) return ok_status();
  out_.clear();
  converter_->flush(out_);
  return write_frames(out_.data(), out_.size() / report_.channels);
}

Status Recording::reconvert(unsigned rate, unsigned channels) {
  if (auto s = flush_converter(); !s) return s;
  auto c = Converter::create(rate, channels, report_.rate, report_.channels);
  if (!c) return c.error();
  converter_ = std::move(*c);
  in_rate_ = rate;
  in_channels_ = channels;
  peaks_.assign(channels, 0.0f);
  return ok_status();
}

// The file is created when the first frames arrive, so a device that starts but never
// delivers leaves nothing behind (SESSION-MODEL.md scenario 3).
Status Recording::ensure_open() {
  if (opened_) return ok_status();
  if (auto s = files_->open(); !s) return s;
  opened_ = true;
  return ok_status();
}

// The writer holds what it is given until it has a block (writer.h): no batching here.
Status Recording::write_frames(const float* data, size_t frames) {
  if (frames == 0) return ok_status();
  if (auto s = ensure_open(); !s) return s;
  return files_->write(data, frames);
}

void Recording::measure_peaks(const float* x, size_t frames, unsigned channels) {
  for (unsigned c = 0; c < channels; ++c) {
    float peak = peaks_[c];
    for (size_t f = 0; f < frames; ++f) peak = std::max(peak, std::fabs(x[f * channels + c]));
    peaks_[c] = peak;
  }
}

Status Recording::checkpoint() { return opened_ ? files_->checkpoint() : ok_status(); }

Status Recording::process(const audio::CaptureRing::Chunk& chunk) {
  if (chunk.is_event) return handle_event(chunk.event);
  return process_frames(in_.data(), chunk.frames, chunk.channels, chunk.at);
}

size_t Recording::frames_to_take(size_t frames, Duration at) {
  if (done_) return 0;
  if (!req_.duration) return frames;
  // `at` is on this stream's clock; the session clock adds what came before it.
  if (*req_.duration <= offset_) {
    done_ = true;
    return 0;
  }
  const size_t take = frames_before(*req_.duration - offset_, at, frames, in_rate_);
  if (take < frames) done_ = true;
  return take;
}

Status Recording::process_frames(const float* data, size_t frames, unsigned channels, Duration at) {
  if (resume_timer_ && frames > 0) {
    if (Interruption* i = report_.interruptions.empty() ? nullptr : &report_.interruptions.back())
      i->resume_latency_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - *resume_timer_).count();
    resume_timer_.reset();
  }
  frames = frames_to_take(frames, at);
  if (frames == 0) return ok_status();
  if (channels != in_channels_) {  // the device changed its channel count without telling
    if (auto s = reconvert(in_rate_, channels); !s) return s;
  }
  if (controls_.on_progress) measure_peaks(data, frames, channels);
  if (converter_->identity()) return write_frames(data, frames);
  out_.clear();
  converter_->convert(data, frames, out_);
  return write_frames(out_.data(), out_.size() / report_.channels);
}

Status Recording::handle_event(const audio::DeviceEvent& e) {
  using K = audio::DeviceEvent::Kind;
  const double at = to_seconds(offset_ + e.at);
  switch (e.kind) {
    case K::xrun:
      ++report_.xruns;
      report_.lost_frames += e.lost_frames;
      return ok_status();
    case K::disconnected:
      route_lost(at);
      disconnected_at_ = offset_ + e.at;
      return checkpoint();  // what is on disk is playable while the device is away
    case K::reconnected:
      route_back(at);
      disconnected_at_.reset();
      if (e.rate && (e.rate != in_rate_ || (e.channels && e.channels != in_channels_)))
        return reconvert(e.rate, e.channels ? e.channels : in_channels_);
      return ok_status();
    case K::format_changed:
      report_.format_changes.push_back(
          FormatChange{at, e.rate, e.channels ? e.channels : in_channels_});
      return reconvert(e.rate ? e.rate : in_rate_, e.channels ? e.channels : in_channels_);
    case K::ended:
      device_gone_ = true;
      server_lost_ = e.server_lost;
      return ok_status();
    case K::cork_requested:  // playback only
    case K::uncork_requested:
      return ok_status();
  }
  return ok_status();
}

Status Recording::wait_and_process(std::chrono::milliseconds timeout) {
  // A producer that may block in wait_for_space wakes us itself, and so does a notification;
  // the others are polled.
  ring_->wait_for_data(timeout);
  if (auto s = take_notifications(std::chrono::milliseconds(0)); !s) return s;
  if (!stream_) return ok_status();  // an interruption stopped it
  audio::CaptureRing::Chunk chunk;
  while (!done_ && !device_gone_ && ring_->pop(chunk, in_)) {
    if (auto s = process(chunk); !s) return s;
  }
  return ok_status();
}

Status Recording::drain() {
  if (!ring_) return ok_status();
  audio::CaptureRing::Chunk chunk;
  while (ring_->pop(chunk, in_)) {
    if (auto s = process(chunk); !s) return s;
  }
  return ok_status();
}

Error Recording::nothing_recorded(std::string_view why) const {
  return make_error(Exit::temp_fail, fmt::format("{}: no file was written", why),
                    "nothing was recorded; check the device with 'soundcheck route list --input' "
                    "and record again");
}

void Recording::report_progress(Duration clock) {
  if (!controls_.on_progress) return;
  Progress p;
  p.clock = clock;
  p.frames = files_->total_frames();
  for (float peak : peaks_) p.peak_dbfs.push_back(peak > 0 ? 20.0f * std::log10(peak) : -INFINITY);
  std::fill(peaks_.begin(), peaks_.end(), 0.0f);
  controls_.on_progress(p);
}

RecordOutcome Recording::finish(std::optional<Error> error, std::string stopped_by) {
  if (ring_) ring_->close();  // unblocks a producer waiting for space
  if (stream_) stream_->stop();
  // Everything captured goes to the file: on success, and when the device went away, stalled
  // or an interruption did not resume (75); not after a failed write or start.
  auto keep = [&] {
    return files_ && (!error || stopped_by == "device" || stopped_by == "interruption");
  };
  auto failed = [&](const Status& s) {
    if (s) return false;
    error = s.error(), stopped_by = "error";
    return true;
  };
  if (keep() && !failed(drain())) failed(flush_converter());
  if (stream_) offset_ += stream_->clock(), paused_at_ = {};
  // A recording that ended before its first frame leaves no file, and says so.
  if (files_ && !opened_) {
    if (!error) error = nothing_recorded("stopped before the device delivered any audio");
    files_.reset();
  }
  if (files_) {
    Status closed = files_->close();
    if (!closed && !error) error = closed.error(), stopped_by = "error";
    report_.files = files_->files();
    report_.frames = files_->total_frames();
    report_.finalized =
        !report_.files.empty() && std::all_of(report_.files.begin(), report_.files.end(),
                                              [](const FileReport& f) { return f.finalized; });
  }
  if (ring_) {
    report_.overflows += ring_->overflows();
    report_.lost_frames += ring_->lost_frames();
  }
  const Duration clock = stream_ ? offset_ : session_clock();
  report_.duration_s =
      to_seconds(req_.duration && stopped_by == "duration" ? *req_.duration : clock);
  report_.stopped_by = std::move(stopped_by);
  RecordOutcome outcome;
  outcome.report = report_;
  outcome.error = std::move(error);
  return outcome;
}

RecordOutcome Recording::run() {
  if (auto s = start(); !s) return finish(s.error(), "error");

  int files_asked = controls_.next_file ? controls_.next_file->load() : 0;
  Duration last_clock{-1};
  auto last_advance = Clock::now();
  auto last_checkpoint = Clock::now();
  auto last_progress = Clock::now();
  const auto wait = controls_.on_progress ? kWaitWithMeter : kWaitPolled;
  while (true) {
    Status step = ok_status();
    if (stream_) {
      step = wait_and_process(resume_timer_ ? kWaitResuming : wait);
    } else {
      // No stream (interrupted, or the device is away): the inbox is what wakes us; a lost
      // device is tried again a few times a second.
      step = take_notifications(device_lost_ || ended_pending_ ? 50ms : wait);
    }
    if (!step) return finish(step.error(), stopped_by_);
    if (done_) return finish(std::nullopt, "duration");
    const Duration clock = session_clock();
    if (req_.duration && clock >= *req_.duration) {
      // The clock passed the end while no frames came (a gap): take what is queued, stop.
      if (auto s = stop_stream(); !s) return finish(s.error(), "error");
      return finish(std::nullopt, "duration");
    }
    // What the device holds when the signal comes (at most one fragment) is not waited for.
    if (controls_.stop && controls_.stop->load()) return finish(std::nullopt, "signal");
    if (stream_ && (device_gone_ || (stream_->finished() && ring_->empty()))) {
      if (auto s = on_device_lost(server_lost_); !s) return finish(s.error(), stopped_by_);
    }
    if (device_lost_) {
      if (auto s = try_reopen(); !s) return finish(s.error(), stopped_by_);
    }
    if (ended_pending_ && Clock::now() >= retry_at_) {
      if (auto s = resume(); !s) return finish(s.error(), stopped_by_);
    }
    if (disconnected_at_ && clock - *disconnected_at_ > req_.device_wait) {
      return finish(
          make_error(Exit::temp_fail,
                     fmt::format("the input device '{}' went away and did not come back within {}",
                                 device().info().name, format_duration(req_.device_wait)),
                     "the file holds everything recorded until then, finalized; "
                     "record again when the device is back, or wait longer with --device-wait"),
          "device");
    }
    if (!stream_ || disconnected_at_ || clock != last_clock) {
      last_clock = clock;
      last_advance = Clock::now();
    } else if (Clock::now() - last_advance >= kStallLimit) {
      const auto& name = device().info().name;
      if (!opened_) {
        return finish(session_error(SessionCode::cannotStartRecording,
                                    fmt::format("the input device '{}' started but delivered no "
                                                "audio in {} s",
                                                name, kStallLimit.count()),
                                    "check that the source is running and not suspended; "
                                    "try another with -D (soundcheck route list --input)"),
                      "device");
      }
      return finish(make_error(Exit::temp_fail,
                               fmt::format("the input device '{}' delivered no audio for {} s",
                                           name, kStallLimit.count()),
                               "the file holds everything recorded until then, finalized"),
                    "device");
    }
    if (controls_.next_file && controls_.next_file->load() != files_asked) {
      files_asked = controls_.next_file->load();
      if (opened_) {
        if (auto s = files_->next(); !s) return finish(s.error(), "error");
      }
    }
    const auto now = Clock::now();
    if (now - last_checkpoint >= kCheckpointEvery) {
      if (auto s = checkpoint(); !s) return finish(s.error(), "error");
      last_checkpoint = now;
    }
    if (stream_ && now - last_progress >= kProgressEvery) {
      report_progress(clock);
      last_progress = now;
    }
  }
}

RecordOutcome record(audio::Device& device, const RecordRequest& request,
                     const Controls& controls) {
  Recording recording(device, request, controls);
  return recording.run();
}

}  // namespace sc::record
