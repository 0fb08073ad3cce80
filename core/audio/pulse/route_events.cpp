#include "core/audio/pulse/route_events.h"

#include <fmt/format.h>

namespace sc::audio::pulse {
namespace {

using Reason = session::RouteChangeReason;
constexpr auto kServerTimeout = std::chrono::seconds(2);

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

template <typename Info>
std::pair<uint32_t, std::string> known_of(const Info& i, std::string* description,
                                          std::string* port) {
  *description = text(i.description);
  *port = i.active_port ? text(i.active_port->name) : std::string();
  return {i.index, text(i.name)};
}

}  // namespace

Result<std::unique_ptr<RouteWatcher>> RouteWatcher::start(OnEvent on_event, OnLost on_lost) {
  const auto deadline = std::chrono::steady_clock::now() + kServerTimeout;
  std::unique_ptr<RouteWatcher> w(new RouteWatcher(std::move(on_event), std::move(on_lost)));
  auto c = Context::connect(deadline);
  if (!c) return c.error();
  w->context_ = std::move(*c);
  Context& ctx = *w->context_;
  Context::Lock lock(ctx);
  ctx.on_failure(&RouteWatcher::on_context_failed, w.get());
  // Subscribed before listing: a change after the listing's snapshot comes as an event,
  // answered after it (the server answers in order).
  pa_context_set_subscribe_callback(ctx.get(), &RouteWatcher::on_subscription, w.get());
  const auto mask = static_cast<pa_subscription_mask_t>(
      PA_SUBSCRIPTION_MASK_SINK | PA_SUBSCRIPTION_MASK_SOURCE | PA_SUBSCRIPTION_MASK_SERVER);
  Operation subscribed(pa_context_subscribe(ctx.get(), mask, nullptr, nullptr));
  Operation sinks(pa_context_get_sink_info_list(ctx.get(), &RouteWatcher::on_sink_listed, w.get()));
  Operation sources(
      pa_context_get_source_info_list(ctx.get(), &RouteWatcher::on_source_listed, w.get()));
  Operation server(pa_context_get_server_info(ctx.get(), &RouteWatcher::on_server_listed, w.get()));
  if (!subscribed || !sinks || !sources || !server)
    return make_error(
        Exit::unavailable,
        fmt::format("the PulseAudio server refused to list its devices: {}", ctx.error()),
        server_hint());
  w->pending_ = 3;
  if (!ctx.wait_until(deadline, [&] { return w->pending_ == 0; })) {
    // The replies still on their way must not call back into a watcher that is gone.
    for (pa_operation* op : {sinks.get(), sources.get(), server.get()}) pa_operation_cancel(op);
    ctx.on_failure(nullptr, nullptr);
    pa_context_set_subscribe_callback(ctx.get(), nullptr, nullptr);
    if (!ctx.good())
      return make_error(Exit::unavailable,
                        fmt::format("the PulseAudio server went away: {}", ctx.error()),
                        server_hint());
    return make_error(Exit::unavailable, "the PulseAudio server did not list its devices in time",
                      server_hint());
  }
  w->server_.default_sink = w->default_sink_;
  w->server_.default_source = w->default_source_;
  std::string address = text(pa_context_get_server(ctx.get()));
  if (!address.empty() && address.front() == '/') address = "unix:" + address;
  w->server_.address = address;
  w->started_ = true;
  return w;
}

RouteWatcher::~RouteWatcher() {
  if (!context_) return;
  {
    Context::Lock lock(*context_);
    started_ = false;
    dead_ = true;
    context_->on_failure(nullptr, nullptr);
    pa_context_set_subscribe_callback(context_->get(), nullptr, nullptr);
  }
  context_.reset();  // stops the loop's thread first: no callback after this
}

void RouteWatcher::on_subscription(pa_context* c, pa_subscription_event_type_t t, uint32_t index,
                                   void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  const int facility = t & PA_SUBSCRIPTION_EVENT_FACILITY_MASK;
  const int type = t & PA_SUBSCRIPTION_EVENT_TYPE_MASK;
  if (facility == PA_SUBSCRIPTION_EVENT_SERVER) {
    Operation hold(pa_context_get_server_info(c, &RouteWatcher::on_server, self));
    return;
  }
  if (facility != PA_SUBSCRIPTION_EVENT_SINK && facility != PA_SUBSCRIPTION_EVENT_SOURCE) return;
  const bool input = facility == PA_SUBSCRIPTION_EVENT_SOURCE;
  if (type == PA_SUBSCRIPTION_EVENT_REMOVE) {
    self->gone(input, index);
    return;
  }
  // New or changed: ask for it as it is now. A device gone before the answer is an error
  // reply (ignored), and its REMOVE event follows.
  Operation hold(input
                     ? pa_context_get_source_info_by_index(c, index, &RouteWatcher::on_source, self)
                     : pa_context_get_sink_info_by_index(c, index, &RouteWatcher::on_sink, self));
}

void RouteWatcher::on_sink_listed(pa_context* c, const pa_sink_info* i, int eol, void* p) {
  if (eol != 0 || !i)
    static_cast<RouteWatcher*>(p)->reply_came();
  else
    on_sink(c, i, eol, p);
}

void RouteWatcher::on_source_listed(pa_context* c, const pa_source_info* i, int eol, void* p) {
  if (eol != 0 || !i)
    static_cast<RouteWatcher*>(p)->reply_came();
  else
    on_source(c, i, eol, p);
}

void RouteWatcher::on_sink(pa_context*, const pa_sink_info* i, int eol, void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  if (eol != 0 || !i) return;
  Known k;
  auto [index, name] = known_of(*i, &k.description, &k.port);
  k.name = std::move(name);
  self->seen(false, index, std::move(k));
}

void RouteWatcher::on_source(pa_context*, const pa_source_info* i, int eol, void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  if (eol != 0 || !i) return;
  Known k;
  auto [index, name] = known_of(*i, &k.description, &k.port);
  k.name = std::move(name);
  self->seen(true, index, std::move(k));
}

void RouteWatcher::on_server_listed(pa_context*, const pa_server_info* i, void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  if (i) {
    self->server_.name = text(i->server_name);
    self->server_.version = text(i->server_version);
    self->default_sink_ = text(i->default_sink_name);
    self->default_source_ = text(i->default_source_name);
  }
  self->reply_came();
}

void RouteWatcher::on_server(pa_context*, const pa_server_info* i, void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  if (i) self->defaults(text(i->default_sink_name), text(i->default_source_name));
}

void RouteWatcher::reply_came() {
  if (pending_ > 0) --pending_;
  context_->signal();
}

void RouteWatcher::seen(bool input, uint32_t index, Known now) {
  if (dead_) return;
  auto& known = input ? sources_ : sinks_;
  auto it = known.find(index);
  if (it == known.end()) {
    const Known& k = known.emplace(index, std::move(now)).first->second;
    if (started_) emit(Reason::newDeviceAvailable, input, k);
    std::string& waiting = input ? override_source_ : override_sink_;
    if (!waiting.empty() && waiting == k.name) {
      waiting.clear();
      if (started_) emit(Reason::override_, input, k);
    }
    return;
  }
  const bool port_changed = it->second.port != now.port;
  it->second = std::move(now);
  if (port_changed && started_) emit(Reason::routeConfigurationChange, input, it->second);
}

void RouteWatcher::gone(bool input, uint32_t index) {
  if (dead_) return;
  auto& known = input ? sources_ : sinks_;
  auto it = known.find(index);
  if (it == known.end()) return;
  const Known k = std::move(it->second);
  known.erase(it);
  if (started_) emit(Reason::oldDeviceUnavailable, input, k);
}

void RouteWatcher::defaults(const std::string& sink, const std::string& source) {
  if (dead_) return;
  // The new default as a device, from what is known; one not seen yet waits for it.
  auto changed = [&](bool input, const std::string& name) {
    const auto& known = input ? sources_ : sinks_;
    std::string& waiting = input ? override_source_ : override_sink_;
    waiting.clear();
    if (name.empty()) return;
    for (const auto& [index, k] : known)
      if (k.name == name) return emit(Reason::override_, input, k);
    waiting = name;
  };
  if (sink != default_sink_) {
    default_sink_ = sink;
    changed(false, sink);
  }
  if (source != default_source_) {
    default_source_ = source;
    changed(true, source);
  }
}

void RouteWatcher::emit(session::RouteChangeReason reason, bool input, const Known& k) {
  if (!on_event_) return;
  RouteEvent e;
  e.reason = reason;
  e.name = k.description.empty() ? k.name : k.description;
  e.id = k.name;
  e.input = input;
  e.at = std::chrono::system_clock::now();
  on_event_(e);
}

void RouteWatcher::on_context_failed(void* p) {
  auto* self = static_cast<RouteWatcher*>(p);
  if (self->dead_) return;
  self->dead_ = true;
  if (self->started_ && self->on_lost_) self->on_lost_(self->context_->error());
  self->context_->signal();
}

}  // namespace sc::audio::pulse
