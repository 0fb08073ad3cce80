// Every device this machine has (each RtAudio API that works at run time, plus the virtual
// device) and SPEC resolution (CLI.md "Devices").
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/audio/device.h"
#include "core/common/error.h"

namespace sc::audio {

enum class Direction { input, output };

// All devices, indexed as `route list` shows them (the index is what `-D 3` means). APIs
// that do not work here (no ALSA card, no JACK server, no PulseAudio server) contribute
// nothing and print nothing: their libraries' stderr chatter is silenced.
std::vector<DeviceInfo> list_devices();

// Resolves SPEC for `dir`: "default" (the system default of the first working API: pulse,
// then jack, then alsa), an index from list_devices(), a case-insensitive substring of a
// device's name or id, "API:substring" ("pulse:Null", "alsa:hw:1", "jack:system"), or
// "virtual[:key=value,...]". Only devices that can do `dir` are candidates; an exact name
// or id wins. Errors: no match is Exit::no_input (66) listing the close matches in the hint;
// two or more matches is Exit::usage (64) listing them; a malformed virtual spec is 64.
Result<std::unique_ptr<Device>> open_device(std::string_view spec, Direction dir);

}  // namespace sc::audio
