#include "core/audio/pulse_introspect.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "core/audio/backends.h"
#include "core/audio/pulse_loop.h"
#include "core/audio/pulse_native_query.h"

namespace sc::audio {
namespace {

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

// True at the end of a list reply, which is counted off (a failed one fails the query).
bool list_ended(Query* q, int eol) {
  if (!eol) return false;
  if (eol < 0) q->failed = true;
  --q->pending;
  return true;
}

void on_source(pa_context*, const pa_source_info* i, int eol, void* data) {
  auto* q = static_cast<Query*>(data);
  if (list_ended(q, eol)) return;
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
  if (list_ended(q, eol)) return;
  PulseObject o;
  o.name = text(i->name);
  o.description = text(i->description);
  o.channels = i->sample_spec.channels;
  o.rate = i->sample_spec.rate;
  o.monitor = text(i->monitor_source_name);
  q->snap.sinks.push_back(std::move(o));
}

// Through libpulse (pulse_lib.h loads it).
std::optional<PulseSnapshot> query_libpulse(pulse::Connection& kept,
                                            std::chrono::steady_clock::time_point deadline) {
  auto conn = pulse::connect();
  if (!pulse::wait_ready(conn, deadline)) return std::nullopt;  // also without libpulse
  const pulse::Lib& pa = pulse::loaded();
  pa_context* ctx = conn.context.get();

  // The replies come through the callbacks, which run only inside run_until; operations
  // still pending when this returns are cancelled with the context, without calling back.
  Query q;
  for (pa_operation* op : {pa.context_get_server_info(ctx, on_server, &q),
                           pa.context_get_source_info_list(ctx, on_source, &q),
                           pa.context_get_sink_info_list(ctx, on_sink, &q)}) {
    if (!op) return std::nullopt;
    ++q.pending;
    pa.operation_unref(op);
  }
  const bool answered = pulse::run_until(conn.loop.get(), deadline, [&] {
    return q.pending <= 0 || !PA_CONTEXT_IS_GOOD(pa.context_get_state(ctx));
  });
  if (!answered || q.pending > 0 || q.failed) return std::nullopt;
  kept = std::move(conn);
  return std::move(q.snap);
}

}  // namespace

bool pulse_native_wanted() {
  const char* v = std::getenv("SOUNDCHECK_PULSE");
  return v == nullptr || std::strcmp(v, "libpulse") != 0;
}

Status check_pulse_choice() {
  const char* v = std::getenv("SOUNDCHECK_PULSE");
  if (v == nullptr || *v == 0 || std::strcmp(v, "native") == 0 || std::strcmp(v, "libpulse") == 0)
    return ok_status();
  return make_error(Exit::usage,
                    fmt::format("SOUNDCHECK_PULSE is '{}': it says how PulseAudio is spoken to", v),
                    "set it to native (the default) or libpulse, or unset it");
}

std::optional<PulseSnapshot> query_pulse(PulseLink& kept, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (pulse_native_wanted()) {
    // A server the native client cannot reach or read is asked again through libpulse, which
    // knows every way to a server (and fails the same way when there is none).
    if (auto client = pulse::Client::connect(deadline)) {
      if (auto snap = query_native(*client, deadline)) {
        kept.native = std::move(client);
        return snap;
      }
    }
  }
  return query_libpulse(kept.lib, deadline);
}

std::optional<PulseSnapshot> query_pulse(std::chrono::milliseconds timeout) {
  PulseLink unused;
  return query_pulse(unused, timeout);
}

}  // namespace sc::audio
