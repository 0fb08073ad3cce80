// What `soundcheck info` reports and what `soundcheck repair` does, for any file FFmpeg or
// libsndfile reads and for the leftovers of a recorder that died (DESIGN.md "Files must never
// be lost"). The entry points are inspect_file and repair_file (inspect.cpp, repair.cpp);
// each container family has its own module behind them (wav_repair, caf/caf_repair,
// ffmpeg/mp4_repair), picked by the file's first bytes. Any thread; no state.
//
// Bad input never crashes them: every size read from a file is checked against the file's
// own length before it is used, and a file they cannot understand is Exit::data (65),
// left untouched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/error.h"

namespace sc::formats {

struct FileInfo {
  std::string path;
  std::string format;  // "wav", "rf64", "caf", "m4a"; else the demuxer's or libsndfile's name
  std::string codec;   // "pcm16", "float32", "aac", "alac", "alac24"; else FFmpeg's codec name
  unsigned rate = 0;
  unsigned channels = 0;
  uint64_t frames = 0;  // audio frames a reader gets (after priming is trimmed, where signalled)
  double duration_s = 0;
  int64_t bitrate = 0;    // audio bits per second (average over the file); 0 unknown
  bool finalized = true;  // as a clean stop leaves it (plain M4A, CAF with pakt, sizes right)
  bool writing = false;   // a recorder still has it open (new_file.h being_written)
  // What repair would do, in one line ("rebuild the packet table from take.caf.journal"); none
  // when the file needs nothing.
  std::optional<std::string> repair;
};

// Reads what `path` is without changing it. Errors: Exit::no_input (66) when it does not
// exist or cannot be read; Exit::data (65) when neither this module, FFmpeg nor
// libsndfile understands it (the message says what was wrong at which offset).
Result<FileInfo> inspect_file(const std::string& path);

struct RepairResult {
  std::string did;       // one line: "rebuilt the packet table of 1234 packets from the journal"
  bool changed = false;  // false: the file needed nothing
  std::string output;    // where the whole file is (path itself, or `out`)
  FileInfo after;        // inspect_file of the output
};

// Makes `path` whole. With `out` empty the repaired copy is written beside `path` and renamed
// over it only after it is complete and verified (inspect_file says finalized, no repair, and
// it decodes); else it goes to `out`, which must not exist (73). A file that needs nothing is
// not touched (changed false, exit 0). Errors: 66 missing; 65 not understood, or not
// repairable (a compressed CAF without its journal says which file is missing); 75 a recorder
// is still writing it; 73/74 the copy cannot be written. On any error `path` is untouched and
// no partial output is left.
Result<RepairResult> repair_file(const std::string& path, const std::string& out);

}  // namespace sc::formats
