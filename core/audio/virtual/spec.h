// The options of the virtual device (`virtual[:key=value,...]`, CLI.md "Virtual device keys")
// parsed into a plain struct. Parsing only: the device and its stream are in
// virtual_device.cpp and virtual_stream.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/duration.h"
#include "core/common/error.h"

namespace sc::audio {

enum class VirtualSignal { sine, chirp, noise, silence, loop };
enum class VirtualSpeed { realtime, max };

// One scheduled fault. Times are on the device clock, from stream start.
struct VirtualFault {
  enum class Kind { drop, xrun, rate_change };
  Kind kind = Kind::xrun;
  Duration at{0};
  std::optional<Duration> back;  // drop: when the device comes back (> at); none: never
  unsigned rate = 0;             // rate_change: the new rate
};

struct VirtualSpec {
  std::string options;  // the text after "virtual:" as given, for messages
  VirtualSignal signal = VirtualSignal::sine;
  double frequency = 1000;  // sine: Hz, 0 < frequency < every rate the device can run at / 2
  double level_dbfs = -6;   // peak level, <= 0
  unsigned rate = 48000;    // 1000..768000
  unsigned channels = 2;    // input channels, 0..32 (0: a device without input)
  unsigned buffer = 480;    // period in frames, 16..65536
  Duration latency{0};      // loop: delay from what is played to what is captured
  VirtualSpeed speed = VirtualSpeed::realtime;
  uint64_t seed = 1;  // noise
  // Sorted by `at`; faults at the same time keep the order they were given in. At most one
  // drop without `back`, and no fault after it.
  std::vector<VirtualFault> faults;

  // "virtual" or "virtual:OPTIONS", the way the user named the device.
  std::string label() const;
};

// Limits shared by parsing and open_capture.
inline constexpr unsigned kVirtualMinRate = 1000;
inline constexpr unsigned kVirtualMaxRate = 768000;
inline constexpr unsigned kVirtualMaxChannels = 32;
inline constexpr unsigned kVirtualMinBuffer = 16;
inline constexpr unsigned kVirtualMaxBuffer = 65536;

// The keys, in the order of CLI.md (for hints and "did you mean").
const std::vector<std::string>& virtual_keys();

// Parses `options` (what follows "virtual:", may be empty): comma-separated key=value items,
// keys matched case-insensitively ignoring '-' and '_'. drop, xrun and rate-change may repeat;
// any other key given twice is an error. Errors are Exit::usage with a one-line message
// naming the key and the bad value ("virtual device: rate '12' is outside 1000..768000") and
// a hint saying what the key accepts (for an unknown key: the close matches and every key).
Result<VirtualSpec> parse_virtual_spec(std::string_view options);

}  // namespace sc::audio
