// AAC and ALAC packets in CAF (writers.h). Not written yet.
#include "formats/writers.h"

namespace sc::formats {

Result<std::unique_ptr<Writer>> create_caf_packet_writer(const std::string& path, const WriterSpec&,
                                                         bool) {
  return make_error(Exit::unavailable,
                    "cannot write '" + path + "': compressed CAF is not written yet");
}

}  // namespace sc::formats
