// AAC and ALAC in M4A (writers.h). Not written yet.
#include "formats/writers.h"

namespace sc::formats {

Result<std::unique_ptr<Writer>> create_m4a_writer(const std::string& path, const WriterSpec&,
                                                  bool) {
  return make_error(Exit::unavailable, "cannot write '" + path + "': m4a is not written yet");
}

Result<std::unique_ptr<Writer>> create_m4a_stream_writer(int, const std::string& label,
                                                         const WriterSpec&) {
  return make_error(Exit::unavailable, "cannot write " + label + ": m4a is not written yet");
}

}  // namespace sc::formats
