#include "core/audio/pulse_introspect.h"

#include <pulse/pulseaudio.h>

#include <memory>

namespace sc::audio {
namespace {

struct MainloopFree {
  void operator()(pa_mainloop* m) const { pa_mainloop_free(m); }
};
struct ContextUnref {
  void operator()(pa_context* c) const {
    pa_context_disconnect(c);
    pa_context_unref(c);
  }
};
using Mainloop = std::unique_ptr<pa_mainloop, MainloopFree>;
using Context = std::unique_ptr<pa_context, ContextUnref>;

// What the callbacks fill in. `pending` counts the list replies still to come.
struct Query {
  PulseSnapshot snap;
  int pending = 0;
  bool failed = false;
};

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

void on_server(pa_context*, const pa_server_info* i, void* data) {
  auto* q = static_cast<Query*>(data);
  if (i) {
    q->snap.default_sink = text(i->default_sink_name);
    q->snap.default_source = text(i->default_source_name);
  }
  --q->pending;
}

void on_source(pa_context*, const pa_source_info* i, int eol, void* data) {
  auto* q = static_cast<Query*>(data);
  if (eol) {
    if (eol < 0) q->failed = true;
    --q->pending;
    return;
  }
  PulseObject o;
  o.name = text(i->name);
  o.description = text(i->description);
  o.channels = i->sample_spec.channels;
  o.rate = i->sample_spec.rate;
  if (i->monitor_of_sink != PA_INVALID_INDEX) o.monitor_of = text(i->monitor_of_sink_name);
  q->snap.sources.push_back(std::move(o));
}

void on_sink(pa_context*, const pa_sink_info* i, int eol, void* data) {
  auto* q = static_cast<Query*>(data);
  if (eol) {
    if (eol < 0) q->failed = true;
    --q->pending;
    return;
  }
  PulseObject o;
  o.name = text(i->name);
  o.description = text(i->description);
  o.channels = i->sample_spec.channels;
  o.rate = i->sample_spec.rate;
  o.monitor = text(i->monitor_source_name);
  q->snap.sinks.push_back(std::move(o));
}

// Runs the loop until `done()` or the deadline; false on timeout or loop failure.
template <typename Done>
bool run_until(pa_mainloop* m, std::chrono::steady_clock::time_point deadline, Done done) {
  while (!done()) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (pa_mainloop_prepare(m, static_cast<int>(left.count())) < 0) return false;
    if (pa_mainloop_poll(m) < 0) return false;
    if (pa_mainloop_dispatch(m) < 0) return false;
  }
  return true;
}

}  // namespace

std::optional<PulseSnapshot> query_pulse(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Mainloop loop(pa_mainloop_new());
  if (!loop) return std::nullopt;
  Context ctx(pa_context_new(pa_mainloop_get_api(loop.get()), "soundcheck"));
  if (!ctx) return std::nullopt;
  if (pa_context_connect(ctx.get(), nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
    return std::nullopt;
  pa_context_state_t state = PA_CONTEXT_UNCONNECTED;
  const bool settled = run_until(loop.get(), deadline, [&] {
    state = pa_context_get_state(ctx.get());
    return state == PA_CONTEXT_READY || !PA_CONTEXT_IS_GOOD(state);
  });
  if (!settled || state != PA_CONTEXT_READY) return std::nullopt;

  // The replies come through the callbacks, which run only inside run_until; operations
  // still pending when this returns are cancelled with the context, without calling back.
  Query q;
  for (pa_operation* op : {pa_context_get_server_info(ctx.get(), on_server, &q),
                           pa_context_get_source_info_list(ctx.get(), on_source, &q),
                           pa_context_get_sink_info_list(ctx.get(), on_sink, &q)}) {
    if (!op) return std::nullopt;
    ++q.pending;
    pa_operation_unref(op);
  }
  const bool answered = run_until(loop.get(), deadline, [&] {
    return q.pending <= 0 || !PA_CONTEXT_IS_GOOD(pa_context_get_state(ctx.get()));
  });
  if (!answered || q.pending > 0 || q.failed) return std::nullopt;
  return std::move(q.snap);
}

}  // namespace sc::audio
