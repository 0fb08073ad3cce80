// POSIX errors in the words the writers show users (internal to formats/).
#pragma once

#include <cstddef>
#include <string>

namespace sc::formats {

// strerror(e), thread-safe: "No space left on device".
std::string errno_text(int e);

// A hint for a failed write with errno `e` (disk full, file size limit), or empty.
std::string write_hint(int e);

// Writes all of `data` to `fd`; returns 0 or the errno that stopped it. Retries after EINTR
// and partial writes, and waits for room when the descriptor is non-blocking. SIGPIPE is
// blocked in this thread meanwhile, so a reader that went away shows up as EPIPE instead of
// killing the process; the SIGPIPE the kernel then leaves pending for this thread is taken
// back before the signal mask is restored. (The stream writers' and the M4A writer's one
// way to write.)
int write_all(int fd, const unsigned char* data, size_t size);

}  // namespace sc::formats
