#include "core/audio/pulse_devices.h"

namespace sc::audio {
namespace {

DeviceInfo row(const PulseObject& o, bool is_source, const PulseSnapshot& snap,
               const std::vector<unsigned>& rates) {
  DeviceInfo d;
  d.api = "pulse";
  d.name = o.description.empty() ? o.name : o.description;
  d.id = o.name;
  (is_source ? d.input_channels : d.output_channels) = o.channels;
  d.rates = rates;
  d.preferred_rate = o.rate;
  d.default_input = is_source && o.name == snap.default_source;
  d.default_output = !is_source && o.name == snap.default_sink;
  return d;
}

}  // namespace

std::vector<DeviceInfo> pulse_rows(const PulseSnapshot& snap,
                                   const std::vector<DeviceInfo>& rtaudio) {
  std::vector<DeviceInfo> out;
  std::vector<bool> source_done(snap.sources.size()), sink_done(snap.sinks.size());
  for (const auto& rt : rtaudio) {
    for (size_t i = 0; i < snap.sources.size(); ++i) {
      if (source_done[i] || snap.sources[i].description != rt.name) continue;
      source_done[i] = true;
      out.push_back(row(snap.sources[i], true, snap, rt.rates));
    }
    for (size_t i = 0; i < snap.sinks.size(); ++i) {
      if (sink_done[i] || snap.sinks[i].description != rt.name) continue;
      sink_done[i] = true;
      out.push_back(row(snap.sinks[i], false, snap, rt.rates));
    }
  }
  const std::vector<unsigned> rates =
      rtaudio.empty() ? std::vector<unsigned>{} : rtaudio.front().rates;
  for (size_t i = 0; i < snap.sources.size(); ++i)
    if (!source_done[i]) out.push_back(row(snap.sources[i], true, snap, rates));
  for (size_t i = 0; i < snap.sinks.size(); ++i)
    if (!sink_done[i]) out.push_back(row(snap.sinks[i], false, snap, rates));
  return out;
}

}  // namespace sc::audio
