#include "core/record/file_sequence.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace sc::record {

std::string numbered_path(const std::string& first, unsigned number) {
  const std::filesystem::path p(first);
  const std::string ext = p.extension().string();
  const std::string stem = first.substr(0, first.size() - ext.size());
  return fmt::format("{}-{:03}{}", stem, number, ext);
}

FileSequence::FileSequence(std::string path, formats::WriterSpec spec, bool overwrite,
                           uint64_t split_frames)
    : first_path_(std::move(path)),
      spec_(spec),
      overwrite_(overwrite),
      split_frames_(first_path_ == "-" ? 0 : split_frames) {}

FileSequence::~FileSequence() { (void)close(); }

Status FileSequence::start_file() {
  const std::string path =
      files_.empty() ? first_path_
                     : numbered_path(first_path_, static_cast<unsigned>(files_.size() + 1));
  auto w = path == "-" ? formats::create_stream_writer(STDOUT_FILENO, "stdout", spec_)
                       : formats::create_file_writer(path, spec_, overwrite_);
  if (!w) return w.error();
  writer_ = std::move(*w);
  files_.push_back(FileReport{path, 0, false});
  return ok_status();
}

Status FileSequence::open() { return start_file(); }

Status FileSequence::write(const float* frames, size_t count) {
  while (count > 0) {
    if (!writer_) return make_error(Exit::internal, "write after the recording was closed");
    // A full file is rotated only when more frames come, so a recording that ends on a split
    // boundary leaves no empty last file.
    if (split_frames_ > 0 && files_.back().frames >= split_frames_) {
      if (auto s = next(); !s) return s;
    }
    size_t n = count;
    if (split_frames_ > 0) n = std::min<uint64_t>(n, split_frames_ - files_.back().frames);
    if (Status s = writer_->write(frames, n); !s) {
      files_.back().frames = writer_->frames_written();
      return s;
    }
    files_.back().frames += n;
    frames += n * spec_.channels;
    count -= n;
  }
  return ok_status();
}

Status FileSequence::next() {
  if (first_path_ == "-" || !writer_) return ok_status();
  if (auto s = close(); !s) return s;
  return start_file();
}

Status FileSequence::checkpoint() { return writer_ ? writer_->checkpoint() : ok_status(); }

Status FileSequence::close() {
  if (!writer_) return ok_status();
  Status s = writer_->close();
  files_.back().frames = writer_->frames_written();
  files_.back().finalized = s.ok();
  writer_.reset();
  return s;
}

uint64_t FileSequence::total_frames() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += f.frames;
  return n;
}

}  // namespace sc::record
