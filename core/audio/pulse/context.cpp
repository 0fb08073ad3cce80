#include "core/audio/pulse/context.h"

#include <pulse/rtclock.h>

#include <fmt/format.h>

#include <algorithm>

namespace sc::audio::pulse {

const char* server_hint() {
  return "start the server (pulseaudio --start, or scripts/start-pulse in a checkout) or point "
         "PULSE_SERVER at it";
}

Result<std::unique_ptr<Context>> Context::connect(Deadline deadline) {
  std::unique_ptr<Context> c(new Context());
  c->loop_ = pa_threaded_mainloop_new();
  if (!c->loop_) return make_error(Exit::internal, "libpulse could not make a main loop");
  c->context_ = pa_context_new(pa_threaded_mainloop_get_api(c->loop_), kClientName);
  if (!c->context_) return make_error(Exit::internal, "libpulse could not make a context");
  pa_context_set_state_callback(c->context_, &Context::on_state, c.get());
  if (pa_context_connect(c->context_, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
    return make_error(Exit::unavailable, fmt::format("no PulseAudio server: {}", c->error()),
                      server_hint());
  if (pa_threaded_mainloop_start(c->loop_) < 0)
    return make_error(Exit::internal, "libpulse could not start its main loop thread");
  c->running_ = true;
  Lock lock(*c);
  const bool ready = c->wait_until(
      deadline, [&] { return pa_context_get_state(c->context_) == PA_CONTEXT_READY; });
  if (ready) return c;
  if (!c->good())
    return make_error(Exit::unavailable, fmt::format("no PulseAudio server: {}", c->error()),
                      server_hint());
  return make_error(Exit::unavailable, "the PulseAudio server does not answer", server_hint());
}

Context::~Context() {
  if (running_) pa_threaded_mainloop_stop(loop_);  // no callback runs after this
  if (context_) {
    pa_context_set_state_callback(context_, nullptr, nullptr);
    pa_context_disconnect(context_);
    pa_context_unref(context_);
  }
  if (loop_) pa_threaded_mainloop_free(loop_);
}

void Context::on_state(pa_context* c, void* p) {
  auto* self = static_cast<Context*>(p);
  if (!PA_CONTEXT_IS_GOOD(pa_context_get_state(c)) && self->failure_cb_)
    self->failure_cb_(self->failure_user_);
  self->signal();
}

Context::TimeEvent::TimeEvent(Context& c, Deadline deadline) : context_(c) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    expired_ = true;
    return;
  }
  event_ = pa_context_rttime_new(
      c.context_, pa_rtclock_now() + static_cast<pa_usec_t>(left.count()), &TimeEvent::fire, this);
  if (!event_) expired_ = true;  // no timer: do not wait forever
}

Context::TimeEvent::~TimeEvent() {
  if (event_) pa_threaded_mainloop_get_api(context_.loop_)->time_free(event_);
}

void Context::TimeEvent::fire(pa_mainloop_api*, pa_time_event*, const struct timeval*, void* p) {
  auto* self = static_cast<TimeEvent*>(p);
  self->expired_ = true;
  self->context_.signal();
}

}  // namespace sc::audio::pulse
