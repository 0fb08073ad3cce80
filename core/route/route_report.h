// What `route show` computes: the route a session with a profile gets, in AVAudioSession's
// terms (currentRoute's inputs and outputs, sampleRate and preferredSampleRate,
// IOBufferDuration and preferredIOBufferDuration, inputLatency, outputLatency, the channel
// counts).
//
// How each number is found:
// - the devices: by the one precedence (core/session/route_prefs.h), for the sides the
//   category has (record: input; playback, ambient, soloAmbient: output; playAndRecord and
//   multiRoute: both). A device that cannot be found is an error, except a stored preference,
//   which falls back to the default with a note.
// - each side is measured: a stream is opened with the profile's preferences as record and
//   play ask for them (the preferred rate unless the mode is measurement; the I/O buffer as
//   frames at that rate), started, described (StreamDescription) and stopped at once, into a
//   sink that discards (capture) or from a source of silence (playback). No session is
//   activated. sample_rate is the stream's rate (what the application gets; PulseAudio
//   resamples, so device_sample_rate, the device's own, may differ), io_buffer_duration the
//   fragment the device hands over at once, latency describe()'s latency.
// - a side that cannot be measured (the device refuses a stream; playback before it is built
//   for a backend) reports the device's own rate (the preferred rate when the device lists it,
//   else its native one) and its channels, with io_buffer_duration and latency unknown
//   (nullopt) and `unmeasured` saying why.
// - the session-wide sample_rate and io_buffer_duration are the input's when the category
//   records, else the output's (a note says so when the two sides differ).
// - the port type is a guess (core/route/port_type.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/audio/registry.h"
#include "core/common/duration.h"
#include "core/common/error.h"
#include "core/route/port_type.h"
#include "core/session/profile.h"
#include "core/session/route_prefs.h"

namespace sc::route {

// One port of the current route (AVAudioSessionPortDescription, and how it was chosen).
struct PortReport {
  std::string port_type;            // "BuiltInMic", ... (a guess)
  std::string port_type_reason;     // why
  std::string api, name, id;        // the device's
  unsigned channels = 0;            // the stream's, else the device's
  DeviceChoice choice;              // the spec opened and where it came from
  std::string wanted;               // a stored preference that was gone (then choice: the default)
  std::string notice;               // the line that says so
  unsigned sample_rate = 0;         // the stream's
  unsigned device_sample_rate = 0;  // the device's own (DeviceInfo::preferred_rate), 0 unknown
  size_t io_buffer_frames = 0;      // the fragment, 0 unknown
  std::optional<Duration> io_buffer_duration;
  std::optional<Duration> latency;
  std::string client;      // describe().client when measured
  std::string unmeasured;  // empty when measured from a stream, else why not
};

struct RouteReport {
  Profile profile;
  std::vector<PortReport> inputs, outputs;
  unsigned sample_rate = 0;
  std::optional<uint32_t> preferred_sample_rate;
  std::optional<Duration> io_buffer_duration;
  std::optional<Duration> preferred_io_buffer_duration;
  std::optional<Duration> input_latency, output_latency;
  unsigned input_channels = 0, output_channels = 0;
  std::vector<std::string> notes;  // one line each
};

// How to learn a device's facts for its port type (injectable for tests).
using FactsFinder = std::function<PortFacts(const audio::DeviceInfo&, audio::Direction)>;

// The report for `profile` (resolved), with `input` and `output` the precedence's levels for
// each side (the side the category lacks is ignored). Errors: those of opening a chosen device
// (route_prefs.h open_chosen_device: 66 not found, 64 ambiguous). Blocking (a stream per
// side, a few tens of ms; up to 2 s when a server does not answer).
Result<RouteReport> route_report(const Profile& profile, const DeviceCandidates& input,
                                 const DeviceCandidates& output,
                                 const DeviceOpener& open = audio::open_device,
                                 const FactsFinder& facts = port_facts);

}  // namespace sc::route
