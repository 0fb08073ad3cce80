// libFuzzer target: inspect_file and repair_file on any bytes (tests/fuzz/CMakeLists.txt).
// The input is a memfd named by /proc/self/fd, so nothing touches the disk but a repaired
// copy, which is removed. Neither may crash, hang, or return other than ok or Exit::data.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "formats/inspect/file_info.h"
#include "formats/library_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (sc::formats::set_library_logging(false), true);
  (void)quiet;
  const int fd = memfd_create("soundcheck-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  static const std::string out = "/tmp/soundcheck-fuzz-" + std::to_string(getpid()) + ".out";
  auto info = sc::formats::inspect_file(path);
  if (!info && info.error().exit != sc::Exit::data) {
    std::fprintf(stderr, "inspect_file: exit %d: %s\n", static_cast<int>(info.error().exit),
                 info.error().message.c_str());
    std::abort();
  }
  auto r = sc::formats::repair_file(path, out);
  if (!r && r.error().exit != sc::Exit::data) {
    std::fprintf(stderr, "repair_file: exit %d: %s\n", static_cast<int>(r.error().exit),
                 r.error().message.c_str());
    std::abort();
  }
  if (r && r->changed) {
    auto after = sc::formats::inspect_file(out);
    if (!after || !after->finalized) {
      std::fprintf(stderr, "the repaired copy is not finalized\n");
      std::abort();
    }
  }
  unlink(out.c_str());
  close(fd);
  return 0;
}
