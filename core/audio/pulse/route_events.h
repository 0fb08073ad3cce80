// Route changes on a PulseAudio server (or pipewire-pulse) as AVAudioSession names them, seen
// through libpulse's event subscription (sinks, sources, server); nothing polls. The mapping
// (SESSION-MODEL.md, AVAudioSessionRouteChangeReason):
//   a sink or source appears              newDeviceAvailable (1)   the device that appeared
//   a sink or source goes away            oldDeviceUnavailable (2) the device that went
//   the default sink or source changes    override (4)             the new default
//     (pactl set-default-sink, a desktop's sound settings, or the server choosing a new default
//     because the old one went away: on iOS the user or the app overrode the route)
//   a sink's or source's active port changes   routeConfigurationChange (8)   that device
//     (headphones plugged into the same card: the device stays, its route changes)
// A null sink brings two devices: the sink (output) and its monitor source (input); both are
// reported. categoryChange, wakeFromSleep and noSuitableRouteForCategory have no server event
// and never come. A device that appears and goes away before the server answered for it is
// not reported at all (its name is never known).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/audio/pulse/admin.h"
#include "core/audio/pulse/context.h"
#include "core/common/error.h"
#include "core/session/notification.h"

namespace sc::audio::pulse {

struct RouteEvent {
  session::RouteChangeReason reason = session::RouteChangeReason::unknown;
  std::string name;    // what people see: the description ("soundcheck loopback")
  std::string id;      // the server's own name ("soundcheck_loop", "soundcheck_loop.monitor")
  bool input = false;  // a source (input) or a sink (output)
  std::chrono::system_clock::time_point at;  // when the event came
};

// Threads: start() and the destructor from any thread but libpulse's loop thread. on_event
// and on_lost run on the loop's thread with its lock held, one at a time: they must be quick,
// must not take Context::Lock and must not destroy the watcher. After the destructor returns
// neither is called again.
class RouteWatcher {
 public:
  using OnEvent = std::function<void(const RouteEvent&)>;
  // The server died or dropped the connection (its reason in words). Called once; no event
  // comes after it: make a new watcher when the server is back.
  using OnLost = std::function<void(const std::string& reason)>;

  // Connects to the server the environment names (never starting one; 2 s at most),
  // subscribes, and learns the existing sinks, sources and defaults before it returns, so
  // that every change after start() returns is reported and nothing before it is.
  // Errors: Exit::unavailable (69) when no server answers or it does not answer the listing.
  static Result<std::unique_ptr<RouteWatcher>> start(OnEvent on_event, OnLost on_lost);

  ~RouteWatcher();
  RouteWatcher(const RouteWatcher&) = delete;
  RouteWatcher& operator=(const RouteWatcher&) = delete;

  // The server as start() found it (name, version, address, defaults then).
  const ServerInfo& server() const { return server_; }

 private:
  struct Known {
    std::string name, description, port;
  };

  RouteWatcher(OnEvent on_event, OnLost on_lost)
      : on_event_(std::move(on_event)), on_lost_(std::move(on_lost)) {}

  // The loop's thread, lock held.
  static void on_subscription(pa_context* c, pa_subscription_event_type_t t, uint32_t index,
                              void* self);
  static void on_sink(pa_context* c, const pa_sink_info* i, int eol, void* self);
  static void on_source(pa_context* c, const pa_source_info* i, int eol, void* self);
  static void on_server(pa_context* c, const pa_server_info* i, void* self);
  // The same for start()'s listing, which counts off its replies.
  static void on_sink_listed(pa_context* c, const pa_sink_info* i, int eol, void* self);
  static void on_source_listed(pa_context* c, const pa_source_info* i, int eol, void* self);
  static void on_server_listed(pa_context* c, const pa_server_info* i, void* self);
  static void on_context_failed(void* self);
  // A device as it is now: new, or changed (its port).
  void seen(bool input, uint32_t index, Known now);
  void gone(bool input, uint32_t index);
  void defaults(const std::string& sink, const std::string& source);
  void emit(session::RouteChangeReason reason, bool input, const Known& k);
  void reply_came();

  OnEvent on_event_;
  OnLost on_lost_;
  std::unique_ptr<Context> context_;
  ServerInfo server_;
  // Lock held: what the server has, by index.
  std::map<uint32_t, Known> sinks_, sources_;
  std::string default_sink_, default_source_;
  // A new default named before its device was seen (pipewire-pulse sends the server's change
  // before the sink's new event at times): its override waits for the device's
  // newDeviceAvailable, and is dropped if another default comes first or the device never does
  // (pipewire-pulse names "@DEFAULT_SINK@" for a moment when the default sink goes).
  std::string override_sink_, override_source_;
  int pending_ = 0;       // start()'s replies still to come
  bool started_ = false;  // start() returned: events are reported
  bool dead_ = false;
};

}  // namespace sc::audio::pulse
