#include "formats/sys_error.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

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

int write_all(int fd, const unsigned char* data, size_t size) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);

  int error = 0;
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
        error = errno;
        break;
      }
      continue;
    }
    error = n < 0 ? errno : EIO;
    break;
  }

  if (error == EPIPE && !was_pending) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return error;
}

}  // namespace sc::formats
