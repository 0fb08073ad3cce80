#include "core/play/player.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/play/play_ring.h"
#include "core/session/codes.h"
#include "core/session/notification.h"

namespace sc::play {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// What the rings hold: twice kIdleWait, so that a busy machine does not starve the device
// between two refills. The device's own buffer comes on top.
constexpr double kRingSeconds = 1.0;
// Frames decoded at once.
constexpr size_t kChunk = 4096;
// How long one fill may decode before the loop looks at its notifications again.
constexpr auto kFillBudget = 20ms;
constexpr auto kProgressEvery = 100ms;
// How long the loop sleeps when nothing wakes it: a real-time device cannot (it may not make a
// system call), so the rings (kRingSeconds) are refilled this often, and a device's events (a
// cork request, its end) are seen within this. A notification, SIGINT or SIGTERM, or a device
// that may block wakes it at once; with progress on a terminal it wakes every kProgressEvery.
// Each wake-up costs CPU, about 0.2 ms in a small VM (bench/README.md "play"): at 5 ms the
// loop cost 8 times what paplay spends in all, at 150 ms still half as much as paplay.
constexpr auto kIdleWait = 500ms;
// Rule 4: a ducked session lowers its output by 20 dB.
constexpr float kDuckGain = 0.1f;

std::string seconds_text(double s) { return fmt::format("{:.3f}", s); }

class Player {
 public:
  Player(const std::vector<audio::Device*>& outputs, const PlayRequest& req,
         const PlayControls& controls)
      : devices_(outputs), req_(req), controls_(controls) {}

  PlayOutcome run();

 private:
  struct Output {
    audio::Device* device = nullptr;
    std::unique_ptr<PlayRing> ring;
    std::unique_ptr<audio::PlaybackStream> stream;
  };

  Status open_streams();
  Status open_next_file();
  Status fill(Clock::time_point until);
  Status take_notifications(std::chrono::milliseconds timeout);
  // Sleeps until a ring has room for a chunk, a notification comes, or kIdleWait passes.
  void wait();
  Status on_began(const session::Notification& n);
  Status on_ended(const session::Notification& n);
  Status check_devices();
  Status apply_pause();
  void hold(std::string cause, std::string reason);
  void release();
  Error not_resumed(std::string message, const Error* refusal = nullptr);
  Position position_of(uint64_t heard) const;
  uint64_t heard() const;
  double clock_s() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }
  void notice(const std::string& line) const {
    if (controls_.on_notice) controls_.on_notice(line);
  }
  void set_gain() {
    const float g = req_.gain * (ducked_ ? kDuckGain : 1.0f);
    for (auto& o : outs_) o.ring->set_gain(g);
  }
  PlayOutcome finish(std::optional<Error> error, std::string stopped_by);

  const std::vector<audio::Device*>& devices_;
  const PlayRequest& req_;
  const PlayControls& controls_;
  PlayReport report_;
  std::vector<Output> outs_;
  unsigned rate_ = 0, channels_ = 0;

  std::unique_ptr<formats::Decoder> decoder_;
  size_t next_file_ = 0;              // the next file to open
  std::vector<uint64_t> file_begin_;  // the stream frame each opened file begins at
  uint64_t pushed_ = 0;               // frames pushed into every ring
  std::optional<uint64_t> limit_;     // --duration in frames
  bool decoded_all_ = false;
  std::vector<float> buf_;

  Clock::time_point started_{};
  bool by_session_ = false;  // between `began` and a successful reactivation
  bool by_server_ = false;   // the server's cork request holds
  bool paused_ = false;      // the streams are paused
  bool ducked_ = false;
};

PlayOutcome Player::run() {
  started_ = Clock::now();
  if (auto s = open_streams(); !s) return finish(s.error(), "error");
  if (req_.duration)
    limit_ = static_cast<uint64_t>(std::llround(to_seconds(*req_.duration) * rate_));
  buf_.resize(kChunk * channels_);
  if (auto s = open_next_file(); !s) return finish(s.error(), "error");
  // The rings full before the devices start: no underrun at the start.
  if (auto s = fill(Clock::time_point::max()); !s) return finish(s.error(), "error");
  set_gain();
  if (controls_.inbox)
    controls_.inbox->set_waker([ring = outs_.front().ring.get()] { ring->wake(); });
  for (auto& o : outs_)
    if (auto s = o.stream->start(); !s) return finish(s.error(), "error");

  auto next_progress = Clock::now();
  for (;;) {
    if (controls_.stop && controls_.stop->load()) return finish(std::nullopt, "signal");
    wait();
    if (auto s = take_notifications(0ms); !s) return finish(s.error(), "interruption");
    if (auto s = check_devices(); !s) return finish(s.error(), report_.stopped_by);
    const bool corked = std::any_of(outs_.begin(), outs_.end(),
                                    [](const Output& o) { return o.ring->cork_requested(); });
    if (corked != by_server_) {
      by_server_ = corked;
      if (corked) {
        hold("server cork request", "default");
        notice(fmt::format("the server asks to pause (a phone stream plays) at {}",
                           seconds_text(position_of(heard()).at_s)));
        if (req_.on_interrupt == OnInterrupt::stop)
          return finish(not_resumed("paused by the server; --on-interrupt stop ends here"),
                        "interruption");
      } else if (!by_session_) {
        notice("the server allows playing again");
      }
    }
    if (auto s = apply_pause(); !s) return finish(s.error(), "device");
    if (!paused_) {
      if (auto s = fill(Clock::now() + kFillBudget); !s) return finish(s.error(), "error");
    }
    if (decoded_all_ && std::all_of(outs_.begin(), outs_.end(),
                                    [](const Output& o) { return o.stream->finished(); }))
      return finish(std::nullopt, "end");
    if (controls_.on_progress && Clock::now() >= next_progress) {
      next_progress = Clock::now() + kProgressEvery;
      controls_.on_progress(position_of(heard()), static_cast<double>(heard()) / rate_);
    }
  }
}

Status Player::open_streams() {
  const auto& first = req_.files.front();
  rate_ = req_.rate ? req_.rate : first.rate;
  channels_ = std::max(first.channels, 1u);
  for (auto* d : devices_) channels_ = std::min(channels_, std::max(d->info().output_channels, 1u));
  for (auto* d : devices_) {
    Output o;
    o.device = d;
    o.ring =
        std::make_unique<PlayRing>(static_cast<size_t>(kRingSeconds * rate_), channels_, rate_);
    audio::PlaybackParams p;
    p.rate = rate_;
    p.channels = channels_;
    p.buffer_frames = req_.buffer_frames;
    p.properties = {{"media.role", "music"}, {"application.name", "soundcheck"}};
    auto stream = d->open_playback(p, *o.ring);
    if (!stream) return stream.error();
    o.stream = std::move(*stream);
    if (o.stream->rate() != rate_ || o.stream->channels() != channels_) {
      if (outs_.empty() && o.stream->channels() == channels_) {
        // The first device picked its own rate (an RtAudio device that does not list the
        // file's): every file is resampled to it.
        rate_ = o.stream->rate();
        o.ring =
            std::make_unique<PlayRing>(static_cast<size_t>(kRingSeconds * rate_), channels_, rate_);
        p.rate = rate_;
        auto again = d->open_playback(p, *o.ring);
        if (!again) return again.error();
        o.stream = std::move(*again);
      }
      if (o.stream->rate() != rate_ || o.stream->channels() != channels_)
        return audio::cannot_start_playing(
            d->info(),
            fmt::format("it plays {} Hz {} ch, the other output {} Hz {} ch", o.stream->rate(),
                        o.stream->channels(), rate_, channels_),
            "multiRoute needs outputs that run at one rate: pick devices that do, or give "
            "--preferred-rate");
    }
    report_.streams.push_back(o.stream->describe());
    outs_.push_back(std::move(o));
  }
  report_.rate = rate_;
  report_.channels = channels_;
  return ok_status();
}

Status Player::open_next_file() {
  decoder_.reset();
  while (next_file_ < req_.files.size()) {
    const size_t i = next_file_++;
    formats::DecodeSpec spec;
    spec.rate = rate_;
    spec.channels = channels_;
    if (i == 0) spec.start = req_.start;
    if (limit_) {
      if (pushed_ >= *limit_) break;
      spec.duration = frames_duration(*limit_ - pushed_, rate_);
    }
    auto d = formats::open_decoder(req_.files[i].path, spec);
    if (!d) return d.error();
    decoder_ = std::move(*d);
    file_begin_.push_back(pushed_);
    report_.files.push_back(PlayedFile{req_.files[i].path, 0});
    return ok_status();
  }
  decoded_all_ = true;
  for (auto& o : outs_) o.ring->finish();
  return ok_status();
}

Status Player::fill(Clock::time_point until) {
  while (!decoded_all_) {
    size_t room = SIZE_MAX;
    for (const auto& o : outs_) room = std::min(room, o.ring->space());
    if (room < kChunk) return ok_status();
    size_t want = kChunk;
    if (limit_) want = static_cast<size_t>(std::min<uint64_t>(want, *limit_ - pushed_));
    auto got = want ? decoder_->read(buf_.data(), want) : Result<size_t>(size_t{0});
    if (!got) return got.error();
    if (*got == 0) {
      report_.decode_errors += decoder_->errors();
      if (auto s = open_next_file(); !s) return s;
      continue;
    }
    for (auto& o : outs_) o.ring->push(buf_.data(), *got);
    pushed_ += *got;
    if (Clock::now() >= until) return ok_status();
  }
  return ok_status();
}

uint64_t Player::heard() const {
  return outs_.empty() ? 0 : std::min(outs_.front().stream->heard(), pushed_);
}

Position Player::position_of(uint64_t heard) const {
  Position p;
  if (file_begin_.empty()) return p;
  size_t i = static_cast<size_t>(std::upper_bound(file_begin_.begin(), file_begin_.end(), heard) -
                                 file_begin_.begin());
  i = i ? i - 1 : 0;
  // A file that gave no frames shares its begin with the next: the later one is where we are.
  p.file = i;
  p.at_s =
      static_cast<double>(heard - file_begin_[i]) / rate_ + (i == 0 ? to_seconds(req_.start) : 0);
  return p;
}

void Player::wait() {
  // Fills until the rings are full; then the first ring's room (they drain together) or a
  // wake-up ends the wait. While paused nothing drains: only notifications matter. When
  // another output is the fuller one (multiRoute), the first ring's room says nothing: the
  // timeout paces the loop.
  size_t room = SIZE_MAX;
  for (const auto& o : outs_) room = std::min(room, o.ring->space());
  const bool first_decides = outs_.front().ring->space() == room;
  const bool idle = paused_ || decoded_all_ || !first_decides;
  outs_.front().ring->wait_for_space(idle ? SIZE_MAX : kChunk,
                                     controls_.on_progress ? kProgressEvery : kIdleWait);
}

Status Player::take_notifications(std::chrono::milliseconds timeout) {
  if (!controls_.inbox) {
    std::this_thread::sleep_for(timeout);
    return ok_status();
  }
  for (auto n = controls_.inbox->pop(timeout); n; n = controls_.inbox->pop()) {
    Status s = ok_status();
    switch (n->type) {
      case session::NoteType::began:
        s = on_began(*n);
        break;
      case session::NoteType::ended:
        s = on_ended(*n);
        break;
      case session::NoteType::duck:
        ducked_ = true;
        ++report_.ducks;
        set_gain();
        notice(fmt::format("ducked by {}: -20 dB", session::interrupter_text(*n)));
        break;
      case session::NoteType::unduck:
        ducked_ = false;
        set_gain();
        notice("unducked: full level again");
        break;
      default:
        break;
    }
    if (!s) return s;
  }
  return ok_status();
}

void Player::hold(std::string cause, std::string reason) {
  const bool open = !report_.interruptions.empty() && !report_.interruptions.back().ended_s;
  if (open) return;  // one interruption while the registry or the server holds
  PlayInterruption i;
  i.began_s = clock_s();
  i.cause = std::move(cause);
  i.reason = std::move(reason);
  i.position = position_of(heard());
  report_.interruptions.push_back(i);
}

void Player::release() {
  if (by_session_ || by_server_) return;
  if (!report_.interruptions.empty() && !report_.interruptions.back().ended_s) {
    report_.interruptions.back().ended_s = clock_s();
    report_.interruptions.back().resumed = true;
  }
}

Status Player::on_began(const session::Notification& n) {
  if (by_session_) return ok_status();
  by_session_ = true;
  hold(n.cause.empty() ? "session" : n.cause,
       std::string(session::name(static_cast<session::InterruptionReason>(n.reason))));
  if (auto s = apply_pause(); !s) return s;
  notice(fmt::format("interrupted by {} at {} s", session::interrupter_text(n),
                     seconds_text(position_of(heard()).at_s)));
  if (req_.on_interrupt == OnInterrupt::stop)
    return not_resumed(fmt::format("interrupted by {}; --on-interrupt stop ends here",
                                   session::interrupter_text(n)));
  return ok_status();
}

Status Player::on_ended(const session::Notification& n) {
  if (!by_session_) return ok_status();
  if (!report_.interruptions.empty()) report_.interruptions.back().should_resume = n.should_resume;
  if (!n.should_resume)
    return not_resumed(
        "the interruption ended without shouldResume (its session deactivated without "
        "notifying others)");
  if (controls_.link) {
    if (auto s = controls_.link->reactivate(); !s)
      return not_resumed(fmt::format("the interruption ended but the session could not be "
                                     "activated again: {}",
                                     s.error().message),
                         &s.error());
  }
  by_session_ = false;
  release();
  if (by_server_)
    notice("the interruption ended; waiting for the server to allow playing again");
  else
    notice(fmt::format("resumed at {} s", seconds_text(position_of(heard()).at_s)));
  return apply_pause();
}

Status Player::apply_pause() {
  const bool want = by_session_ || by_server_;
  if (want == paused_) return ok_status();
  if (!want) release();
  for (auto& o : outs_) {
    auto s = want ? o.stream->pause() : o.stream->resume();
    if (!s) return s;
  }
  paused_ = want;
  return ok_status();
}

Status Player::check_devices() {
  for (const auto& o : outs_) {
    if (!o.ring->device_ended()) continue;
    report_.stopped_by = "device";
    const Position p = position_of(heard());
    const std::string what = o.ring->server_lost()
                                 ? "the audio server went away"
                                 : fmt::format("'{}' went away", o.device->info().name);
    return make_error(
        Exit::temp_fail,
        fmt::format("{} at {} s of '{}'", what, seconds_text(p.at_s), req_.files[p.file].path),
        fmt::format("continue with --start {} once it is back", seconds_text(p.at_s)));
  }
  return ok_status();
}

Error Player::not_resumed(std::string message, const Error* refusal) {
  const Position p = position_of(heard());
  if (!report_.interruptions.empty()) report_.interruptions.back().resumed = false;
  Error e = make_error(
      Exit::temp_fail,
      fmt::format("{}; stopped at {} s of '{}'", message, seconds_text(p.at_s),
                  req_.files[p.file].path),
      fmt::format("continue from there: soundcheck play '{}'{} --start {}", req_.files[p.file].path,
                  p.file + 1 < req_.files.size() ? " ..." : "", seconds_text(p.at_s)));
  if (refusal) e.session = refusal->session;  // the code stays; the exit is 75 (CLI.md)
  return e;
}

PlayOutcome Player::finish(std::optional<Error> error, std::string stopped_by) {
  if (controls_.inbox) controls_.inbox->set_waker(nullptr);  // before the rings go
  // Stopped early (a signal, an error): pause() makes each device say exactly what it played
  // (a PulseAudio stream asks its server; its heard() alone may be a request behind). A
  // device that is gone refuses, and its heard() stands.
  if (stopped_by != "end")
    for (auto& o : outs_)
      if (o.stream) (void)o.stream->pause();
  const uint64_t h = heard();
  for (auto& o : outs_) {
    o.ring->close();
    if (o.stream) o.stream->stop();
    report_.xruns += o.ring->underruns();
  }
  if (decoder_) report_.decode_errors += decoder_->errors();
  report_.position = position_of(h);
  report_.duration_s = rate_ ? static_cast<double>(h) / rate_ : 0;
  for (size_t i = 0; i < report_.files.size(); ++i) {
    const uint64_t b = file_begin_[i];
    const uint64_t e = i + 1 < file_begin_.size() ? file_begin_[i + 1] : pushed_;
    const uint64_t in = h <= b ? 0 : std::min(h, e) - b;
    report_.files[i].played_s = static_cast<double>(in) / rate_;
  }
  if (report_.stopped_by.empty()) report_.stopped_by = std::move(stopped_by);
  return PlayOutcome{std::move(report_), std::move(error)};
}

}  // namespace

PlayOutcome play(const std::vector<audio::Device*>& outputs, const PlayRequest& req,
                 const PlayControls& controls) {
  if (outputs.empty() || req.files.empty()) {
    PlayOutcome out;
    out.error = make_error(Exit::internal, "play: nothing to play or nowhere to play it", "");
    return out;
  }
  Player p(outputs, req, controls);
  return p.run();
}

}  // namespace sc::play
