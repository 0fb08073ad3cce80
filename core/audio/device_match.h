// SPEC resolution (CLI.md "Devices", registry.h open_device) as a pure function over a
// device listing, so that every rule is testable without devices.
//
// Rules, in order:
//  1. "default" (any case): the default device for the direction of the first API, in the
//     order pulse, jack, alsa, that has a device for that direction: the one it flags as
//     default, else its first. Never the virtual device.
//  2. A whole number: the device with that index in `route list`.
//  3. "API:rest" where API is pulse, alsa, jack or virtual (any case): only that API's
//     devices are candidates, and `rest` is matched as below; an empty `rest` means that
//     API's default device. Any other text before a colon is part of the name ("hw:1,0").
//  4. Only devices with channels in the direction are candidates. A device that cannot do
//     the direction never matches, even by its exact name: for input, "Null Output" (a
//     PulseAudio sink) resolves to "Monitor of Null Output" by substring.
//  5. A case-insensitive exact match of a candidate's name or id wins; two or more exact
//     matches are ambiguous.
//  6. Otherwise a case-insensitive substring of a name or id: one match wins, two or more
//     are ambiguous.
// Errors: no device found is Exit::no_input (66) with a hint (close names, or why a
// device that matches cannot do the direction); ambiguity is Exit::usage (64) listing the
// candidates; an empty SPEC is Exit::usage. "virtual[:...]" specs are open_device's to
// handle before this (the virtual device in the listing matches like any other device).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/audio/device.h"
#include "core/audio/registry.h"
#include "core/common/error.h"

namespace sc::audio {

// "input" or "output".
std::string_view direction_name(Direction dir);

// True when `d` has channels in `dir`.
bool can_do(const DeviceInfo& d, Direction dir);

// The position in `devices` of the device `spec` names for `dir`.
Result<size_t> match_device(std::span<const DeviceInfo> devices, std::string_view spec,
                            Direction dir);

}  // namespace sc::audio
