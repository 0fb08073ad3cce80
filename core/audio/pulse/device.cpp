#include "core/audio/pulse/device.h"

#include "core/audio/pulse/playback.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

namespace sc::audio {
namespace {

using std::chrono::steady_clock;

constexpr auto kServerTimeout = std::chrono::seconds(2);

Error cannot_start(const DeviceInfo& info, std::string_view cause,
                   std::string hint = "see 'soundcheck route list --input'") {
  return cannot_start_recording(info, cause, std::move(hint));
}

// A record stream on one source. Everything libpulse calls back runs on the main loop's
// thread with its lock held; everything else here takes the lock (pulse::Context::Lock).
class PulseCaptureStream final : public CaptureStream {
 public:
  PulseCaptureStream(DeviceInfo info, CaptureSink& sink, std::unique_ptr<pulse::Context> context)
      : info_(std::move(info)), sink_(sink), context_(std::move(context)) {}
  ~PulseCaptureStream() override;
  PulseCaptureStream(const PulseCaptureStream&) = delete;
  PulseCaptureStream& operator=(const PulseCaptureStream&) = delete;

  // Connects a corked record stream (not started).
  Status open(const StreamParams& params);

  Status start() override;
  void stop() noexcept override;
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  Duration clock() const override {
    return frames_duration(frames_.load(std::memory_order_relaxed), rate_);
  }
  bool finished() const override { return gone_.load(); }
  StreamDescription describe() const override { return description_; }

 private:
  // The main loop's thread, lock held.
  static void on_stream_state(pa_stream* s, void* self);
  static void on_read(pa_stream* s, size_t bytes, void* self);
  static void on_overflow(pa_stream* s, void* self);
  static void on_success(pa_stream* s, int success, void* self);
  static void on_server_info(pa_context* c, const pa_server_info* i, void* self);
  static void on_context_failed(void* self);
  void read() noexcept;
  void deliver(const uint8_t* data, size_t bytes) noexcept;
  void emit(const float* frames, size_t count) noexcept;
  void end() noexcept;

  // Waits (lock held) for an operation's answer through on_success; false without one.
  bool await(pa_operation* op);

  DeviceInfo info_;
  CaptureSink& sink_;
  std::unique_ptr<pulse::Context> context_;
  pa_stream* stream_ = nullptr;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t frame_bytes_ = 4;
  StreamDescription description_;
  // Frames that are not float-aligned in libpulse's memory are copied here, in pieces.
  std::unique_ptr<float[]> scratch_;
  size_t scratch_frames_ = 0;
  // A frame split between two blocks waits here for its second part.
  alignas(float) uint8_t carry_[PA_CHANNELS_MAX * sizeof(float)] = {};
  size_t carry_bytes_ = 0;
  bool running_ = false;     // lock held: started and not stopped
  bool ended_sent_ = false;  // lock held
  int op_result_ = -1;       // lock held: of the last operation, -1 pending, 0 refused, 1 done
  std::atomic<uint64_t> frames_{0};
  std::atomic<bool> gone_{false};
};

PulseCaptureStream::~PulseCaptureStream() {
  stop();
  if (!context_) return;
  {
    pulse::Context::Lock lock(*context_);
    context_->on_failure(nullptr, nullptr);
    if (stream_) {
      pa_stream_set_state_callback(stream_, nullptr, nullptr);
      pa_stream_set_read_callback(stream_, nullptr, nullptr);
      pa_stream_set_overflow_callback(stream_, nullptr, nullptr);
      if (PA_STREAM_IS_GOOD(pa_stream_get_state(stream_))) pa_stream_disconnect(stream_);
      pa_stream_unref(stream_);
      stream_ = nullptr;
    }
  }
  context_.reset();  // stops the loop's thread, then disconnects
}

bool PulseCaptureStream::await(pa_operation* op) {
  if (!op) return false;
  pulse::Operation hold(op);
  return context_->wait_until(steady_clock::now() + kServerTimeout, [&] {
    return op_result_ != -1 || gone_.load();
  }) && op_result_ == 1;
}

Status PulseCaptureStream::open(const StreamParams& params) {
  if (!context_) {
    auto c = pulse::Context::connect(steady_clock::now() + kServerTimeout);
    if (!c) return cannot_start(info_, c.error().message, c.error().hint);
    context_ = std::move(*c);
  }
  pulse::Context::Lock lock(*context_);
  context_->on_failure(&PulseCaptureStream::on_context_failed, this);

  // The source's own channels and rate unless others are asked for; the server converts.
  auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_START_CORKED | PA_STREAM_DONT_MOVE |
                                              PA_STREAM_ADJUST_LATENCY);
  const unsigned own_channels = std::max(info_.input_channels, 1u);
  const unsigned want_channels = params.channels ? params.channels : own_channels;
  pa_sample_spec ss;
  ss.format = PA_SAMPLE_FLOAT32NE;
  ss.channels = static_cast<uint8_t>(std::min<unsigned>(want_channels, PA_CHANNELS_MAX));
  ss.rate = params.rate ? params.rate : (info_.preferred_rate ? info_.preferred_rate : 48000);
  if (want_channels == own_channels)
    flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_CHANNELS);
  if (params.rate == 0) flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_RATE);
  if (want_channels > PA_CHANNELS_MAX || !pa_sample_spec_valid(&ss))
    return cannot_start(
        info_, fmt::format("PulseAudio cannot record {} channels at {} Hz", want_channels, ss.rate),
        fmt::format("ask for 1 to {} channels and a rate up to {}", PA_CHANNELS_MAX, PA_RATE_MAX));
  pa_channel_map map;
  pa_channel_map_init_extend(&map, ss.channels, PA_CHANNEL_MAP_DEFAULT);
  stream_ = pa_stream_new(context_->get(), pulse::kClientName, &ss, &map);
  if (!stream_)
    return cannot_start(info_, fmt::format("libpulse refused the stream: {}", context_->error()));
  pa_stream_set_state_callback(stream_, &PulseCaptureStream::on_stream_state, this);
  pa_stream_set_overflow_callback(stream_, &PulseCaptureStream::on_overflow, this);
  pa_stream_set_read_callback(stream_, &PulseCaptureStream::on_read, this);

  pa_buffer_attr attr;
  attr.maxlength = attr.tlength = attr.prebuf = attr.minreq = static_cast<uint32_t>(-1);
  attr.fragsize = static_cast<uint32_t>(fragment_frames(params, ss.rate) * pa_frame_size(&ss));
  if (pa_stream_connect_record(stream_, info_.id.c_str(), &attr, flags) < 0)
    return cannot_start(info_, context_->error());
  const bool settled = context_->wait_until(steady_clock::now() + kServerTimeout, [&] {
    const auto s = pa_stream_get_state(stream_);
    return s == PA_STREAM_READY || !PA_STREAM_IS_GOOD(s);
  });
  if (pa_stream_get_state(stream_) != PA_STREAM_READY) {
    if (!settled && context_->good())
      return cannot_start(info_, "the PulseAudio server does not answer", pulse::server_hint());
    if (context_->error_code() == PA_ERR_NOENTITY)
      return cannot_start(info_, fmt::format("the source '{}' is gone", info_.id));
    return cannot_start(info_, context_->error());
  }
  const pa_sample_spec* got = pa_stream_get_sample_spec(stream_);
  rate_ = got->rate;
  channels_ = got->channels;
  frame_bytes_ = pa_frame_size(got);
  scratch_frames_ = std::max<size_t>(4096 / channels_, 1);
  scratch_ = std::make_unique<float[]>(scratch_frames_ * channels_);

  // What was negotiated, for -v: the fragment the server granted and the source's latency.
  description_.backend = "pulse";
  description_.client = fmt::format("libpulse {}", pa_get_library_version());
  description_.rate = rate_;
  if (const pa_buffer_attr* a = pa_stream_get_buffer_attr(stream_))
    description_.fragment_frames = a->fragsize / frame_bytes_;
  op_result_ = -1;
  await(pa_context_get_server_info(context_->get(), &PulseCaptureStream::on_server_info, this));
  gone_.store(false);  // connecting is over: a failure from now on ends a started stream
  return ok_status();
}

Status PulseCaptureStream::start() {
  if (!stream_) return cannot_start(info_, "the stream is not open");
  pulse::Context::Lock lock(*context_);
  if (gone_.load()) return cannot_start(info_, "the source is gone");
  if (running_) return ok_status();
  frames_.store(0);
  carry_bytes_ = 0;
  running_ = true;  // before the answer: what follows the uncork is delivered
  op_result_ = -1;
  if (!await(pa_stream_cork(stream_, 0, &PulseCaptureStream::on_success, this))) {
    running_ = false;
    if (gone_.load()) return cannot_start(info_, "the source is gone");
    if (op_result_ == -1)
      return cannot_start(info_, "the PulseAudio server does not answer", pulse::server_hint());
    return cannot_start(info_,
                        fmt::format("the server did not start the stream: {}", context_->error()));
  }
  // How far the audio handed over trails what the source hears, for -v: the source's latency,
  // the transport's, and for the monitor of a sink that sink's (what is played reaches a
  // monitor only once the sink has rendered it: up to 2 s for an idle null sink); or
  // libpulse's own reckoning (pa_stream_get_latency, which leaves the sink's out), when
  // larger (pipewire-pulse reports no source or sink latency).
  op_result_ = -1;
  if (await(pa_stream_update_timing_info(stream_, &PulseCaptureStream::on_success, this))) {
    pa_usec_t usec = 0;
    int negative = 0;
    if (pa_stream_get_latency(stream_, &usec, &negative) != 0 || negative) usec = 0;
    if (const pa_timing_info* t = pa_stream_get_timing_info(stream_))
      usec = std::max(usec, t->source_usec + t->transport_usec + t->sink_usec);
    description_.latency = std::chrono::microseconds(usec);
  }
  return ok_status();
}

void PulseCaptureStream::stop() noexcept {
  if (!stream_) return;
  pulse::Context::Lock lock(*context_);
  if (!running_) return;
  running_ = false;  // callbacks look at it with the lock held: the sink is not called again
  if (!gone_.load()) {
    // Nothing more is sent; no answer is waited for.
    if (pa_operation* op = pa_stream_cork(stream_, 1, nullptr, nullptr)) pa_operation_unref(op);
  }
}

void PulseCaptureStream::on_stream_state(pa_stream* s, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (!PA_STREAM_IS_GOOD(pa_stream_get_state(s))) self->end();
  self->context_->signal();
}

void PulseCaptureStream::on_context_failed(void* p) { static_cast<PulseCaptureStream*>(p)->end(); }

void PulseCaptureStream::on_success(pa_stream*, int success, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  self->op_result_ = success ? 1 : 0;
  self->context_->signal();
}

void PulseCaptureStream::on_server_info(pa_context*, const pa_server_info* i, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (i && i->server_name) {
    self->description_.client +=
        fmt::format(" to {} {}", i->server_name, i->server_version ? i->server_version : "");
  }
  self->op_result_ = i ? 1 : 0;
  self->context_->signal();
}

void PulseCaptureStream::on_read(pa_stream*, size_t, void* p) {
  static_cast<PulseCaptureStream*>(p)->read();
}

void PulseCaptureStream::on_overflow(pa_stream*, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (self->running_) self->sink_.on_event(DeviceEvent{DeviceEvent::Kind::xrun, self->clock()});
}

// Everything libpulse has received, block by block. A hole (audio the server lost) is an xrun
// event with its length, and moves the clock on by it. Before start() and after stop(),
// blocks are dropped unread.
void PulseCaptureStream::read() noexcept {
  for (;;) {
    const void* data = nullptr;
    size_t bytes = 0;
    if (pa_stream_peek(stream_, &data, &bytes) < 0 || bytes == 0) return;
    if (running_) {
      if (data) {
        deliver(static_cast<const uint8_t*>(data), bytes);
      } else {
        DeviceEvent e{DeviceEvent::Kind::xrun, clock()};
        e.lost_frames = bytes / frame_bytes_;
        sink_.on_event(e);
        frames_.fetch_add(e.lost_frames, std::memory_order_relaxed);
      }
    }
    pa_stream_drop(stream_);
  }
}

void PulseCaptureStream::deliver(const uint8_t* p, size_t n) noexcept {
  if (carry_bytes_ > 0) {
    const size_t take = std::min(frame_bytes_ - carry_bytes_, n);
    std::memcpy(carry_ + carry_bytes_, p, take);
    carry_bytes_ += take;
    p += take;
    n -= take;
    if (carry_bytes_ < frame_bytes_) return;
    emit(reinterpret_cast<const float*>(carry_), 1);
    carry_bytes_ = 0;
  }
  size_t frames = n / frame_bytes_;
  if (reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {
    emit(reinterpret_cast<const float*>(p), frames);
    p += frames * frame_bytes_;
  } else {
    while (frames > 0) {
      const size_t k = std::min(frames, scratch_frames_);
      std::memcpy(scratch_.get(), p, k * frame_bytes_);
      emit(scratch_.get(), k);
      p += k * frame_bytes_;
      frames -= k;
    }
  }
  carry_bytes_ = n % frame_bytes_;
  std::memcpy(carry_, p, carry_bytes_);
}

void PulseCaptureStream::emit(const float* frames, size_t count) noexcept {
  if (count == 0) return;
  sink_.on_frames(frames, count, clock());
  frames_.fetch_add(count, std::memory_order_relaxed);
}

// The source, the stream or the server went away: no frames follow. The server itself is lost
// when the context has failed (or was terminated) by now: libpulse sets the context's state
// before it fails its streams, so this holds whether the context's callback or the stream's
// comes first. A source unloaded, or the stream killed, leaves the context ready.
void PulseCaptureStream::end() noexcept {
  gone_.store(true);
  if (running_ && !ended_sent_) {
    ended_sent_ = true;
    DeviceEvent e{DeviceEvent::Kind::ended, clock()};
    e.server_lost = !context_->good();
    sink_.on_event(e);
  }
  context_->signal();
}

class PulseDevice final : public Device {
 public:
  PulseDevice(DeviceInfo info, std::unique_ptr<pulse::Context> context)
      : info_(std::move(info)), context_(std::move(context)) {}
  const DeviceInfo& info() const override { return info_; }

  Result<std::unique_ptr<PlaybackStream>> open_playback(const PlaybackParams& params,
                                                        PlaybackSource& source) override {
    if (info_.output_channels == 0)
      return cannot_start_playing(info_, "the device has no output channels",
                                  "see 'soundcheck route list --output'");
    return pulse::open_playback(info_, params, source, std::move(context_));
  }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    if (info_.input_channels == 0)
      return cannot_start(
          info_, "the device has no input channels",
          fmt::format("record what it plays from its monitor: -D {}.monitor", info_.id));
    auto stream = std::make_unique<PulseCaptureStream>(info_, sink, std::move(context_));
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<CaptureStream>(std::move(stream));
  }

 private:
  DeviceInfo info_;
  std::unique_ptr<pulse::Context> context_;  // a ready connection for the first stream, or none
};

}  // namespace

const std::vector<unsigned>& pulse_stream_rates() {
  static const std::vector<unsigned> rates = {8000,  11025, 16000, 22050,  32000, 44100,
                                              48000, 88200, 96000, 176400, 192000};
  return rates;
}

std::unique_ptr<Device> make_pulse_device(DeviceInfo info,
                                          std::unique_ptr<pulse::Context> context) {
  return std::make_unique<PulseDevice>(std::move(info), std::move(context));
}

}  // namespace sc::audio
