#include "core/audio/pulse_loop.h"

namespace sc::audio::pulse {

Connection connect() {
  Connection c;
  auto got = lib();
  if (!got) return c;
  const Lib& pa = **got;
  c.loop.reset(pa.mainloop_new());
  if (!c.loop) return c;
  c.context.reset(pa.context_new(pa.mainloop_get_api(c.loop.get()), kClientName));
  if (c.context &&
      pa.context_connect(c.context.get(), nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
    c.context.reset();
  return c;
}

bool wait_ready(const Connection& c, std::chrono::steady_clock::time_point deadline) {
  if (!c.loop || !c.context) return false;
  const Lib& pa = loaded();
  pa_context_state_t state = PA_CONTEXT_UNCONNECTED;
  const bool settled = run_until(c.loop.get(), deadline, [&] {
    state = pa.context_get_state(c.context.get());
    return state == PA_CONTEXT_READY || !PA_CONTEXT_IS_GOOD(state);
  });
  return settled && state == PA_CONTEXT_READY;
}

}  // namespace sc::audio::pulse
