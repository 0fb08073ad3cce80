// The files of one recording: the first keeps the name given, the next are NAME-002.EXT,
// NAME-003.EXT, ... (CLI.md "Numbered files"). Splits happen at exact frame counts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "formats/writer.h"

namespace sc::record {

struct FileReport {
  std::string path;
  uint64_t frames = 0;
  bool finalized = false;
};

// "take.wav", 2 -> "take-002.wav"; "dir/take", 3 -> "dir/take-003".
std::string numbered_path(const std::string& first, unsigned number);

class FileSequence {
 public:
  // `split_frames` 0: one file. `path` "-" writes to stdout (no splits).
  FileSequence(std::string path, formats::WriterSpec spec, bool overwrite, uint64_t split_frames);
  ~FileSequence();

  // Creates the first file. Errors as create_file_writer (73) or create_stream_writer.
  Status open();
  // Writes interleaved frames, starting the next file whenever split_frames is reached.
  Status write(const float* frames, size_t count);
  // Closes the current file and starts the next (SIGUSR1). No-op for stdout.
  Status next();
  Status checkpoint();
  // Finalizes the current file. Idempotent.
  Status close();

  const std::vector<FileReport>& files() const { return files_; }
  uint64_t total_frames() const;
  const formats::WriterSpec& spec() const { return spec_; }

 private:
  Status start_file();

  std::string first_path_;
  formats::WriterSpec spec_;
  bool overwrite_;
  uint64_t split_frames_;
  std::unique_ptr<formats::Writer> writer_;
  std::vector<FileReport> files_;
};

}  // namespace sc::record
