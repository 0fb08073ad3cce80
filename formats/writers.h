// The writers behind create_file_writer and create_stream_writer (internal to formats/; the
// contracts are writer.h's). Each takes a spec that check_format accepted.
#pragma once

#include <memory>
#include <string>

#include "formats/writer.h"

namespace sc::formats {

// PCM in WAV, RF64 and CAF through libsndfile (sndfile_writer.cpp).
Result<std::unique_ptr<Writer>> create_sndfile_writer(const std::string& path,
                                                      const WriterSpec& spec, bool overwrite);
// PCM as streaming WAV or CAF with data size -1 (stream_writer.cpp).
Result<std::unique_ptr<Writer>> create_pcm_stream_writer(int fd, const std::string& label,
                                                         const WriterSpec& spec);
// AAC or ALAC in M4A through FFmpeg's mov muxer (m4a_writer.cpp).
Result<std::unique_ptr<Writer>> create_m4a_writer(const std::string& path, const WriterSpec& spec,
                                                  bool overwrite);
// Fragmented M4A to a descriptor that cannot seek (m4a_writer.cpp).
Result<std::unique_ptr<Writer>> create_m4a_stream_writer(int fd, const std::string& label,
                                                         const WriterSpec& spec);
// AAC or ALAC packets in CAF, with the journal (caf_packet_writer.cpp).
Result<std::unique_ptr<Writer>> create_caf_packet_writer(const std::string& path,
                                                         const WriterSpec& spec, bool overwrite);

}  // namespace sc::formats
