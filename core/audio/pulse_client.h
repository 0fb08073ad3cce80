// A client of a PulseAudio server over its native protocol (pulse_wire.h says why not
// libpulse), on the server's unix socket: connecting and authenticating, commands and their
// replies, and the packets the server sends by itself (a record stream's audio, a stream
// killed). Internal to core/audio: pulse_native_query.cpp lists devices with it and
// pulse_native_stream.cpp records with it.
//
// What it speaks: the unix sockets libpulse finds without help (PULSE_SERVER's "unix:" and
// absolute-path entries, $PULSE_RUNTIME_PATH/native, $XDG_RUNTIME_DIR/pulse/native, the
// "<machine-id>-runtime" link in the user's pulse configuration directory, and
// /var/run/pulse/native, in libpulse's order), authenticated with the user's cookie and the
// socket's credentials. Anything else is libpulse's (the callers fall back to it when connect()
// fails): PULSE_SERVER with other than unix entries, a client.conf that names a server or a
// cookie file, a server older than protocol 22 (PulseAudio 1.0).
//
// Threads: one at a time (the thread that uses the connection owns it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/audio/pulse_wire.h"

namespace sc::audio::pulse {

class Client {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Receives what the server sends that is not a reply being waited for, as it is read.
  class Listener {
   public:
    virtual ~Listener() = default;
    // Samples on `channel` (a record stream's); `offset` is the seek the server asked before
    // them, in bytes (0 in practice: a positive one is a hole). `data` is valid during the call.
    virtual void on_audio(uint32_t channel, int64_t offset, const uint8_t* data,
                          size_t n) noexcept = 0;
    // A command from the server (kRecordStreamKilled, kOverflow, ...), its values after the
    // tag in `values`.
    virtual void on_command(uint32_t command, wire::Reader& values) noexcept = 0;
  };

  // Connects to the first socket that answers, authenticates and names the client
  // ("soundcheck"), all before `deadline`. Null when there is no server at those sockets, it
  // refuses or does not answer in time, or the setup is libpulse's (above).
  static std::unique_ptr<Client> connect(Deadline deadline);

  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint32_t version() const { return version_; }  // the protocol version both sides speak
  bool alive() const { return fd_ >= 0; }
  void set_listener(Listener* l) { listener_ = l; }

  // A command's tag, for wire::Tags(command, tag).
  uint32_t next_tag() { return tag_++; }

  // Sends a command without waiting for anything. False when the connection is gone.
  bool send(const wire::Tags& command);

  struct Reply {
    uint32_t error = 0;           // 0: a reply; else the server's error code (pulse/def.h)
    std::vector<uint8_t> values;  // the reply's values after its tag
    wire::Reader reader() const { return wire::Reader(values.data(), values.size()); }
  };
  // Sends a command and waits for its reply until `deadline`, handing whatever else arrives
  // meanwhile to the listener. nullopt when the deadline passed or the connection is gone.
  std::optional<Reply> call(const wire::Tags& command, uint32_t tag, Deadline deadline);

  // Waits up to `timeout` for the server to send something and hands every whole packet
  // read to the listener. Returns when something was handed over, the time passed, a signal
  // interrupted the wait, or the connection went away (then alive() is false).
  void pump(std::chrono::milliseconds timeout);

 private:
  explicit Client(int fd) : fd_(fd) {}
  bool handshake(Deadline deadline);
  // Reads once (what the socket has, waiting at most `timeout_ms`; -1 when the wait was cut
  // short) and dispatches whole packets; the reply to `awaited`, if any, goes to `reply`.
  // False when the connection is gone.
  bool read_some(int timeout_ms, uint32_t awaited, std::optional<Reply>* reply);
  void dispatch(const uint8_t* packet, uint32_t awaited, std::optional<Reply>* reply);
  void close_fd();

  int fd_ = -1;
  uint32_t version_ = 0;
  uint32_t tag_ = 0;
  bool credentials_sent_ = false;  // with the first packet (send())
  Listener* listener_ = nullptr;
  std::vector<uint8_t> buf_;  // what was read and not dispatched yet: buf_[0, have_)
  size_t have_ = 0;
};

}  // namespace sc::audio::pulse
