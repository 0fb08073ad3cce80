// FdIo (fd_io.h).
#include "formats/ffmpeg/fd_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "formats/sys_error.h"

namespace sc::formats {

Result<std::unique_ptr<FdIo>> FdIo::open(int fd, bool seekable, int buffer_size) {
  std::unique_ptr<FdIo> io(new FdIo());
  io->fd_ = fd;
  if (seekable) io->good_end_ = ::lseek(fd, 0, SEEK_CUR);
  auto* buffer = static_cast<unsigned char*>(av_malloc(static_cast<size_t>(buffer_size)));
  if (buffer == nullptr) return make_error(Exit::internal, "out of memory for the file buffer");
  io->avio_ = avio_alloc_context(buffer, buffer_size, 1, io.get(), nullptr, &FdIo::write_cb,
                                 seekable ? &FdIo::seek_cb : nullptr);
  if (io->avio_ == nullptr) {
    av_free(buffer);
    return make_error(Exit::internal, "out of memory for the file buffer");
  }
  io->avio_->seekable = seekable ? AVIO_SEEKABLE_NORMAL : 0;
  return io;
}

FdIo::~FdIo() {
  if (avio_ != nullptr) {
    av_freep(&avio_->buffer);  // AVIO may have replaced the buffer it was given
    avio_context_free(&avio_);
  }
}

int FdIo::write_cb(void* opaque, uint8_t* buf, int size) {
  auto* io = static_cast<FdIo*>(opaque);
  if (io->error_ != 0) return AVERROR(io->error_);
  int e = 0;
  if (io->fail_after_ >= 0 && io->written_ + size > io->fail_after_) {
    e = ENOSPC;
  } else {
    e = write_all(io->fd_, buf, static_cast<size_t>(size));
  }
  if (e != 0) {
    io->error_ = e;
    return AVERROR(e);
  }
  io->written_ += size;
  const off_t at = ::lseek(io->fd_, 0, SEEK_CUR);
  io->good_end_ = at >= 0 ? at : io->written_;
  return size;
}

int64_t FdIo::seek_cb(void* opaque, int64_t offset, int whence) {
  auto* io = static_cast<FdIo*>(opaque);
  if (whence & AVSEEK_SIZE) {
    struct stat st {};
    if (::fstat(io->fd_, &st) != 0) return AVERROR(errno);
    return st.st_size;
  }
  const off_t at = ::lseek(io->fd_, static_cast<off_t>(offset), whence & ~AVSEEK_FORCE);
  if (at < 0) {
    const int e = errno;
    if (io->error_ == 0) io->error_ = e;
    return AVERROR(e);
  }
  return at;
}

}  // namespace sc::formats
