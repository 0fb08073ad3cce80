// The built-in virtual device (DESIGN.md "The virtual device", CLI.md "Virtual device keys"):
// a deterministic capture source for tests, demos and simulation, with faults on a schedule.
//
//   virtual[:key=value,...]
//   signal=sine:FREQ|chirp|noise|silence|loop   (default sine:1000)
//   level=DBFS       peak level of the signal (default -6)
//   rate=HZ          (default 48000)      channels=N   input channels, 0 allowed (default 2)
//   buffer=FRAMES    period (default 480) latency=DUR  for loop
//   speed=realtime|max                    (default realtime)
//   drop=AT[:BACK]   disappears at AT, comes back at BACK (never, without BACK)
//   xrun=AT          loses one period at AT        rate-change=AT:HZ
//   Fault keys may repeat. Times are durations from stream start.
#pragma once

#include <memory>
#include <string_view>

#include "core/audio/device.h"
#include "core/common/error.h"

namespace sc::audio {

// `options` is what follows "virtual:" (may be empty). Errors are Exit::usage naming the key
// and what it accepts.
Result<std::unique_ptr<Device>> make_virtual_device(std::string_view options);

// The virtual device as `route list` shows it (default options).
DeviceInfo virtual_device_info();

}  // namespace sc::audio
