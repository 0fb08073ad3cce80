// A connection to a PulseAudio server (or PipeWire's pipewire-pulse) through libpulse's
// asynchronous API: a pa_threaded_mainloop, whose thread runs every libpulse callback, and a
// pa_context on it. Internal to core/audio/pulse/.
//
// Threads: libpulse objects made on this connection may only be touched with the loop's lock
// held (Context::Lock), from any thread other than the loop's own, or from inside a callback,
// which runs on the loop's thread with the lock already held. Callbacks must call signal()
// when they change something a waiter looks at.
//
// Ownership: a Context owns its loop and its context. Objects made on it (streams) must be
// freed before it; its destructor stops the loop's thread first, so no callback runs while
// they are freed.
#pragma once

#include <pulse/pulseaudio.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/common/error.h"

namespace sc::audio::pulse {

// The name soundcheck's connections and streams have in the server ("pactl list clients").
constexpr const char* kClientName = "soundcheck";

// The hint of an error that is the server's absence or silence: how to start one.
const char* server_hint();

class Context {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Connects to the server the environment names (PULSE_SERVER, client.conf, or the user's
  // runtime socket), never autospawning one, and waits until the context is ready or
  // `deadline`. Exit::unavailable (69) when no server answers, with the server's reason
  // and server_hint().
  static Result<std::unique_ptr<Context>> connect(Deadline deadline);

  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // The loop's lock, held while the object lives (std::unique_lock-like; recursive in
  // libpulse's sense: not to be taken on the loop's own thread).
  class Lock {
   public:
    explicit Lock(const Context& c) : loop_(c.loop_) { pa_threaded_mainloop_lock(loop_); }
    ~Lock() { pa_threaded_mainloop_unlock(loop_); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    pa_threaded_mainloop* loop_;
  };

  // With the lock held (Lock), outside the loop's thread: waits until `done()` is true, the
  // context fails, or `deadline` passes. True when done() is. Callbacks that change what
  // done() reads must call signal().
  template <typename Done>
  bool wait_until(Deadline deadline, Done done) {
    TimeEvent timer(*this, deadline);
    while (!done()) {
      if (timer.expired() || !good()) return false;
      pa_threaded_mainloop_wait(loop_);
    }
    return true;
  }

  // Wakes every wait_until (and pa_threaded_mainloop_wait). From callbacks, or with the lock.
  void signal() const { pa_threaded_mainloop_signal(loop_, 0); }

  // With the lock: whether the context is still connected, its last error in words, the
  // server's name and version ("pulseaudio 16.1", "PulseAudio (on PipeWire 0.3.65) 15.0.0").
  bool good() const { return PA_CONTEXT_IS_GOOD(pa_context_get_state(context_)); }
  int error_code() const { return pa_context_errno(context_); }
  std::string error() const { return pa_strerror(pa_context_errno(context_)); }
  pa_context* get() const { return context_; }
  // The loop's API, for events that run on the loop's thread (pa_mainloop_api_once).
  pa_mainloop_api* api() const { return pa_threaded_mainloop_get_api(loop_); }

  // Called (on the loop's thread, lock held) when the context fails or is terminated: the
  // server died or dropped us. One callback at a time; nullptr removes it.
  void on_failure(void (*callback)(void* user), void* user) {
    failure_cb_ = callback;
    failure_user_ = user;
  }

 private:
  Context() = default;
  static void on_state(pa_context* c, void* self);

  // A timer on the loop that wakes waiters at `deadline` (made and freed with the lock held).
  class TimeEvent {
   public:
    TimeEvent(Context& c, Deadline deadline);
    ~TimeEvent();
    TimeEvent(const TimeEvent&) = delete;
    TimeEvent& operator=(const TimeEvent&) = delete;
    bool expired() const { return expired_; }

   private:
    static void fire(pa_mainloop_api*, pa_time_event*, const struct timeval*, void* self);
    Context& context_;
    pa_time_event* event_ = nullptr;
    bool expired_ = false;
  };

  pa_threaded_mainloop* loop_ = nullptr;
  pa_context* context_ = nullptr;
  bool running_ = false;  // the loop's thread was started
  void (*failure_cb_)(void*) = nullptr;
  void* failure_user_ = nullptr;
};

// An operation's reference, dropped on destruction (the operation itself goes on).
struct OperationUnref {
  void operator()(pa_operation* o) const { pa_operation_unref(o); }
};
using Operation = std::unique_ptr<pa_operation, OperationUnref>;

}  // namespace sc::audio::pulse
