#include "core/audio/pulse/calls.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>

namespace sc::audio::pulse {
namespace {

constexpr auto kServerTimeout = std::chrono::seconds(1);
constexpr const char* kPhoneRole = "phone";
// The property soundcheck puts on the streams it plays itself (phone_stream.h).
constexpr const char* kSessionProperty = "soundcheck.session";

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

// A pa_sink_input_info or pa_source_output_info as module-role-cork judges a trigger stream
// (stream-interaction.c: get_trigger_role and find_trigger_stream): its media.role is a
// trigger role (module-role-cork's default trigger_roles is "phone") and it is neither muted
// nor corked (the `corked` the server reports is its state being CORKED). soundcheck's own
// streams are left out. Returns the call in words, or "" when the stream is not one.
template <typename Info>
std::string call_of(const Info& i, const char* kind) {
  const char* role = pa_proplist_gets(i.proplist, PA_PROP_MEDIA_ROLE);
  if (!role || std::strcmp(role, kPhoneRole) != 0) return {};
  if (pa_proplist_contains(i.proplist, kSessionProperty) == 1) return {};
  if (i.mute || i.corked) return {};
  std::string name = text(pa_proplist_gets(i.proplist, PA_PROP_MEDIA_NAME));
  if (name.empty()) name = text(i.name);
  std::string who = fmt::format("phone {} '{}'", kind, name);
  if (const char* app = pa_proplist_gets(i.proplist, PA_PROP_APPLICATION_NAME))
    who += fmt::format(" of {}", app);
  if (const char* pid = pa_proplist_gets(i.proplist, PA_PROP_APPLICATION_PROCESS_ID))
    who += fmt::format(" (pid {})", pid);
  return who;
}

constexpr int kSinkInputs = PA_SUBSCRIPTION_EVENT_SINK_INPUT;
constexpr int kSourceOutputs = PA_SUBSCRIPTION_EVENT_SOURCE_OUTPUT;

}  // namespace

Result<std::unique_ptr<CallWatcher>> CallWatcher::start(OnChange on_change) {
  const auto deadline = std::chrono::steady_clock::now() + kServerTimeout;
  std::unique_ptr<CallWatcher> w(new CallWatcher(std::move(on_change)));
  auto c = Context::connect(deadline);
  if (!c) return c.error();
  w->context_ = std::move(*c);
  Context& ctx = *w->context_;
  Context::Lock lock(ctx);
  ctx.on_failure(&CallWatcher::on_context_failed, w.get());
  {
    std::lock_guard<std::mutex> g(w->mutex_);
    w->connected_ = true;
  }
  // Subscribed before listing: whatever changes after the listing's snapshot comes as an
  // event, answered after it (the server answers in order).
  pa_context_set_subscribe_callback(ctx.get(), &CallWatcher::on_event, w.get());
  const auto mask = static_cast<pa_subscription_mask_t>(PA_SUBSCRIPTION_MASK_SINK_INPUT |
                                                        PA_SUBSCRIPTION_MASK_SOURCE_OUTPUT);
  Operation subscribed(pa_context_subscribe(ctx.get(), mask, nullptr, nullptr));
  Operation inputs(
      pa_context_get_sink_input_info_list(ctx.get(), &CallWatcher::on_sink_input_listed, w.get()));
  Operation outputs(pa_context_get_source_output_info_list(
      ctx.get(), &CallWatcher::on_source_output_listed, w.get()));
  if (!subscribed || !inputs || !outputs)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server refused to list streams: {}", ctx.error()),
                      server_hint());
  w->listing_ = 2;
  if (!ctx.wait_until(deadline, [&] { return w->listing_ == 0; })) {
    if (!ctx.good())
      return make_error(Exit::unavailable,
                        fmt::format("the PulseAudio server went away: {}", ctx.error()),
                        server_hint());
    return make_error(Exit::unavailable, "the PulseAudio server did not list its streams in time",
                      server_hint());
  }
  if (w->listing_failed_)
    return make_error(
        Exit::unavailable,
        fmt::format("the PulseAudio server did not list its streams: {}", ctx.error()),
        server_hint());
  w->started_ = true;
  return w;
}

CallWatcher::~CallWatcher() {
  if (!context_) return;
  {
    Context::Lock lock(*context_);
    started_ = false;  // no on_change from here on
    context_->on_failure(nullptr, nullptr);
    pa_context_set_subscribe_callback(context_->get(), nullptr, nullptr);
  }
  // Stops the loop's thread, then disconnects: replies still on their way are dropped without
  // calling back.
  context_.reset();
}

CallState CallWatcher::state() const {
  std::lock_guard<std::mutex> g(mutex_);
  return state_;
}

bool CallWatcher::connected() const {
  std::lock_guard<std::mutex> g(mutex_);
  return connected_;
}

void CallWatcher::on_event(pa_context* c, pa_subscription_event_type_t t, uint32_t index, void* p) {
  auto* self = static_cast<CallWatcher*>(p);
  const int facility = t & PA_SUBSCRIPTION_EVENT_FACILITY_MASK;
  const int type = t & PA_SUBSCRIPTION_EVENT_TYPE_MASK;
  if (facility != kSinkInputs && facility != kSourceOutputs) return;
  if (type == PA_SUBSCRIPTION_EVENT_REMOVE) {
    self->forget({facility, index});
    return;
  }
  // New or changed (role, mute, cork): ask for the stream as it is now. A stream gone before
  // the answer is an error reply, and its REMOVE event follows.
  pa_operation* op =
      facility == kSinkInputs
          ? pa_context_get_sink_input_info(c, index, &CallWatcher::on_sink_input, self)
          : pa_context_get_source_output_info(c, index, &CallWatcher::on_source_output, self);
  Operation hold(op);
}

void CallWatcher::on_sink_input(pa_context*, const pa_sink_input_info* i, int eol, void* p) {
  if (eol || !i) return;
  static_cast<CallWatcher*>(p)->judge({kSinkInputs, i->index}, call_of(*i, "stream"));
}

void CallWatcher::on_source_output(pa_context*, const pa_source_output_info* i, int eol, void* p) {
  if (eol || !i) return;
  static_cast<CallWatcher*>(p)->judge({kSourceOutputs, i->index}, call_of(*i, "recording"));
}

void CallWatcher::on_sink_input_listed(pa_context* c, const pa_sink_input_info* i, int eol,
                                       void* p) {
  if (eol)
    static_cast<CallWatcher*>(p)->list_ended(eol);
  else
    on_sink_input(c, i, eol, p);
}

void CallWatcher::on_source_output_listed(pa_context* c, const pa_source_output_info* i, int eol,
                                          void* p) {
  if (eol)
    static_cast<CallWatcher*>(p)->list_ended(eol);
  else
    on_source_output(c, i, eol, p);
}

void CallWatcher::list_ended(int eol) {
  if (eol < 0) listing_failed_ = true;
  --listing_;
  context_->signal();
}

void CallWatcher::judge(Key key, std::string who) {
  if (dead_) return;
  if (who.empty())
    calls_.erase(key);
  else
    calls_[key] = std::move(who);
  publish();
}

void CallWatcher::forget(Key key) {
  if (calls_.erase(key) > 0) publish();
}

void CallWatcher::on_context_failed(void* p) {
  auto* self = static_cast<CallWatcher*>(p);
  if (self->dead_) return;
  self->dead_ = true;
  self->calls_.clear();
  {
    std::lock_guard<std::mutex> g(self->mutex_);
    self->connected_ = false;
  }
  self->publish();
  self->context_->signal();
}

void CallWatcher::publish() {
  CallState now;
  now.active = !calls_.empty();
  if (now.active) now.who = calls_.begin()->second;
  bool flipped = false;
  {
    std::lock_guard<std::mutex> g(mutex_);
    flipped = state_.active != now.active;
    state_ = now;
  }
  if (flipped && started_ && on_change_) on_change_(now);
}

}  // namespace sc::audio::pulse
