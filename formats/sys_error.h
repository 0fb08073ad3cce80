// POSIX errors in the words the writers show users (internal to formats/).
#pragma once

#include <string>

namespace sc::formats {

// strerror(e), thread-safe: "No space left on device".
std::string errno_text(int e);

// A hint for a failed write with errno `e` (disk full, file size limit), or empty.
std::string write_hint(int e);

}  // namespace sc::formats
