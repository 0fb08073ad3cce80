// The PulseAudio rows of `route list`: one per source (input) and one per sink (output), in
// the server's order, sources first. Each is named by its description (the name people see,
// "Monitor of Null Output") and identified by the server's own name ("loop.monitor"), which
// is what a capture stream opens (pulse/device.h).
#pragma once

#include <vector>

#include "core/audio/device.h"
#include "core/audio/pulse/query.h"

namespace sc::audio {

// Rows for `snap`: rates are pulse_stream_rates() (PulseAudio resamples), preferred_rate and
// channels the object's own, default flags the server's. `index` is left at -1 for the
// registry to number.
std::vector<DeviceInfo> pulse_rows(const PulseSnapshot& snap);

}  // namespace sc::audio
