#include "core/audio/pulse_native_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <vector>

#include "core/audio/pulse_device.h"
#include "core/audio/pulse_frames.h"

namespace sc::audio {
namespace {

using namespace pulse::wire;
using std::chrono::steady_clock;

constexpr auto kAnswerTimeout = std::chrono::seconds(2);
constexpr uint32_t kRateMax = 384000;  // PA_RATE_MAX

constexpr bool kLittle = std::endian::native == std::endian::little;
constexpr uint8_t kS16ne = kLittle ? kS16le : kS16le + 1;
constexpr uint8_t kFloat32ne = kLittle ? kFloat32le : kFloat32le + 1;

class NativeCaptureStream final : public CaptureStream, pulse::Client::Listener {
 public:
  NativeCaptureStream(DeviceInfo info, CaptureSink& sink, std::unique_ptr<pulse::Client> client)
      : info_(std::move(info)), sink_(sink), frames_(sink), client_(std::move(client)) {
    client_->set_listener(this);
  }
  ~NativeCaptureStream() override {
    // The server drops the stream with the connection; saying so first is a courtesy.
    if (channel_ != kInvalid && client_->alive())
      client_->send(Tags(kDeleteRecordStream, client_->next_tag()).u32(channel_));
  }

  Status open(const StreamParams& params);

  Status start() override;
  void stop() noexcept override { running_ = false; }
  unsigned rate() const override { return rate_; }
  unsigned channels() const override { return channels_; }
  Duration clock() const override { return frames_duration(frames_.frames(), rate_); }
  bool finished() const override { return gone_.load(); }
  bool pump(std::chrono::milliseconds timeout) override;
  bool pumped() const override { return true; }
  std::optional<Duration> captured() override;
  void end_soon(Duration left) override;

 private:
  Error cannot_start(std::string_view cause,
                     std::string hint = "see 'soundcheck route list --input'") const {
    return cannot_start_recording(info_, cause, std::move(hint));
  }
  std::optional<pulse::Client::Reply> call(const Tags& t, uint32_t tag) {
    return client_->call(t, tag, steady_clock::now() + kAnswerTimeout);
  }
  void on_audio(uint32_t channel, int64_t offset, const uint8_t* data, size_t n) noexcept override;
  void on_command(uint32_t command, Reader& values) noexcept override;
  void end() noexcept;

  DeviceInfo info_;
  CaptureSink& sink_;
  PulseFrames frames_;
  std::unique_ptr<pulse::Client> client_;
  uint32_t channel_ = kInvalid;
  unsigned rate_ = 0;
  unsigned channels_ = 0;
  size_t fragment_frames_ = 0;
  bool running_ = false;
  bool starting_ = false;  // start() waits for the server to uncork the stream
  bool pumping_ = false;
  std::vector<uint8_t> held_;  // audio that arrived outside pump(), for the next pump
  bool ended_sent_ = false;
  std::atomic<bool> gone_{false};
};

Status NativeCaptureStream::open(const StreamParams& params) {
  // The source's own channels and rate unless others are asked for; the server converts.
  const unsigned own_channels = std::max(info_.input_channels, 1u);
  const unsigned want_channels = params.channels ? params.channels : own_channels;
  const unsigned want_rate =
      params.rate ? params.rate : (info_.preferred_rate ? info_.preferred_rate : 48000);
  if (want_channels > kMaxChannels || want_rate == 0 || want_rate > kRateMax)
    return cannot_start(
        fmt::format("PulseAudio cannot record {} channels at {} Hz", want_channels, want_rate),
        fmt::format("ask for 1 to {} channels and a rate up to {}", kMaxChannels, kRateMax));
  const auto ch = static_cast<uint8_t>(want_channels);
  // 16-bit samples when that is all the caller keeps: half the bytes on the socket.
  const uint8_t format = params.keep_bits == 16 ? kS16ne : kFloat32ne;
  const size_t frame_bytes = want_channels * (format == kS16ne ? 2u : 4u);
  fragment_frames_ = pulse_fragment_frames(params.buffer_frames, want_rate);

  // The values of libpulse's create_stream() for a record stream (pulse/stream.c), with
  // its flags START_CORKED, DONT_MOVE and ADJUST_LATENCY as the libpulse stream asks.
  const uint32_t tag = client_->next_tag();
  Tags t(kCreateRecordStream, tag);
  t.sample_spec(format, ch, want_rate).channel_map(ch).u32(kInvalid).str(info_.id);
  t.u32(kInvalid)     // maxlength: the server's
      .boolean(true)  // corked
      .u32(static_cast<uint32_t>(fragment_frames_ * frame_bytes));
  t.boolean(false).boolean(false).boolean(false);  // no_remap, no_remix, fix_format
  t.boolean(params.rate == 0).boolean(want_channels == own_channels);  // fix_rate, fix_channels
  t.boolean(true).boolean(false);                                      // dont_move, variable_rate
  t.boolean(false).boolean(true);  // peak_detect, adjust_latency
  t.props({{"media.name", "soundcheck"}});
  t.u32(kInvalid);                  // direct_on_input
  t.boolean(false);                 // early_requests
  t.boolean(false).boolean(false);  // dont_inhibit_auto_suspend, fail_on_suspend
  t.u8(0);                          // no formats: the sample spec says it
  t.cvolume_norm(ch);               // the volume: unchanged
  for (int i = 0; i < 5; ++i)
    t.boolean(false);  // muted, volume set, mute set, relative, passthrough
  const auto reply = call(t, tag);
  if (!reply) return cannot_start("the PulseAudio server does not answer", pulse_server_hint());
  if (reply->error == kErrNoEntity)
    return cannot_start(fmt::format("the source '{}' is gone", info_.id));
  if (reply->error != 0)
    return cannot_start(fmt::format("the server refused the stream: {}", error_name(reply->error)));
  auto r = reply->reader();
  channel_ = r.u32();
  r.u32(), r.u32(), r.u32();  // stream index, maxlength, fragsize
  const auto spec = r.sample_spec();
  if (!r.ok() || spec.channels == 0 || spec.rate == 0 ||
      (spec.format != kS16ne && spec.format != kFloat32ne)) {
    channel_ = kInvalid;
    return cannot_start("the PulseAudio server answered what soundcheck does not read");
  }
  rate_ = spec.rate;
  channels_ = spec.channels;
  frames_.configure(spec.format == kS16ne, channels_, rate_);
  return ok_status();
}

Status NativeCaptureStream::start() {
  if (channel_ == kInvalid) return cannot_start("the stream is not open");
  if (gone_.load()) return cannot_start("the source is gone");
  if (running_) return ok_status();
  frames_.start();
  held_.clear();
  const uint32_t tag = client_->next_tag();
  // What the source sends before the answer is held for the first pump.
  starting_ = true;
  const auto reply = call(Tags(kCorkRecordStream, tag).u32(channel_).boolean(false), tag);
  starting_ = false;
  if (gone_.load() || !client_->alive()) return cannot_start("the source is gone");
  if (!reply) return cannot_start("the PulseAudio server does not answer", pulse_server_hint());
  if (reply->error != 0)
    return cannot_start(
        fmt::format("the server did not start the stream: {}", error_name(reply->error)));
  running_ = true;
  return ok_status();
}

bool NativeCaptureStream::pump(std::chrono::milliseconds timeout) {
  if (!running_ || gone_.load()) return true;
  if (!held_.empty()) {  // what came while a reply was awaited, first and without waiting
    frames_.deliver(held_.data(), held_.size());
    held_.clear();
    return true;
  }
  pumping_ = true;
  client_->pump(timeout);
  pumping_ = false;
  if (!client_->alive()) end();
  return true;
}

// The server's recording position: what it has queued for the stream (its write index) plus
// what the source holds, as the libpulse stream asks it (pulse_device.cpp says why not less).
std::optional<Duration> NativeCaptureStream::captured() {
  if (!running_ || gone_.load()) return std::nullopt;
  const uint32_t tag = client_->next_tag();
  const auto reply = call(Tags(kGetRecordLatency, tag).u32(channel_).timeval_now(), tag);
  if (!reply || reply->error != 0) return std::nullopt;
  auto r = reply->reader();
  r.usec();  // the monitored sink's latency
  const uint64_t source_usec = r.usec();
  r.boolean();  // running
  r.skip_timeval(), r.skip_timeval();
  const int64_t write_index = r.s64();
  if (!r.ok() || write_index < 0) return std::nullopt;
  const auto frames = static_cast<uint64_t>(write_index) / frames_.frame_bytes();
  return frames_duration(frames, rate_) +
         std::chrono::duration_cast<Duration>(std::chrono::microseconds(source_usec));
}

void NativeCaptureStream::end_soon(Duration left) {
  if (!running_ || gone_.load()) return;
  const size_t frames = pulse_end_fragment_frames(left, rate_, fragment_frames_);
  if (frames == 0) return;
  // No answer is waited for: the server applies it before anything asked after it.
  Tags t(kSetRecordStreamBufferAttr, client_->next_tag());
  t.u32(channel_).u32(kInvalid).u32(static_cast<uint32_t>(frames * frames_.frame_bytes()));
  t.boolean(true).boolean(false);  // adjust_latency, early_requests
  if (client_->send(t)) fragment_frames_ = frames;
}

// Audio from the server, as it is read: to the sink inside pump(), held for the next pump
// otherwise (while start() or captured() waits for a reply).
void NativeCaptureStream::on_audio(uint32_t channel, int64_t offset, const uint8_t* data,
                                   size_t n) noexcept {
  if (channel != channel_ || !(running_ || starting_)) return;
  if (offset > 0) {  // a hole: what the server lost
    DeviceEvent e{DeviceEvent::Kind::xrun, clock()};
    e.lost_frames = static_cast<uint64_t>(offset) / frames_.frame_bytes();
    sink_.on_event(e);
  }
  if (pumping_) {
    frames_.deliver(data, n);
  } else {
    held_.insert(held_.end(), data, data + n);
  }
}

void NativeCaptureStream::on_command(uint32_t command, Reader& values) noexcept {
  const uint32_t channel = values.u32();
  if (!values.ok() || channel != channel_) return;
  if (command == kRecordStreamKilled) {
    channel_ = kInvalid;
    end();
  } else if (command == kOverflow && running_) {
    sink_.on_event(DeviceEvent{DeviceEvent::Kind::xrun, clock()});
  }
}

// The source, the stream or the server went away: no frames follow.
void NativeCaptureStream::end() noexcept {
  gone_.store(true);
  if (running_ && !ended_sent_) {
    ended_sent_ = true;
    sink_.on_event(DeviceEvent{DeviceEvent::Kind::ended, clock()});
  }
}

}  // namespace

Result<std::unique_ptr<CaptureStream>> open_native_capture(const DeviceInfo& info,
                                                           const StreamParams& params,
                                                           CaptureSink& sink,
                                                           std::unique_ptr<pulse::Client> client) {
  auto stream = std::make_unique<NativeCaptureStream>(info, sink, std::move(client));
  if (auto st = stream->open(params); !st) return st.error();
  return std::unique_ptr<CaptureStream>(std::move(stream));
}

}  // namespace sc::audio
