// A call soundcheck plays itself (`session interrupt --reason call`): a playback stream of
// silence into the default sink with media.role=phone, for as long as the object lives. On a
// server with module-role-cork (Debian's default.pa loads it) other applications' playback is
// corked (muted, and asked to pause) while it lasts, as for any phone stream. It carries
// soundcheck.session=<id>, so CallWatcher (calls.h) does not count it as someone else's call.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/audio/pulse/context.h"
#include "core/common/error.h"

namespace sc::audio::pulse {

// The media.name the stream has ("pactl list sink-inputs").
constexpr const char* kPhoneStreamName = "soundcheck call";

// Threads: start() and the destructor from any thread but libpulse's loop thread; playing()
// from any thread. The silence is written on the loop's thread.
class PhoneStream {
 public:
  // Connects to the server the environment names (never autospawning one; 2 s at most) and
  // plays silence into the default sink until destroyed; returns once the stream plays.
  // Errors: Exit::unavailable when no server answers or the server refuses the stream.
  static Result<std::unique_ptr<PhoneStream>> start(uint64_t session_id);

  ~PhoneStream();  // disconnects the stream, then the server
  PhoneStream(const PhoneStream&) = delete;
  PhoneStream& operator=(const PhoneStream&) = delete;

  // False once the stream or the server failed (the call no longer holds others off).
  bool playing() const;

 private:
  PhoneStream() = default;
  // The loop's thread, lock held.
  static void on_state(pa_stream* s, void* self);
  static void on_write(pa_stream* s, size_t bytes, void* self);

  struct StreamUnref {
    void operator()(pa_stream* s) const { pa_stream_unref(s); }
  };

  std::unique_ptr<Context> context_;
  std::unique_ptr<pa_stream, StreamUnref> stream_;  // lock held
  std::atomic<bool> playing_{false};
};

}  // namespace sc::audio::pulse
