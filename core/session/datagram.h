// The registry's files and sockets in the runtime directory, by participant id, and the
// unix datagram transport of notifications (one JSON object per datagram).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/error.h"
#include "core/session/fd.h"
#include "core/session/runtime_dir.h"

namespace sc::session {

// `DIR/lease-ID` and `DIR/sock-ID`, ID in hex.
std::string lease_path(const RuntimeDir& dir, uint64_t id);
std::string socket_path(const RuntimeDir& dir, uint64_t id);
// The id in a `lease-ID` or `sock-ID` file name with that prefix, else nullopt.
std::optional<uint64_t> id_in_name(std::string_view file_name, std::string_view prefix);

// A non-blocking AF_UNIX SOCK_DGRAM socket (close-on-exec) bound to `path`, which must not
// exist. Exit::unavailable naming the path on failure (including a path longer than a unix
// socket address allows).
Result<Fd> bind_socket(const std::string& path);
// An unbound one, for sending only.
Result<Fd> send_socket();

// Sends one datagram to the socket at `path` without blocking and without SIGPIPE. A
// receiver that is gone (ENOENT, ECONNREFUSED) is ignored: its entry is reaped by whoever
// meets it next. A full receive queue is retried for at most 100 ms, then the datagram is
// dropped. Returns whether it was sent.
bool send_datagram(int fd, const std::string& path, const std::string& text);

// One datagram from a non-blocking socket, or nullopt when none is queued (or on error).
std::optional<std::string> receive_datagram(int fd);

}  // namespace sc::session
