#include "core/audio/pulse/query.h"

#include <fmt/format.h>

namespace sc::audio {
namespace {

// What the callbacks fill in, on the loop's thread with its lock held. `pending` counts the
// replies still to come.
struct Query {
  pulse::Context& context;
  PulseSnapshot snap;
  int pending = 0;
  bool failed = false;
};

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

void on_server(pa_context*, const pa_server_info* i, void* data) {
  auto* q = static_cast<Query*>(data);
  if (i) {
    q->snap.server = fmt::format("{} {}", text(i->server_name), text(i->server_version));
    q->snap.default_sink = text(i->default_sink_name);
    q->snap.default_source = text(i->default_source_name);
  }
  --q->pending;
  q->context.signal();
}

// True at the end of a list reply, which is counted off (a failed one fails the query).
bool list_ended(Query* q, int eol) {
  if (!eol) return false;
  if (eol < 0) q->failed = true;
  --q->pending;
  q->context.signal();
  return true;
}

// What a pa_source_info and a pa_sink_info have alike.
template <typename Info>
PulseObject object(const Info& i) {
  PulseObject o;
  o.name = text(i.name);
  o.description = text(i.description);
  o.channels = i.sample_spec.channels;
  o.rate = i.sample_spec.rate;
  return o;
}

void on_source(pa_context*, const pa_source_info* i, int eol, void* data) {
  auto* q = static_cast<Query*>(data);
  if (list_ended(q, eol)) return;
  PulseObject o = object(*i);
  if (i->monitor_of_sink != PA_INVALID_INDEX) o.monitor_of = text(i->monitor_of_sink_name);
  q->snap.sources.push_back(std::move(o));
}

void on_sink(pa_context*, const pa_sink_info* i, int eol, void* data) {
  auto* q = static_cast<Query*>(data);
  if (list_ended(q, eol)) return;
  PulseObject o = object(*i);
  o.monitor = text(i->monitor_source_name);
  q->snap.sinks.push_back(std::move(o));
}

}  // namespace

std::optional<PulseSnapshot> query_pulse(std::chrono::milliseconds timeout,
                                         std::unique_ptr<pulse::Context>* kept) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto conn = pulse::Context::connect(deadline);
  if (!conn) return std::nullopt;
  pulse::Context& c = **conn;
  Query q{c, {}, 0, false};
  {
    pulse::Context::Lock lock(c);
    for (pa_operation* op : {pa_context_get_server_info(c.get(), on_server, &q),
                             pa_context_get_source_info_list(c.get(), on_source, &q),
                             pa_context_get_sink_info_list(c.get(), on_sink, &q)}) {
      if (!op) {
        q.failed = true;
        continue;
      }
      ++q.pending;
      pa_operation_unref(op);
    }
    // Replies still pending when this gives up are cancelled with the context, without
    // calling back (the loop's thread is stopped first).
    const bool answered = c.wait_until(deadline, [&] { return q.pending <= 0; });
    if (!answered || q.failed) return std::nullopt;
  }
  if (kept) *kept = std::move(*conn);
  return std::move(q.snap);
}

}  // namespace sc::audio
