#include "core/audio/pulse/rows.h"

#include "core/audio/pulse/device.h"

namespace sc::audio {
namespace {

DeviceInfo row(const PulseObject& o, bool is_source, const PulseSnapshot& snap) {
  DeviceInfo d;
  d.api = "pulse";
  d.name = o.description.empty() ? o.name : o.description;
  d.id = o.name;
  (is_source ? d.input_channels : d.output_channels) = o.channels;
  d.rates = pulse_stream_rates();
  d.preferred_rate = o.rate;
  d.default_input = is_source && o.name == snap.default_source;
  d.default_output = !is_source && o.name == snap.default_sink;
  return d;
}

}  // namespace

std::vector<DeviceInfo> pulse_rows(const PulseSnapshot& snap) {
  std::vector<DeviceInfo> out;
  out.reserve(snap.sources.size() + snap.sinks.size());
  for (const auto& s : snap.sources) out.push_back(row(s, true, snap));
  for (const auto& s : snap.sinks) out.push_back(row(s, false, snap));
  return out;
}

}  // namespace sc::audio
