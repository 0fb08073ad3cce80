// What inspect.cpp offers repair.cpp beyond file_info.h (internal to formats/inspect).
#pragma once

#include <string>

#include "formats/inspect/file_info.h"

namespace sc::formats {

// The container family inspect_file picks by the first bytes (modules.h).
enum class Family { wav, caf, mp4, other };
Result<Family> family_of(const std::string& path);

// Whether a reader gets through the whole of `path`: libsndfile reads every frame of PCM in
// WAV, RF64 and CAF (and must get `info.frames`); FFmpeg demuxes every packet of anything else.
// 65 saying where it stopped.
Status reads_to_end(const std::string& path, const FileInfo& info);

}  // namespace sc::formats
