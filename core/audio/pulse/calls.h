// The server's own calls: streams any application has on the PulseAudio server (or
// pipewire-pulse) with media.role=phone, seen through libpulse's event subscription
// (DESIGN.md "Sessions across processes"). A call is what PulseAudio's module-role-cork counts
// as a trigger stream (src/modules/stream-interaction.c, find_trigger_stream): a sink input or a
// source output whose media.role is "phone" and which is neither muted nor corked. A softphone's
// microphone stream counts as well as its playback (module-role-cork with global=1 does so too).
// Streams with the property soundcheck.session are soundcheck's own (PhoneStream, `session
// interrupt --reason call`): they are left out, so a call soundcheck plays is not counted twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "core/audio/pulse/context.h"
#include "core/common/error.h"

namespace sc::audio::pulse {

struct CallState {
  bool active = false;
  // While active: the call, in words, e.g. "phone stream 'Playback Stream' of paplay (pid
  // 4242)"; a recording stream says "phone recording". Empty when no call.
  std::string who;
};

// Threads: start(), state(), connected() and the destructor may be called from any thread but
// libpulse's loop thread; state() and connected() also from inside on_change. on_change runs on
// libpulse's loop thread with the loop's lock held: it must be quick, must not take
// Context::Lock, and must not destroy the watcher. After the destructor returns it is not called
// again.
class CallWatcher {
 public:
  using OnChange = std::function<void(const CallState&)>;

  // Connects to the server the environment names (never autospawning one; 1 s at most),
  // subscribes to sink inputs and source outputs, and lists the existing ones before it
  // returns: state() is the server's answer to "is there a call now" from then on. on_change
  // (may be empty) is called whenever `active` flips afterwards, with the new state (its
  // `who` names the call that began); not for the first state. When the server dies or drops
  // the connection, a call that was active ends (on_change with active=false) and the watcher
  // stays disconnected for good (connected() false): make a new one.
  // Errors: Exit::unavailable when no server answers (cheap, prints nothing: callers take it
  // as "no calls"), or the server does not answer the listing in time.
  static Result<std::unique_ptr<CallWatcher>> start(OnChange on_change);

  ~CallWatcher();  // disconnects; on_change is not called from then on
  CallWatcher(const CallWatcher&) = delete;
  CallWatcher& operator=(const CallWatcher&) = delete;

  CallState state() const;
  bool connected() const;

 private:
  // Sink inputs and source outputs are numbered apart: a stream's key is (facility, index).
  using Key = std::pair<int, uint32_t>;

  explicit CallWatcher(OnChange on_change) : on_change_(std::move(on_change)) {}

  // The loop's thread, lock held.
  static void on_event(pa_context* c, pa_subscription_event_type_t t, uint32_t index, void* self);
  static void on_sink_input(pa_context* c, const pa_sink_input_info* i, int eol, void* self);
  static void on_source_output(pa_context* c, const pa_source_output_info* i, int eol, void* self);
  // The same for start()'s listing, which counts off its end.
  static void on_sink_input_listed(pa_context* c, const pa_sink_input_info* i, int eol, void* self);
  static void on_source_output_listed(pa_context* c, const pa_source_output_info* i, int eol,
                                      void* self);
  static void on_context_failed(void* self);
  // A stream as it is now: a call (`who` not empty) or not.
  void judge(Key key, std::string who);
  void forget(Key key);
  void list_ended(int eol);
  // Publishes the state (mutex_) and calls on_change when `active` flipped.
  void publish();

  OnChange on_change_;
  std::unique_ptr<Context> context_;
  std::map<Key, std::string> calls_;  // lock held: the calls now, and their `who`
  int listing_ = 0;                   // lock held: list replies still to come in start()
  bool listing_failed_ = false;       // lock held
  bool started_ = false;              // lock held: start() has returned; on_change may run
  bool dead_ = false;                 // lock held: the context failed

  mutable std::mutex mutex_;  // guards the two below; never held while on_change runs
  CallState state_;
  bool connected_ = false;
};

}  // namespace sc::audio::pulse
