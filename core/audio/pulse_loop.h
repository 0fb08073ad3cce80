// libpulse handles as RAII types and a way to run a main loop until something happened, for
// the PulseAudio code that drives its own loop on the caller's thread (pulse_introspect.cpp,
// pulse_device.cpp). Every call goes through the library loaded when first needed
// (pulse_lib.h). Internal to core/audio.
#pragma once

#include <chrono>
#include <memory>

#include "core/audio/pulse_lib.h"

namespace sc::audio::pulse {

struct MainloopFree {
  void operator()(pa_mainloop* m) const { loaded().mainloop_free(m); }
};
struct ContextFree {
  void operator()(pa_context* c) const {
    const Lib& pa = loaded();
    pa.context_set_state_callback(c, nullptr, nullptr);
    pa.context_disconnect(c);
    pa.context_unref(c);
  }
};
using Mainloop = std::unique_ptr<pa_mainloop, MainloopFree>;
using Context = std::unique_ptr<pa_context, ContextFree>;

// The name soundcheck's connections and streams have in the server ("pactl list clients").
constexpr const char* kClientName = "soundcheck";

// A main loop and a context on it connecting to the server the environment names
// (PULSE_SERVER, or the user's runtime socket), never autospawned. Null members when libpulse
// cannot be loaded (lib() says why), could not make them or refused to connect at once.
struct Connection {
  Mainloop loop;
  Context context;
};
Connection connect();

// Runs `loop` until `done()` is true or `deadline` passes. False on the deadline or when the
// loop fails. The callbacks the loop dispatches run inside, on this thread.
template <typename Done>
bool run_until(pa_mainloop* loop, std::chrono::steady_clock::time_point deadline, Done done) {
  const Lib& pa = loaded();
  while (!done()) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (pa.mainloop_prepare(loop, static_cast<int>(left.count())) < 0) return false;
    if (pa.mainloop_poll(loop) < 0) return false;
    if (pa.mainloop_dispatch(loop) < 0) return false;
  }
  return true;
}

// Runs the loop until the context is ready or failed, or `deadline`; true when ready.
bool wait_ready(const Connection& c, std::chrono::steady_clock::time_point deadline);

}  // namespace sc::audio::pulse
