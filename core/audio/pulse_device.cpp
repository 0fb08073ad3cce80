#include "core/audio/pulse_device.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <string>

#include "core/audio/pulse_frames.h"
#include "core/audio/pulse_introspect.h"
#include "core/audio/pulse_loop.h"
#include "core/audio/pulse_native_stream.h"

namespace sc::audio {
namespace {

using std::chrono::steady_clock;

constexpr auto kConnectTimeout = std::chrono::seconds(2);

struct StreamFree {
  void operator()(pa_stream* s) const {
    const pulse::Lib& pa = pulse::loaded();
    pa.stream_set_state_callback(s, nullptr, nullptr);
    pa.stream_set_read_callback(s, nullptr, nullptr);
    pa.stream_set_overflow_callback(s, nullptr, nullptr);
    if (PA_STREAM_IS_GOOD(pa.stream_get_state(s))) pa.stream_disconnect(s);
    pa.stream_unref(s);
  }
};
using Stream = std::unique_ptr<pa_stream, StreamFree>;

Error cannot_start(const DeviceInfo& info, std::string_view cause,
                   std::string hint = "see 'soundcheck route list --input'") {
  return cannot_start_recording(info, cause, std::move(hint));
}

class PulseCaptureStream final : public CaptureStream {
 public:
  PulseCaptureStream(DeviceInfo info, CaptureSink& sink, const pulse::Lib& pa,
                     pulse::Connection connection)
      : info_(std::move(info)), sink_(sink), frames_(sink), pa_(pa), conn_(std::move(connection)) {}
  ~PulseCaptureStream() override { stream_.reset(); }  // before the connection it lives on

  // Connects to the server and connects a corked record stream (not started).
  Status open(const StreamParams& params);

  Status start() override;
  void stop() noexcept override;
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  Duration clock() const override;
  bool finished() const override { return gone_.load(); }
  bool pump(std::chrono::milliseconds timeout) override;
  bool pumped() const override { return true; }
  std::optional<Duration> captured() override;
  void end_soon(Duration left) override;

 private:
  std::string server_error() const { return pa_.strerror(pa_.context_errno(conn_.context.get())); }
  template <typename Done>
  bool run_until(Done done) {
    return pulse::run_until(conn_.loop.get(), steady_clock::now() + kConnectTimeout, done);
  }

  // Called back from pa_mainloop_dispatch, on the pumping thread.
  static void on_context_state(pa_context* c, void* self);
  static void on_stream_state(pa_stream* s, void* self);
  static void on_overflow(pa_stream* s, void* self);
  static void on_success(pa_stream* s, int success, void* self);
  static void on_read(pa_stream* s, size_t bytes, void* self);

  // Hands the sink what the server sent, PulseFrames::float_budget() frames at most for a
  // float sink (the rest waits, peeked or in libpulse's queue, for the next call: the next
  // block's on_read or the next pump). True if anything was delivered.
  bool read_fragments() noexcept;
  void end() noexcept;

  DeviceInfo info_;
  CaptureSink& sink_;
  PulseFrames frames_;
  const pulse::Lib& pa_;  // libpulse, loaded before the stream is made
  pulse::Connection conn_;
  Stream stream_;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t fragment_frames_ = 0;
  bool peeked_ = false;               // a fragment is peeked, and not dropped yet
  const uint8_t* peek_at_ = nullptr;  // what of it is still to be delivered
  size_t peek_left_ = 0;
  bool running_ = false;
  bool pumping_ = false;     // inside pump(): on_read hands what arrives to the sink
  bool read_early_ = false;  // on_read handed something over during this pump's dispatch
  bool ended_sent_ = false;
  int op_result_ = -1;  // of the last cork or timing update: -1 pending, 0 refused, 1 done
  std::atomic<bool> gone_{false};
};

Status PulseCaptureStream::open(const StreamParams& params) {
  const bool reused =
      conn_.context && pa_.context_get_state(conn_.context.get()) == PA_CONTEXT_READY;
  if (!reused) conn_ = pulse::connect();
  if (!conn_.loop) return cannot_start(info_, "libpulse could not make a main loop");
  if (!conn_.context)
    return cannot_start(info_, "no PulseAudio server to connect to", pulse_server_hint());
  pa_.context_set_state_callback(conn_.context.get(), &PulseCaptureStream::on_context_state, this);
  if (!pulse::wait_ready(conn_, steady_clock::now() + kConnectTimeout)) {
    const bool failed = !PA_CONTEXT_IS_GOOD(pa_.context_get_state(conn_.context.get()));
    return cannot_start(info_,
                        failed ? fmt::format("no PulseAudio server: {}", server_error())
                               : std::string("the PulseAudio server does not answer"),
                        pulse_server_hint());
  }

  // The source's own channels and rate unless others are asked for; the server converts.
  auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_START_CORKED | PA_STREAM_DONT_MOVE |
                                              PA_STREAM_ADJUST_LATENCY);
  const unsigned own_channels = std::max(info_.input_channels, 1u);
  const unsigned want_channels = params.channels ? params.channels : own_channels;
  pa_sample_spec ss;
  // 16-bit samples when that is all the caller keeps: half the bytes through the server's
  // shared memory (fewer blocks, fewer wake-ups of both sides), widened to float here.
  ss.format = params.keep_bits == 16 ? PA_SAMPLE_S16NE : PA_SAMPLE_FLOAT32NE;
  ss.channels = static_cast<uint8_t>(std::min<unsigned>(want_channels, PA_CHANNELS_MAX));
  ss.rate = params.rate ? params.rate : (info_.preferred_rate ? info_.preferred_rate : 48000);
  if (want_channels == own_channels)
    flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_CHANNELS);
  if (params.rate == 0) flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_FIX_RATE);
  if (want_channels > PA_CHANNELS_MAX || !pa_.sample_spec_valid(&ss))
    return cannot_start(
        info_, fmt::format("PulseAudio cannot record {} channels at {} Hz", want_channels, ss.rate),
        fmt::format("ask for 1 to {} channels and a rate up to {}", PA_CHANNELS_MAX, PA_RATE_MAX));
  pa_channel_map map;
  pa_.channel_map_init_extend(&map, ss.channels, PA_CHANNEL_MAP_DEFAULT);
  stream_.reset(pa_.stream_new(conn_.context.get(), pulse::kClientName, &ss, &map));
  if (!stream_)
    return cannot_start(info_, fmt::format("libpulse refused the stream: {}", server_error()));
  pa_.stream_set_state_callback(stream_.get(), &PulseCaptureStream::on_stream_state, this);
  pa_.stream_set_overflow_callback(stream_.get(), &PulseCaptureStream::on_overflow, this);
  pa_.stream_set_read_callback(stream_.get(), &PulseCaptureStream::on_read, this);

  fragment_frames_ = pulse_fragment_frames(params.buffer_frames, ss.rate);
  pa_buffer_attr attr;
  attr.maxlength = static_cast<uint32_t>(-1);
  attr.tlength = attr.prebuf = attr.minreq = static_cast<uint32_t>(-1);
  attr.fragsize = static_cast<uint32_t>(fragment_frames_ * pa_.frame_size(&ss));
  if (pa_.stream_connect_record(stream_.get(), info_.id.c_str(), &attr, flags) < 0)
    return cannot_start(info_, server_error());
  const bool settled = run_until([&] {
    const auto s = pa_.stream_get_state(stream_.get());
    return s == PA_STREAM_READY || !PA_STREAM_IS_GOOD(s);
  });
  if (!settled)
    return cannot_start(info_, "the PulseAudio server does not answer", pulse_server_hint());
  if (pa_.stream_get_state(stream_.get()) != PA_STREAM_READY) {
    if (pa_.context_errno(conn_.context.get()) == PA_ERR_NOENTITY)
      return cannot_start(info_, fmt::format("the source '{}' is gone", info_.id));
    return cannot_start(info_, server_error());
  }
  const pa_sample_spec* got = pa_.stream_get_sample_spec(stream_.get());
  rate_ = got->rate;
  channels_ = got->channels;
  frames_.configure(got->format == PA_SAMPLE_S16NE, channels_, rate_);
  gone_.store(false);  // connecting is over: a failure from now on ends a started stream
  return ok_status();
}

Status PulseCaptureStream::start() {
  if (!stream_) return cannot_start(info_, "the stream is not open");
  if (gone_.load()) return cannot_start(info_, "the source is gone");
  if (running_) return ok_status();
  frames_.start();
  if (peeked_) pa_.stream_drop(stream_.get());  // the rest of a fragment from before a stop
  peeked_ = false;
  peek_left_ = 0;
  op_result_ = -1;
  pa_operation* op = pa_.stream_cork(stream_.get(), 0, &PulseCaptureStream::on_success, this);
  if (!op) return cannot_start(info_, server_error());
  const bool answered = run_until([&] { return op_result_ != -1 || gone_.load(); });
  pa_.operation_unref(op);
  if (gone_.load()) return cannot_start(info_, "the source is gone");
  if (!answered)
    return cannot_start(info_, "the PulseAudio server does not answer", pulse_server_hint());
  if (op_result_ != 1)
    return cannot_start(info_,
                        fmt::format("the server did not start the stream: {}", server_error()));
  running_ = true;
  return ok_status();
}

void PulseCaptureStream::stop() noexcept {
  // The sink is only called from pump(), on this thread: after this, never again.
  running_ = false;
}

bool PulseCaptureStream::pump(std::chrono::milliseconds timeout) {
  if (!running_ || gone_.load()) return true;
  // What the server sent before (a backlog left by the budget) first, without waiting.
  if (read_fragments()) return true;
  const auto deadline = steady_clock::now() + timeout;
  pa_mainloop* loop = conn_.loop.get();
  pumping_ = true;
  struct NotPumping {
    bool& flag;
    ~NotPumping() { flag = false; }
  } not_pumping{pumping_};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) return true;
    if (pa_.mainloop_prepare(loop, static_cast<int>(left.count())) < 0) break;
    // 0: the time passed, or a signal interrupted the wait: either way the caller looks.
    const int ready = pa_.mainloop_poll(loop);
    read_early_ = false;
    if (ready < 0 || pa_.mainloop_dispatch(loop) < 0) break;
    if (read_fragments() || read_early_ || gone_.load() || !running_ || ready == 0) return true;
  }
  end();  // the loop failed: nothing more will come
  return true;
}

// The server's recording position: what it has put in the stream's queue plus what the source
// holds, asked for now. Not pa_stream_get_time(): for the monitor of a sink it subtracts the
// sink's latency, so a stop could end before what the server had queued for us arrived. (What
// a monitor has not rendered yet is not captured: a null sink's monitor runs up to its latency,
// about 1-2 s here, behind the player, and a stop does not wait for that.)
std::optional<Duration> PulseCaptureStream::captured() {
  if (!running_ || gone_.load()) return std::nullopt;
  op_result_ = -1;
  pa_operation* op =
      pa_.stream_update_timing_info(stream_.get(), &PulseCaptureStream::on_success, this);
  if (!op) return std::nullopt;
  run_until([&] { return op_result_ != -1 || gone_.load(); });
  pa_.operation_unref(op);
  const pa_timing_info* t = pa_.stream_get_timing_info(stream_.get());
  if (op_result_ != 1 || t == nullptr || t->write_index < 0) return std::nullopt;
  const pa_usec_t queued = pa_.bytes_to_usec(static_cast<uint64_t>(t->write_index),
                                             pa_.stream_get_sample_spec(stream_.get()));
  return Duration(static_cast<int64_t>(queued + t->source_usec) * 1000);
}

void PulseCaptureStream::end_soon(Duration left) {
  if (!running_ || gone_.load()) return;
  const size_t frames = pulse_end_fragment_frames(left, rate_, fragment_frames_);
  if (frames == 0) return;
  // No answer is waited for: the server applies it before anything asked after it.
  pa_buffer_attr attr;
  attr.maxlength = attr.tlength = attr.prebuf = attr.minreq = static_cast<uint32_t>(-1);
  attr.fragsize = static_cast<uint32_t>(frames * frames_.frame_bytes());
  if (pa_operation* op = pa_.stream_set_buffer_attr(stream_.get(), &attr, nullptr, nullptr)) {
    pa_.operation_unref(op);
    fragment_frames_ = frames;
  }
}

Duration PulseCaptureStream::clock() const { return frames_duration(frames_.frames(), rate_); }

void PulseCaptureStream::on_context_state(pa_context* c, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (!PA_CONTEXT_IS_GOOD(self->pa_.context_get_state(c))) self->end();
}

void PulseCaptureStream::on_stream_state(pa_stream* s, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (!PA_STREAM_IS_GOOD(self->pa_.stream_get_state(s))) self->end();
}

void PulseCaptureStream::on_success(pa_stream*, int success, void* p) {
  static_cast<PulseCaptureStream*>(p)->op_result_ = success ? 1 : 0;
}

// Each block as libpulse receives it, in the middle of pa_mainloop_dispatch: a fragment of 2 s
// arrives as dozens of blocks, which the server copies into libpulse's memory pool as they
// come. Taken one by one, each block goes back to the pool before the next one is needed, and
// the same few pool pages (warm in the cache) serve the whole recording. Left for after the
// dispatch, up to a whole fragment (384 KB of 48 kHz stereo s16) was in the pool at once, in
// fresh pages: 82 page faults in libpulse's copying in a 6 s recording, now 18, parecord's
// (which reads in this callback) 17 (perf record -e page-faults). Only inside pump(), so the
// sink is still only called from there (start() and captured() dispatch too).
void PulseCaptureStream::on_read(pa_stream*, size_t, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (self->pumping_ && self->running_ && self->read_fragments()) self->read_early_ = true;
}

void PulseCaptureStream::on_overflow(pa_stream*, void* p) {
  auto* self = static_cast<PulseCaptureStream*>(p);
  if (self->running_) self->sink_.on_event(DeviceEvent{DeviceEvent::Kind::xrun, self->clock()});
}

// A hole (data the server lost) is an xrun event with its length. A fragment larger than the
// budget is handed over in pieces: it stays peeked (libpulse keeps its memory) until its last
// byte went, over as many calls as that takes. A sink that takes 16-bit frames as they are
// gets all the server has sent at once, straight from the server's memory.
bool PulseCaptureStream::read_fragments() noexcept {
  pa_stream* s = stream_.get();
  const size_t budget = frames_.s16_to_sink() ? std::numeric_limits<size_t>::max()
                                              : std::min(fragment_frames_, frames_.float_budget());
  bool delivered = false;
  size_t frames = 0;
  while (frames < budget) {
    if (peek_left_ == 0) {
      if (peeked_) pa_.stream_drop(s);
      peeked_ = false;
      const void* data = nullptr;
      size_t bytes = 0;
      if (pa_.stream_peek(s, &data, &bytes) < 0 || bytes == 0) break;
      peeked_ = true;
      if (!data) {
        DeviceEvent e{DeviceEvent::Kind::xrun, clock()};
        e.lost_frames = bytes / frames_.frame_bytes();
        sink_.on_event(e);
        frames += e.lost_frames;
        delivered = true;
        continue;
      }
      peek_at_ = static_cast<const uint8_t*>(data);
      peek_left_ = bytes;
    }
    // min(peek_left_, room in bytes), without multiplying an unlimited budget.
    const size_t room = budget - frames;
    const size_t frame_bytes = frames_.frame_bytes();
    const size_t take = room > peek_left_ / frame_bytes ? peek_left_ : room * frame_bytes;
    frames_.deliver(peek_at_, take);
    peek_at_ += take;
    peek_left_ -= take;
    frames += std::max<size_t>(take / frame_bytes, 1);
    delivered = true;
  }
  if (peeked_ && peek_left_ == 0) {
    pa_.stream_drop(s);
    peeked_ = false;
  }
  return delivered;
}

// The source, the stream or the server went away: no frames follow.
void PulseCaptureStream::end() noexcept {
  gone_.store(true);
  if (running_ && !ended_sent_) {
    ended_sent_ = true;
    sink_.on_event(DeviceEvent{DeviceEvent::Kind::ended, clock()});
  }
}

class PulseDevice final : public Device {
 public:
  PulseDevice(DeviceInfo info, PulseLink link) : info_(std::move(info)), link_(std::move(link)) {}
  const DeviceInfo& info() const override { return info_; }

  Result<std::unique_ptr<CaptureStream>> open_capture(const StreamParams& params,
                                                      CaptureSink& sink) override {
    if (info_.input_channels == 0)
      return cannot_start(
          info_, "the device has no input channels",
          fmt::format("record what it plays from its monitor: -D {}.monitor", info_.id));
    // soundcheck's own client when the listing used it, or, for a device opened without a
    // connection (a second stream), when it reaches the server; else libpulse.
    std::unique_ptr<pulse::Client> native = std::move(link_.native);
    if (!native && !link_.lib.context && pulse_native_wanted())
      native = pulse::Client::connect(steady_clock::now() + kConnectTimeout);
    if (native) return open_native_capture(info_, params, sink, std::move(native));
    // Loaded by the first stream (a listing may have loaded it already).
    auto pa = pulse::lib();
    if (!pa) return cannot_start(info_, pa.error().message, pa.error().hint);
    auto stream = std::make_unique<PulseCaptureStream>(info_, sink, **pa, std::move(link_.lib));
    if (auto st = stream->open(params); !st) return st.error();
    return std::unique_ptr<CaptureStream>(std::move(stream));
  }

 private:
  DeviceInfo info_;
  PulseLink link_;  // a ready connection for the first stream, or empty
};

}  // namespace

const std::vector<unsigned>& pulse_stream_rates() {
  static const std::vector<unsigned> rates = {8000,  11025, 16000, 22050,  32000, 44100,
                                              48000, 88200, 96000, 176400, 192000};
  return rates;
}

size_t pulse_fragment_frames(unsigned buffer_frames, unsigned rate) {
  return buffer_frames ? buffer_frames : std::max<size_t>(size_t{rate} * 2, 64);
}

size_t pulse_end_fragment_frames(Duration left, unsigned rate, size_t current) {
  const auto fragment = std::max<Duration>(left / 8, std::chrono::milliseconds(20));
  const auto frames = static_cast<size_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(fragment).count() * rate / 1000000);
  return frames < current ? frames : 0;
}

const char* pulse_server_hint() {
  return "start the server (pulseaudio --start, or scripts/start-pulse in a checkout) or point "
         "PULSE_SERVER at it";
}

std::unique_ptr<Device> make_pulse_device(DeviceInfo info, PulseLink link) {
  return std::make_unique<PulseDevice>(std::move(info), std::move(link));
}

}  // namespace sc::audio
