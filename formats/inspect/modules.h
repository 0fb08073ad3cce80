// The container families behind inspect_file and repair_file (internal to formats/; the
// contract is file_info.h's). inspect.cpp picks one by the file's first bytes:
//   "RIFF", "RF64", "BW64"  -> wav (formats/inspect/wav_repair.cpp)
//   "caff"                  -> caf (formats/caf/caf_repair.cpp), PCM and packets
//   "ftyp" at offset 4      -> mp4 (formats/ffmpeg/mp4_repair.cpp), plain and fragmented
//   anything else           -> inspect_generic: FFmpeg, then libsndfile; nothing to repair
//
// inspect_X: what the file is, with `repair` set when it is not finalized; `path`, `writing`
// are filled in by inspect_file. Exit::data (65) when the file is of the family but cannot be
// understood (say what and at which offset).
//
// repair_X: writes the whole repaired file to `out`, a name that does not exist yet (created
// with O_EXCL; removed on failure by the caller too), and returns what it did in one line.
// Called only when inspect_X said `repair`. Never changes `path`. Exit::data (65) when it
// cannot be repaired (say what is missing), 74 when `out` cannot be written.
#pragma once

#include <string>

#include "formats/inspect/file_info.h"

namespace sc::formats {

Result<FileInfo> inspect_wav(const std::string& path);
Result<std::string> repair_wav(const std::string& path, const std::string& out);

Result<FileInfo> inspect_caf(const std::string& path);
Result<std::string> repair_caf(const std::string& path, const std::string& out);

Result<FileInfo> inspect_mp4(const std::string& path);
Result<std::string> repair_mp4(const std::string& path, const std::string& out);

Result<FileInfo> inspect_generic(const std::string& path);

}  // namespace sc::formats
