// An AVIOContext over a descriptor we own elsewhere (internal to formats/): what the M4A
// writer and the MP4 remux give FFmpeg's muxer instead of letting it open the path itself.
// Why not avio_open: the writer's file must be NewFile's (O_EXCL, or beside and renamed for
// overwrite; flock held for being_written), and a failed write must keep its errno (ENOSPC,
// EFBIG, EPIPE) for the message and the hint, which AVIO's file protocol turns into a bare
// AVERROR that loses the pipe case's SIGPIPE handling (sys_error.h write_all does it).
#pragma once

#include <cstdint>
#include <memory>

#include "core/common/error.h"
#include "formats/ffmpeg/av_handles.h"

namespace sc::formats {

class FdIo {
 public:
  // `fd` stays the caller's and must outlive this. `seekable`: a regular file the muxer may
  // seek in (a plain MP4's trailer does); else a stream (pipe, stdout). Writes reach the
  // descriptor when AVIO's buffer of `buffer_size` bytes is full or flushed: the M4A writer
  // makes it larger than a fragment, so a fragment goes out in one write(2).
  static Result<std::unique_ptr<FdIo>> open(int fd, bool seekable, int buffer_size);
  ~FdIo();
  FdIo(const FdIo&) = delete;
  FdIo& operator=(const FdIo&) = delete;

  AVIOContext* avio() const { return avio_; }
  // The errno of the first failed write or seek, 0 while none failed. Later writes fail too.
  int error() const { return error_; }
  // The end of the last write(2) that succeeded as a whole (a fragment boundary for the
  // writer, where a failed write's partial fragment is cut off).
  int64_t good_end() const { return good_end_; }

  // Tests only: writes past `bytes` in all fail with ENOSPC (a full disk, on demand).
  void fail_after(int64_t bytes) { fail_after_ = bytes; }

 private:
  FdIo() = default;
  static int write_cb(void* opaque, uint8_t* buf, int size);
  static int64_t seek_cb(void* opaque, int64_t offset, int whence);

  int fd_ = -1;
  AVIOContext* avio_ = nullptr;
  int error_ = 0;
  int64_t good_end_ = 0;
  int64_t written_ = 0;  // bytes written in all (for fail_after)
  int64_t fail_after_ = -1;
};

}  // namespace sc::formats
