#include "core/audio/pulse/playback.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

namespace sc::audio::pulse {
namespace {

using std::chrono::steady_clock;

constexpr auto kServerTimeout = std::chrono::seconds(2);
constexpr unsigned kTargetFragments = 4;  // tlength, in fragments (playback.h)

struct ProplistFree {
  void operator()(pa_proplist* p) const { pa_proplist_free(p); }
};
using Proplist = std::unique_ptr<pa_proplist, ProplistFree>;

struct StreamUnref {
  void operator()(pa_stream* s) const { pa_stream_unref(s); }
};

Error cannot_start(const DeviceInfo& info, std::string_view cause,
                   std::string hint = "see 'soundcheck route list --output'") {
  return cannot_start_playing(info, cause, std::move(hint));
}

// Where silence was written for the source's underruns, in frames written, so that heard()
// counts only the source's frames. Loop thread (or lock held); fixed size, no allocation.
class SilenceLedger {
 public:
  void add(uint64_t at, uint64_t frames) {
    if (count_ == gaps_.size()) {  // full (cannot happen at 4 fragments): merge into the last
      gaps_[(head_ + count_ - 1) % gaps_.size()].frames += frames;
      return;
    }
    gaps_[(head_ + count_) % gaps_.size()] = {at, frames};
    ++count_;
  }
  // Silence among the first `played` frames written.
  uint64_t before(uint64_t played) {
    while (count_ > 0 && gaps_[head_].at + gaps_[head_].frames <= played) {
      settled_ += gaps_[head_].frames;
      head_ = (head_ + 1) % gaps_.size();
      --count_;
    }
    uint64_t partial = 0;
    if (count_ > 0 && gaps_[head_].at < played) partial = played - gaps_[head_].at;
    return settled_ + partial;
  }

 private:
  struct Gap {
    uint64_t at = 0;
    uint64_t frames = 0;
  };
  std::array<Gap, 64> gaps_{};
  size_t head_ = 0;
  size_t count_ = 0;
  uint64_t settled_ = 0;
};

// Everything libpulse calls back runs on the loop's thread with its lock held; everything else
// here takes the lock (Context::Lock).
class PulsePlaybackStream final : public PlaybackStream {
 public:
  PulsePlaybackStream(DeviceInfo info, PlaybackSource& source, std::unique_ptr<Context> context)
      : info_(std::move(info)), source_(source), context_(std::move(context)) {}
  ~PulsePlaybackStream() override;
  PulsePlaybackStream(const PulsePlaybackStream&) = delete;
  PulsePlaybackStream& operator=(const PulsePlaybackStream&) = delete;

  Status open(const PlaybackParams& params);

  Status start() override;
  Status pause() override;
  Status resume() override;
  void stop() noexcept override;
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  uint64_t taken() const override { return taken_.load(std::memory_order_acquire); }
  uint64_t heard() const override {
    timing_wanted_.store(true, std::memory_order_relaxed);  // the next write request asks
    return heard_.load(std::memory_order_acquire);
  }
  bool finished() const override { return finished_.load(); }
  StreamDescription describe() const override {
    StreamDescription d = description_;
    d.latency = std::chrono::microseconds(latency_usec_.load());
    return d;
  }

 private:
  // The loop's thread, lock held.
  static void on_stream_state(pa_stream* s, void* self);
  static void on_write(pa_stream* s, size_t bytes, void* self);
  static void on_underflow(pa_stream* s, void* self);
  static void on_event(pa_stream* s, const char* name, pa_proplist* pl, void* self);
  static void on_timing(pa_stream* s, void* self);
  static void on_success(pa_stream* s, int success, void* self);
  static void on_drained(pa_stream* s, int success, void* self);
  static void on_server_info(pa_context* c, const pa_server_info* i, void* self);
  static void on_context_failed(void* self);
  static void kick(pa_mainloop_api* api, void* self);
  void fill(size_t bytes) noexcept;
  void drain() noexcept;
  void update_heard() noexcept;
  void end() noexcept;
  void send(DeviceEvent::Kind kind, uint64_t lost = 0) noexcept;

  // Lock held, not on the loop's thread: waits for an operation's answer through on_success.
  bool await(pa_operation* op);
  // Lock held: corks (1) or uncorks (0) and waits; an Error naming why not.
  Status cork(int corked, std::string_view what);

  DeviceInfo info_;
  PlaybackSource& source_;
  std::unique_ptr<Context> context_;
  std::unique_ptr<pa_stream, StreamUnref> stream_;  // lock held
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t frame_bytes_ = 4;
  StreamDescription description_;  // set by open(), read-only after
  std::atomic<int64_t> latency_usec_{0};
  // Lock held (or the loop's thread):
  bool running_ = false;     // started, not stopped
  bool stopped_ = false;     // stop() ran: the source is not called again
  bool paused_ = false;      // corked by pause()
  bool draining_ = false;    // the source ended; pa_stream_drain sent
  bool ended_sent_ = false;  // the `ended` event went out
  int op_result_ = -1;       // of the last operation: -1 pending, 0 refused, 1 done
  uint64_t written_ = 0;     // frames written to the server, silence included
  SilenceLedger silence_;
  std::atomic<uint64_t> taken_{0};
  std::atomic<uint64_t> heard_{0};
  mutable std::atomic<bool> timing_wanted_{false};  // heard() was read since the last request
  std::atomic<bool> finished_{false};
  std::atomic<bool> gone_{false};
};

PulsePlaybackStream::~PulsePlaybackStream() {
  stop();
  if (!context_) return;
  {
    Context::Lock lock(*context_);
    context_->on_failure(nullptr, nullptr);
    if (stream_) {
      pa_stream* s = stream_.get();
      pa_stream_set_state_callback(s, nullptr, nullptr);
      pa_stream_set_write_callback(s, nullptr, nullptr);
      pa_stream_set_underflow_callback(s, nullptr, nullptr);
      pa_stream_set_event_callback(s, nullptr, nullptr);
      pa_stream_set_latency_update_callback(s, nullptr, nullptr);
      if (PA_STREAM_IS_GOOD(pa_stream_get_state(s))) pa_stream_disconnect(s);
      stream_.reset();
    }
  }
  context_.reset();  // stops the loop's thread (a pending kick() finds no stream), then disconnects
}

bool PulsePlaybackStream::await(pa_operation* op) {
  if (!op) return false;
  Operation hold(op);
  return context_->wait_until(steady_clock::now() + kServerTimeout, [&] {
    return op_result_ != -1 || gone_.load();
  }) && op_result_ == 1;
}

Status PulsePlaybackStream::cork(int corked, std::string_view what) {
  op_result_ = -1;
  if (await(pa_stream_cork(stream_.get(), corked, &PulsePlaybackStream::on_success, this)))
    return ok_status();
  if (gone_.load()) return cannot_start(info_, "the sink is gone");
  if (op_result_ == -1)
    return cannot_start(info_, "the PulseAudio server does not answer", server_hint());
  return cannot_start(info_,
                      fmt::format("the server did not {} the stream: {}", what, context_->error()));
}

Status PulsePlaybackStream::open(const PlaybackParams& params) {
  if (!context_) {
    auto c = Context::connect(steady_clock::now() + kServerTimeout);
    if (!c) return cannot_start(info_, c.error().message, c.error().hint);
    context_ = std::move(*c);
  }
  Context::Lock lock(*context_);
  context_->on_failure(&PulsePlaybackStream::on_context_failed, this);

  auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_START_CORKED | PA_STREAM_DONT_MOVE |
                                              PA_STREAM_ADJUST_LATENCY);
  const unsigned own_channels = std::max(info_.output_channels, 1u);
  const unsigned want_channels = params.channels ? params.channels : own_channels;
  if (want_channels > own_channels)
    return cannot_start(info_,
                        fmt::format("it has {} output channel{}, {} asked for", own_channels,
                                    own_channels == 1 ? "" : "s", want_channels),
                        fmt::format("ask for at most {} channels", own_channels));
  pa_sample_spec ss;
  ss.format = PA_SAMPLE_FLOAT32NE;
  ss.channels = static_cast<uint8_t>(std::min<unsigned>(want_channels, PA_CHANNELS_MAX));
  ss.rate = params.rate ? params.rate : (info_.preferred_rate ? info_.preferred_rate : 48000);
  if (want_channels == own_channels)
    flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_CHANNELS);
  if (params.rate == 0) flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_RATE);
  if (want_channels > PA_CHANNELS_MAX || !pa_sample_spec_valid(&ss))
    return cannot_start(
        info_, fmt::format("PulseAudio cannot play {} channels at {} Hz", want_channels, ss.rate),
        fmt::format("ask for 1 to {} channels and a rate up to {}", PA_CHANNELS_MAX, PA_RATE_MAX));
  pa_channel_map map;
  pa_channel_map_init_extend(&map, ss.channels, PA_CHANNEL_MAP_DEFAULT);

  Proplist props(pa_proplist_new());
  if (!props) return cannot_start(info_, "libpulse could not make a property list");
  for (const auto& [key, value] : params.properties)
    if (pa_proplist_sets(props.get(), key.c_str(), value.c_str()) < 0)
      return cannot_start(info_, fmt::format("PulseAudio refuses the property '{}'", key),
                          "property names are ASCII, like media.role");
  stream_.reset(pa_stream_new_with_proplist(context_->get(), kClientName, &ss, &map, props.get()));
  if (!stream_)
    return cannot_start(info_, fmt::format("libpulse refused the stream: {}", context_->error()));
  pa_stream* s = stream_.get();
  pa_stream_set_state_callback(s, &PulsePlaybackStream::on_stream_state, this);
  pa_stream_set_write_callback(s, &PulsePlaybackStream::on_write, this);
  pa_stream_set_underflow_callback(s, &PulsePlaybackStream::on_underflow, this);
  pa_stream_set_event_callback(s, &PulsePlaybackStream::on_event, this);
  pa_stream_set_latency_update_callback(s, &PulsePlaybackStream::on_timing, this);

  const size_t fragment =
      fragment_frames(StreamParams{ss.rate, ss.channels, params.buffer_frames}, ss.rate);
  pa_buffer_attr attr;
  attr.maxlength = attr.prebuf = attr.fragsize = static_cast<uint32_t>(-1);
  attr.tlength = static_cast<uint32_t>(kTargetFragments * fragment * pa_frame_size(&ss));
  attr.minreq = static_cast<uint32_t>(fragment * pa_frame_size(&ss));
  if (pa_stream_connect_playback(s, info_.id.c_str(), &attr, flags, nullptr, nullptr) < 0)
    return cannot_start(info_, context_->error());
  const bool settled = context_->wait_until(steady_clock::now() + kServerTimeout, [&] {
    const auto st = pa_stream_get_state(s);
    return st == PA_STREAM_READY || !PA_STREAM_IS_GOOD(st);
  });
  if (pa_stream_get_state(s) != PA_STREAM_READY) {
    if (!settled && context_->good())
      return cannot_start(info_, "the PulseAudio server does not answer", server_hint());
    if (context_->error_code() == PA_ERR_NOENTITY)
      return cannot_start(info_, fmt::format("the sink '{}' is gone", info_.id));
    return cannot_start(info_, context_->error());
  }
  const pa_sample_spec* got = pa_stream_get_sample_spec(s);
  rate_ = got->rate;
  channels_ = got->channels;
  frame_bytes_ = pa_frame_size(got);

  description_.backend = "pulse";
  description_.client = fmt::format("libpulse {}", pa_get_library_version());
  description_.rate = rate_;
  if (const pa_buffer_attr* a = pa_stream_get_buffer_attr(s)) {
    description_.fragment_frames = a->minreq / frame_bytes_;
    // Until start() measures it: what the server holds for us.
    latency_usec_.store(static_cast<int64_t>(pa_bytes_to_usec(a->tlength, got)));
  }
  op_result_ = -1;
  await(pa_context_get_server_info(context_->get(), &PulsePlaybackStream::on_server_info, this));
  gone_.store(false);  // connecting is over: a failure from now on ends a started stream
  return ok_status();
}

Status PulsePlaybackStream::start() {
  if (!stream_) return cannot_start(info_, "the stream is not open");
  Context::Lock lock(*context_);
  if (gone_.load()) return cannot_start(info_, "the sink is gone");
  if (stopped_) return cannot_start(info_, "the stream was stopped");
  if (running_) return ok_status();
  running_ = true;
  // The first pull runs on the loop's thread, as every other (the server asked before start).
  pa_mainloop_api_once(context_->api(), &PulsePlaybackStream::kick, this);
  if (auto st = cork(0, "start"); !st) {
    running_ = false;
    return st;
  }
  // The output latency, for -v: what the server holds plus its sink's latency.
  op_result_ = -1;
  if (await(pa_stream_update_timing_info(stream_.get(), &PulsePlaybackStream::on_success, this))) {
    pa_usec_t usec = 0;
    int negative = 0;
    if (pa_stream_get_latency(stream_.get(), &usec, &negative) == 0 && !negative && usec > 0)
      latency_usec_.store(static_cast<int64_t>(usec));
  }
  return ok_status();
}

Status PulsePlaybackStream::pause() {
  if (!stream_) return cannot_start(info_, "the stream is not open");
  Context::Lock lock(*context_);
  if (gone_.load()) return cannot_start(info_, "the sink is gone");
  if (!running_ || paused_) return ok_status();
  paused_ = true;  // before the cork: no pull from here on
  if (auto st = cork(1, "pause"); !st) return st;
  // What was heard before the cork took effect (the server rewound its sink to it).
  op_result_ = -1;
  if (await(pa_stream_update_timing_info(stream_.get(), &PulsePlaybackStream::on_success, this)))
    update_heard();
  return ok_status();
}

Status PulsePlaybackStream::resume() {
  if (!stream_) return cannot_start(info_, "the stream is not open");
  Context::Lock lock(*context_);
  if (gone_.load()) return cannot_start(info_, "the sink is gone");
  if (!running_ || !paused_) return ok_status();
  paused_ = false;
  // Requests that came while paused are served on the loop's thread.
  pa_mainloop_api_once(context_->api(), &PulsePlaybackStream::kick, this);
  if (auto st = cork(0, "resume"); !st) {
    paused_ = true;
    return st;
  }
  return ok_status();
}

void PulsePlaybackStream::stop() noexcept {
  if (!stream_) return;
  Context::Lock lock(*context_);
  stopped_ = true;  // callbacks look at it with the lock held: the source is not called again
  if (!running_) return;
  running_ = false;
  if (!gone_.load()) {
    // What the server holds is dropped; no answer is waited for.
    if (pa_operation* op = pa_stream_cork(stream_.get(), 1, nullptr, nullptr))
      pa_operation_unref(op);
    if (pa_operation* op = pa_stream_flush(stream_.get(), nullptr, nullptr)) pa_operation_unref(op);
  }
}

void PulsePlaybackStream::kick(pa_mainloop_api*, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  if (!self->stream_) return;
  const size_t n = pa_stream_writable_size(self->stream_.get());
  if (n != static_cast<size_t>(-1)) self->fill(n);
}

void PulsePlaybackStream::on_write(pa_stream*, size_t bytes, void* p) {
  static_cast<PulsePlaybackStream*>(p)->fill(bytes);
}

// What the server asks for, pulled from the source into libpulse's memory, a block at a time.
void PulsePlaybackStream::fill(size_t bytes) noexcept {
  pa_stream* s = stream_.get();
  while (running_ && !paused_ && !draining_ && !gone_.load() && bytes >= frame_bytes_) {
    void* data = nullptr;
    size_t n = bytes;
    if (pa_stream_begin_write(s, &data, &n) < 0 || !data) break;
    const size_t frames = std::min(n, bytes) / frame_bytes_;
    if (frames == 0 || reinterpret_cast<uintptr_t>(data) % alignof(float) != 0) {
      pa_stream_cancel_write(s);  // libpulse's blocks are page-aligned: not expected
      break;
    }
    auto* out = static_cast<float*>(data);
    const size_t got =
        std::min(source_.on_need(out, frames, frames_duration(written_, rate_)), frames);
    const bool ended = source_.end();
    size_t put = got;
    if (got < frames && !ended) {
      // The source's underrun: silence for the rest, and an xrun that says how much.
      std::memset(out + got * channels_, 0, (frames - got) * frame_bytes_);
      silence_.add(written_ + got, frames - got);
      send(DeviceEvent::Kind::xrun, frames - got);
      put = frames;
    }
    taken_.fetch_add(got, std::memory_order_release);
    if (put == 0) {
      pa_stream_cancel_write(s);
    } else if (pa_stream_write(s, data, put * frame_bytes_, nullptr, 0, PA_SEEK_RELATIVE) < 0) {
      break;  // the stream failed: its state callback ends it
    }
    written_ += put;
    bytes -= frames * frame_bytes_;
    if (ended) drain();
  }
  // Timing info only when heard() is read: each request is a round trip to the server, and
  // asked for every 250 ms they cost a fifth of the stream's CPU (bench/README.md "play").
  if (timing_wanted_.exchange(false, std::memory_order_relaxed) && !gone_.load())
    if (pa_operation* op = pa_stream_update_timing_info(s, nullptr, nullptr))
      pa_operation_unref(op);
  update_heard();
}

void PulsePlaybackStream::drain() noexcept {
  draining_ = true;
  if (pa_operation* op = pa_stream_drain(stream_.get(), &PulsePlaybackStream::on_drained, this)) {
    pa_operation_unref(op);
  } else {
    on_drained(stream_.get(), 1, this);  // nothing to wait for
  }
}

void PulsePlaybackStream::on_drained(pa_stream*, int success, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  // Refused only when the stream failed (its state callback ends it) or was flushed (stop()).
  if (success && !self->stopped_) {
    self->heard_.store(self->taken_.load());
    self->finished_.store(true);
  }
  self->context_->signal();
}

void PulsePlaybackStream::update_heard() noexcept {
  pa_usec_t usec = 0;
  if (!stream_ || pa_stream_get_time(stream_.get(), &usec) < 0) return;
  uint64_t played = pa_usec_to_bytes(usec, pa_stream_get_sample_spec(stream_.get())) / frame_bytes_;
  played = std::min(played, written_);
  const uint64_t silence = silence_.before(played);
  uint64_t from_source = played > silence ? played - silence : 0;
  from_source = std::min(from_source, taken_.load());
  if (from_source > heard_.load()) heard_.store(from_source, std::memory_order_release);
}

void PulsePlaybackStream::on_timing(pa_stream*, void* p) {
  static_cast<PulsePlaybackStream*>(p)->update_heard();
}

void PulsePlaybackStream::on_underflow(pa_stream*, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  if (self->running_ && !self->paused_ && !self->draining_) self->send(DeviceEvent::Kind::xrun);
}

void PulsePlaybackStream::on_event(pa_stream*, const char* name, pa_proplist*, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  if (!name || self->stopped_) return;
  if (std::strcmp(name, PA_STREAM_EVENT_REQUEST_CORK) == 0)
    self->send(DeviceEvent::Kind::cork_requested);
  else if (std::strcmp(name, PA_STREAM_EVENT_REQUEST_UNCORK) == 0)
    self->send(DeviceEvent::Kind::uncork_requested);
}

void PulsePlaybackStream::send(DeviceEvent::Kind kind, uint64_t lost) noexcept {
  DeviceEvent e{kind, frames_duration(written_, rate_)};
  e.lost_frames = lost;
  source_.on_event(e);
}

void PulsePlaybackStream::on_stream_state(pa_stream* s, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  if (!PA_STREAM_IS_GOOD(pa_stream_get_state(s))) self->end();
  self->context_->signal();
}

void PulsePlaybackStream::on_context_failed(void* p) {
  static_cast<PulsePlaybackStream*>(p)->end();
}

// The sink, the stream or the server went away. As for capture (device.cpp), the server is
// lost when the context is no longer good: libpulse sets the context's state before it fails
// its streams.
void PulsePlaybackStream::end() noexcept {
  gone_.store(true);
  finished_.store(true);
  if (running_ && !stopped_ && !ended_sent_) {
    ended_sent_ = true;
    DeviceEvent e{DeviceEvent::Kind::ended, frames_duration(written_, rate_)};
    e.server_lost = !context_->good();
    source_.on_event(e);
  }
  context_->signal();
}

void PulsePlaybackStream::on_success(pa_stream*, int success, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  self->op_result_ = success ? 1 : 0;
  self->context_->signal();
}

void PulsePlaybackStream::on_server_info(pa_context*, const pa_server_info* i, void* p) {
  auto* self = static_cast<PulsePlaybackStream*>(p);
  if (i && i->server_name) {
    self->description_.client +=
        fmt::format(" to {} {}", i->server_name, i->server_version ? i->server_version : "");
  }
  self->op_result_ = i ? 1 : 0;
  self->context_->signal();
}

}  // namespace

Result<std::unique_ptr<PlaybackStream>> open_playback(const DeviceInfo& info,
                                                      const PlaybackParams& params,
                                                      PlaybackSource& source,
                                                      std::unique_ptr<Context> context) {
  auto stream = std::make_unique<PulsePlaybackStream>(info, source, std::move(context));
  if (auto st = stream->open(params); !st) return st.error();
  return std::unique_ptr<PlaybackStream>(std::move(stream));
}

}  // namespace sc::audio::pulse
