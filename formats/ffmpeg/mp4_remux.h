// Fragmented MP4 to plain MP4 by FFmpeg's own remux (stream copy into the "ipod" muxer with
// movflags=+faststart: moov before mdat, no moof), for the M4A writer's close() and for
// `soundcheck repair` (internal to formats/).
//
// Priming: the M4A writer's fragmented file carries the AAC encoder delay as an edit list in
// its moov (the muxer's delay_moov: the moov goes out with the first fragment, when the first
// packet's pts -1024 is known), so FFmpeg's demuxer gives the first packet pts -1024. The remux
// keeps the timestamps as they are (no shift to zero, unlike `ffmpeg -c copy` without
// -copyts), so the plain file gets the edit list again and readers trim the priming. A file
// whose timestamps start at 0 (ffmpeg's own fragmented output) has no priming signalled and
// none is invented.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/common/error.h"
#include "formats/ffmpeg/av_handles.h"

namespace sc::formats {

struct RemuxStats {
  unsigned rate = 0;       // the track's sample rate
  uint64_t packets = 0;    // packets copied
  uint64_t frames = 0;     // audio frames a reader gets (priming trimmed)
  int64_t priming = 0;     // frames the edit list skips at the start
  int64_t bytes = 0;       // audio bytes copied
  bool truncated = false;  // reading stopped at an error (a cut last fragment): the rest dropped
};

struct RemuxOptions {
  int64_t fail_after_bytes = -1;  // tests only: the output's writes fail (ENOSPC) past this
};

// Copies the first audio stream of `in` (an MP4 FFmpeg opens: plain, fragmented, truncated)
// into a plain MP4 at `out`, which must not exist (created with O_EXCL). Reading stops at the
// first read error; a truncated last packet is dropped. On failure `out` is removed.
// Errors: 65 `in` cannot be read as MP4 or has no audio; 73 `out` cannot be created; 74 a
// write to `out` failed (the errno's words and write_hint).
Result<RemuxStats> remux_to_plain(const std::string& in, const std::string& out,
                                  const RemuxOptions& options = {});

// Reads the packets of audio stream `index` of `input` (opened, stream info found) to the end
// or to the first read error or packet cut short (truncated), at most one per byte of
// `file_size`, and gives each to `each` with its duration made exact: FFmpeg 5.1's MP4
// demuxer leaves a fragment's last packet without one and the generic layer then guesses a
// whole codec frame, so a packet lasts until the next one's pts, and the last one until the
// track's end (start_time + duration, which the demuxer knows from the fragments' headers)
// when that is plausible, else as long as the one before. Stops at the first error of `each`.
Result<RemuxStats> walk_packets(AVFormatContext& input, int index, int64_t file_size,
                                const std::function<Status(AVPacket&)>& each);

// The M4A writer's last step: remuxes the fragmented `path` into a file beside it
// (temp_path_for), checks that the copy opens and has `expected_packets` packets, and renames
// it over `path`. On failure the temporary file is removed and `path` is left as it was; a
// failed write's message is its cause alone ("No space left on device"), for the caller to
// say what it was doing.
Result<RemuxStats> make_plain(const std::string& path, uint64_t expected_packets,
                              const RemuxOptions& options = {});

}  // namespace sc::formats
