// create_file_writer and create_stream_writer (writer.h): the format is checked, then the
// writer for the container and codec is made (writers.h).
#include <fmt/format.h>

#include "formats/writers.h"

namespace sc::formats {

Result<std::unique_ptr<Writer>> create_file_writer(const std::string& path, const WriterSpec& spec,
                                                   bool overwrite) {
  if (Status s = check_format(spec.format, spec.rate, spec.channels, fmt::format("'{}'", path)); !s)
    return s.error();
  if (is_pcm(spec.format.codec)) return create_sndfile_writer(path, spec, overwrite);
  if (spec.format.container == Container::m4a) return create_m4a_writer(path, spec, overwrite);
  return create_caf_packet_writer(path, spec, overwrite);
}

Result<std::unique_ptr<Writer>> create_stream_writer(int fd, const std::string& label,
                                                     const WriterSpec& spec) {
  if (Status s = check_format(spec.format, spec.rate, spec.channels, label); !s) return s.error();
  if (is_pcm(spec.format.codec)) return create_pcm_stream_writer(fd, label, spec);
  if (spec.format.container == Container::m4a) return create_m4a_stream_writer(fd, label, spec);
  return make_error(Exit::usage,
                    fmt::format("an {} CAF cannot go to {}: no reader plays it without the packet "
                                "table written at its end",
                                name(spec.format.codec), label),
                    "use -f m4a (fragmented MP4 plays from a pipe), a PCM codec, or a file");
}

}  // namespace sc::formats
