// probe_audio and open_decoder (decoder.h): the file must exist, then FFmpeg, then libsndfile
// for what FFmpeg cannot play (the order of inspect_generic).
#include "formats/decoder.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>

#include "formats/ffmpeg/decoder_base.h"
#include "formats/new_file.h"
#include "formats/sys_error.h"

namespace sc::formats {
namespace {

// 66 when `path` cannot be opened to read, or is a directory.
Status check_input(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int e = errno;
    return make_error(Exit::no_input, fmt::format("cannot open '{}': {}", path, errno_text(e)),
                      e == ENOENT || e == ENOTDIR ? "check the name and the directory"
                      : e == EACCES               ? "check its permissions"
                                                  : "");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode))
    return make_error(Exit::no_input, fmt::format("cannot open '{}': {}", path, errno_text(EISDIR)),
                      "name an audio file inside it");
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Decoder>> open_decoder(const std::string& path, const DecodeSpec& spec) {
  if (Status s = check_input(path); !s) return s.error();
  std::string ffmpeg_why;
  auto ffmpeg = open_ffmpeg_decoder(path, spec, ffmpeg_why);
  if (!ffmpeg || *ffmpeg) return ffmpeg;
  std::string sndfile_why;
  auto sndfile = open_sndfile_decoder(path, spec, sndfile_why);
  if (!sndfile || *sndfile) return sndfile;
  return make_error(Exit::data,
                    fmt::format("cannot play '{}': neither FFmpeg nor libsndfile reads it as "
                                "audio (FFmpeg: {}; libsndfile: {})",
                                path, ffmpeg_why, sndfile_why),
                    info_hint(path));
}

Result<AudioSource> probe_audio(const std::string& path) {
  auto decoder = open_decoder(path, DecodeSpec{});
  if (!decoder) return decoder.error();
  return (*decoder)->source();
}

}  // namespace sc::formats
