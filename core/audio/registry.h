// Every device this machine has (PulseAudio through pulse_device.h, each other RtAudio API that
// works at run time, plus the virtual device) and SPEC resolution (CLI.md "Devices").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/device.h"
#include "core/common/error.h"

namespace sc::audio {

enum class Direction { input, output };

// The APIs devices come from, in listing order: "pulse" (pulse_device.h), then the RtAudio APIs
// compiled into this build ("alsa", "jack"). The virtual device is not among them.
std::vector<std::string> device_apis();

// All devices, indexed as `route list` shows them (the index is what `-D 3` means). APIs
// that do not work here (no ALSA card, no JACK server, no PulseAudio server) contribute
// nothing and print nothing: their libraries' stderr chatter is silenced.
std::vector<DeviceInfo> list_devices();

// Resolves SPEC for `dir`: "default" (the system default of the first working API: pulse,
// then jack, then alsa), an index from list_devices(), a case-insensitive substring of a
// device's name or id, "API:substring" ("pulse:Null", "alsa:hw:1", "jack:system"), or
// "virtual[:key=value,...]". Only devices that can do `dir` are candidates; an exact name
// or id wins. Only the APIs the SPEC needs are asked: "pulse:..." asks the PulseAudio
// server alone, and so does "default" when the server has a device for `dir`. Errors: no match is
// Exit::no_input (66) listing the close matches in the hint; two or more matches is Exit::usage
// (64) listing them; a malformed virtual spec is 64.
Result<std::unique_ptr<Device>> open_device(std::string_view spec, Direction dir);

}  // namespace sc::audio
