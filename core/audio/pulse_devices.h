// The PulseAudio rows of `route list`: one per source (input) and one per sink (output),
// named as RtAudio names them (the description) and identified by the server's own names.
// RtAudio 5.2 merges a sink and a source that share a description into one device, and
// keeps only the last of several that do; splitting them again here gives every row an
// exact identifier ("loop" for the sink, "loop.monitor" for its monitor).
#pragma once

#include <vector>

#include "core/audio/device.h"
#include "core/audio/pulse_introspect.h"

namespace sc::audio {

// Rows for `snap`, in RtAudio's order (`rtaudio` is rtaudio_list("pulse")): for each RtAudio
// device, the sources then the sinks whose description is its name; then any source or sink
// RtAudio did not list (it appeared in between, or RtAudio could not see it). Rates are
// RtAudio's (PulseAudio resamples), preferred_rate the object's own, default flags the
// server's. `index` is left at -1 for the registry to number.
std::vector<DeviceInfo> pulse_rows(const PulseSnapshot& snap,
                                   const std::vector<DeviceInfo>& rtaudio);

}  // namespace sc::audio
