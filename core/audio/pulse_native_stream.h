// A PulseAudio capture stream over the native protocol (pulse_client.h), without libpulse:
// the stream make_pulse_device's devices open when the server is one pulse::Client reaches.
#pragma once

#include <memory>

#include "core/audio/device.h"
#include "core/audio/pulse_client.h"

namespace sc::audio {

// Connects a corked record stream on the source `info.id` over `client`, with the contract of
// make_pulse_device's streams (pulse_device.h): float32 (16-bit samples when params.keep_bits
// is 16) at params.rate and params.channels, else the source's own; a fragment every
// params.buffer_frames frames, else every 2 s; pumped on the caller's thread; a source or
// server that goes away ends it; failures are cannot_start_recording errors naming the device.
Result<std::unique_ptr<CaptureStream>> open_native_capture(const DeviceInfo& info,
                                                           const StreamParams& params,
                                                           CaptureSink& sink,
                                                           std::unique_ptr<pulse::Client> client);

}  // namespace sc::audio
