#include "core/audio/pulse/phone_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

namespace sc::audio::pulse {
namespace {

constexpr auto kServerTimeout = std::chrono::seconds(2);
// What the stream keeps queued in the server: enough not to underrun on a busy machine, little
// enough that it ends at once.
constexpr pa_usec_t kTarget = 100 * PA_USEC_PER_MSEC;
constexpr pa_usec_t kRequest = 20 * PA_USEC_PER_MSEC;

struct ProplistFree {
  void operator()(pa_proplist* p) const { pa_proplist_free(p); }
};
using Proplist = std::unique_ptr<pa_proplist, ProplistFree>;

Error unavailable(std::string message) {
  return make_error(Exit::unavailable, std::move(message), server_hint());
}

}  // namespace

Result<std::unique_ptr<PhoneStream>> PhoneStream::start(uint64_t session_id) {
  const auto deadline = std::chrono::steady_clock::now() + kServerTimeout;
  std::unique_ptr<PhoneStream> p(new PhoneStream());
  auto c = Context::connect(deadline);
  if (!c) return c.error();
  p->context_ = std::move(*c);
  Context& ctx = *p->context_;
  Context::Lock lock(ctx);

  Proplist props(pa_proplist_new());
  if (!props) return make_error(Exit::internal, "libpulse could not make a property list");
  pa_proplist_sets(props.get(), PA_PROP_MEDIA_ROLE, "phone");
  pa_proplist_sets(props.get(), PA_PROP_MEDIA_NAME, kPhoneStreamName);
  pa_proplist_sets(props.get(), "soundcheck.session", std::to_string(session_id).c_str());

  pa_sample_spec ss;
  ss.format = PA_SAMPLE_S16NE;
  ss.rate = 48000;
  ss.channels = 1;
  p->stream_.reset(
      pa_stream_new_with_proplist(ctx.get(), kPhoneStreamName, &ss, nullptr, props.get()));
  if (!p->stream_)
    return make_error(Exit::unavailable,
                      fmt::format("libpulse refused the call's stream: {}", ctx.error()));
  pa_stream* s = p->stream_.get();
  pa_stream_set_state_callback(s, &PhoneStream::on_state, p.get());
  pa_stream_set_write_callback(s, &PhoneStream::on_write, p.get());

  pa_buffer_attr attr;
  attr.maxlength = attr.prebuf = attr.fragsize = static_cast<uint32_t>(-1);
  attr.tlength = static_cast<uint32_t>(pa_usec_to_bytes(kTarget, &ss));
  attr.minreq = static_cast<uint32_t>(pa_usec_to_bytes(kRequest, &ss));
  // The default sink, wherever it moves.
  if (pa_stream_connect_playback(s, nullptr, &attr, PA_STREAM_ADJUST_LATENCY, nullptr, nullptr) < 0)
    return unavailable(fmt::format("cannot play the call's stream: {}", ctx.error()));
  ctx.wait_until(deadline, [&] {
    const auto st = pa_stream_get_state(s);
    return st == PA_STREAM_READY || !PA_STREAM_IS_GOOD(st);
  });
  if (pa_stream_get_state(s) != PA_STREAM_READY) {
    if (ctx.good() && PA_STREAM_IS_GOOD(pa_stream_get_state(s)))
      return unavailable("the PulseAudio server does not answer");
    return unavailable(fmt::format("cannot play the call's stream: {}", ctx.error()));
  }
  return p;
}

PhoneStream::~PhoneStream() {
  if (!context_) return;
  {
    Context::Lock lock(*context_);
    if (stream_) {
      pa_stream_set_state_callback(stream_.get(), nullptr, nullptr);
      pa_stream_set_write_callback(stream_.get(), nullptr, nullptr);
      if (PA_STREAM_IS_GOOD(pa_stream_get_state(stream_.get())))
        pa_stream_disconnect(stream_.get());
      stream_.reset();
    }
  }
  context_.reset();  // stops the loop's thread, then disconnects
}

bool PhoneStream::playing() const { return playing_.load(); }

void PhoneStream::on_state(pa_stream* s, void* p) {
  auto* self = static_cast<PhoneStream*>(p);
  self->playing_.store(pa_stream_get_state(s) == PA_STREAM_READY);
  self->context_->signal();
}

// Silence, as much as the server asks for, written into libpulse's own memory.
void PhoneStream::on_write(pa_stream* s, size_t bytes, void*) {
  const size_t frame = pa_frame_size(pa_stream_get_sample_spec(s));
  while (bytes >= frame) {
    void* data = nullptr;
    size_t n = bytes;
    if (pa_stream_begin_write(s, &data, &n) < 0 || !data) return;
    n -= n % frame;
    if (n == 0) {
      pa_stream_cancel_write(s);
      return;
    }
    std::memset(data, 0, n);
    if (pa_stream_write(s, data, n, nullptr, 0, PA_SEEK_RELATIVE) < 0) return;
    bytes -= std::min(n, bytes);
  }
}

}  // namespace sc::audio::pulse
