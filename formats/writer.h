// Writers of audio files (DESIGN.md "Files must never be lost"). A file on disk is playable at
// every moment, and its header agrees with the audio on disk: each block of audio written out
// is followed at once by a rewrite of the header's sizes (only a SIGKILL between those two
// system calls leaves more audio on disk than the header declares). A writer holds at most a
// quarter of a second of audio before it goes out (a file; a stream: a tenth of a second or 64
// KiB), so that callers can hand over audio in pieces of any size without a system call for
// each; checkpoint() writes out what is held. So a process killed at any point (SIGKILL
// included) loses at most what the writer held, 0.25 s, and what its caller had not handed
// over (the recorder checkpoints every 250 ms): every reader opens the file with the rest.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/error.h"
#include "formats/format_table.h"

namespace sc::formats {

struct WriterSpec {
  FormatChoice format;  // with the aac bitrate (0: aac_bitrate's default)
  unsigned rate = 48000;
  unsigned channels = 2;
  bool fragmented = false;  // m4a: keep the fragmented MP4 written while recording
};

// Appends interleaved float frames to a file. One thread at a time (the writer thread).
class Writer {
 public:
  // Closes (finalizes) if close() was not called; an error then is lost, so call close().
  virtual ~Writer() = default;

  // Appends `frames` frames of `channels` interleaved floats (nominal range -1..1; values
  // beyond it are clipped, never wrapped): to what is held, written out when the writer holds
  // as much as it may. A failure (disk full, file size limit) is
  // Exit::io naming the file and the cause; what was written before stays a valid file
  // (a half-written frame is cut off). The error sticks: later writes return it, and
  // close() after it returns ok, since it was reported already.
  virtual Status write(const float* interleaved, size_t frames) = 0;

  // Writes out what is held and makes the file on disk reflect every frame written so far
  // (header sizes current). Cheap enough to call a few times a second. A failure to write out
  // is reported as by write().
  virtual Status checkpoint() = 0;

  // Writes out what is held and finalizes: final header (a WAV-family file under 4 GiB ends
  // as plain WAV), closes the descriptor. Idempotent; after it, write() fails.
  virtual Status close() = 0;

  // Frames taken by write(): held or in the file (after a failed write: those in the file).
  virtual uint64_t frames_written() const = 0;
  virtual const std::string& path() const = 0;  // "-" for stdout
  virtual const WriterSpec& spec() const = 0;
};

// Creates `path` and a writer for it. An existing file is never overwritten unless
// `overwrite` (exists: Exit::cannot_create, 73, the old file untouched; a missing directory
// or no permission: 73 too, naming the path and the cause). The file is created with
// O_EXCL so two recorders cannot both take the same name. With `overwrite`, a new file is
// written beside the old one and renamed over it once its header is on disk, so the old
// file stays whole if anything fails first. Nothing is left behind on failure.
// A "wav" recording that passes 4 GiB continues as RF64 instead of breaking.
// The format is checked first (check_format: 64, no file). While the writer lives, the file
// is locked (new_file.h being_written). PCM goes to libsndfile; AAC and ALAC to FFmpeg's
// encoders, in M4A through FFmpeg's muxer (fragmented while recording, made plain by close()
// unless spec.fragmented; if that fails the fragmented file stays and close() returns 74), in
// CAF through our packet writer (data size -1 and a journal of packet sizes beside the file
// while recording, packet table and real size at close()).
Result<std::unique_ptr<Writer>> create_file_writer(const std::string& path, const WriterSpec& spec,
                                                   bool overwrite);

// A writer to a descriptor that cannot seek (stdout, a pipe): WAV with the streaming
// convention (RIFF and data sizes 0xFFFFFFFF), CAF with the data chunk size -1. RF64 is
// written as streaming WAV. M4A is fragmented MP4 (it plays from a pipe); a compressed CAF is
// refused (64): no reader plays it without the packet table. `label` names it in messages
// ("stdout"). The descriptor is not closed. A reader that goes away is Exit::io (74), not a
// SIGPIPE death.
Result<std::unique_ptr<Writer>> create_stream_writer(int fd, const std::string& label,
                                                     const WriterSpec& spec);

}  // namespace sc::formats
