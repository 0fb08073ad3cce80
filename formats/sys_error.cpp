#include "formats/sys_error.h"

#include <cerrno>
#include <cstring>

namespace sc::formats {

std::string errno_text(int e) {
  char buf[256];
  // The GNU strerror_r returns the message (possibly not in buf).
  const char* text = strerror_r(e, buf, sizeof buf);
  return text != nullptr ? std::string(text) : std::string("error ") + std::to_string(e);
}

std::string write_hint(int e) {
  switch (e) {
    case ENOSPC:
    case EDQUOT:
      return "free some space, or record to another disk";
    case EFBIG:
      return "the file reached the size limit of its file system or of 'ulimit -f'; record to "
             "another disk or raise the limit";
    case EIO:
      return "the disk may be failing or was removed; record to another disk";
    default:
      return {};
  }
}

}  // namespace sc::formats
