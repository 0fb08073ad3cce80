#include "core/route/route_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sc::route {
namespace {

using audio::Direction;

// Takes nothing: a measuring capture stream's frames go nowhere.
class DiscardSink final : public audio::CaptureSink {
 public:
  void on_frames(const float*, size_t, Duration) noexcept override {}
  void on_event(const audio::DeviceEvent&) noexcept override {}
  bool wait_for_space(size_t) noexcept override { return false; }
};

// Gives silence: a measuring playback stream plays nothing audible.
class SilentSource final : public audio::PlaybackSource {
 public:
  explicit SilentSource(unsigned channels) : channels_(std::max(channels, 1u)) {}
  size_t on_need(float* out, size_t frames, Duration) noexcept override {
    std::memset(out, 0, frames * channels_ * sizeof(float));
    return frames;
  }
  void on_event(const audio::DeviceEvent&) noexcept override {}
  bool end() const noexcept override { return false; }
  bool wait_for_data(size_t) noexcept override { return true; }
  // The stream's channel count once known (on_need writes that many per frame).
  void set_channels(unsigned c) { channels_ = std::max(c, 1u); }

 private:
  unsigned channels_;
};

// The rate record and play ask for, and the I/O buffer in frames at it (record.cpp's rule).
unsigned asked_rate(const Profile& p) {
  return p.mode == Mode::measurement ? 0 : p.preferred_rate.value_or(0);
}
unsigned asked_buffer(const Profile& p, unsigned rate) {
  if (!p.io_buffer) return 0;
  return static_cast<unsigned>(
      std::max<int64_t>(16, std::llround(to_seconds(*p.io_buffer) * (rate ? rate : 48000))));
}

void take_description(PortReport& port, const audio::StreamDescription& d, bool started) {
  port.sample_rate = d.rate ? d.rate : port.sample_rate;
  port.io_buffer_frames = d.fragment_frames;
  if (d.fragment_frames && port.sample_rate)
    port.io_buffer_duration = frames_duration(d.fragment_frames, port.sample_rate);
  if (started) port.latency = d.latency;
  port.client = d.client;
}

// The device's own numbers, for a side no stream could measure.
void from_info(PortReport& port, const audio::DeviceInfo& info, Direction dir, unsigned asked) {
  const auto& rates = info.rates;
  port.sample_rate = asked && std::find(rates.begin(), rates.end(), asked) != rates.end()
                         ? asked
                         : info.preferred_rate;
  port.channels = dir == Direction::input ? info.input_channels : info.output_channels;
}

void measure_input(PortReport& port, audio::Device& dev, const Profile& p) {
  audio::StreamParams params;
  params.rate = asked_rate(p);
  params.buffer_frames = asked_buffer(p, params.rate ? params.rate : dev.info().preferred_rate);
  DiscardSink sink;
  auto stream = dev.open_capture(params, sink);
  if (!stream) {
    port.unmeasured = stream.error().message;
    return;
  }
  port.sample_rate = (*stream)->rate();
  port.channels = (*stream)->channels();
  const auto started = (*stream)->start();
  take_description(port, (*stream)->describe(), started.ok());
  (*stream)->stop();
  if (!started) port.unmeasured = started.error().message;
}

void measure_output(PortReport& port, audio::Device& dev, const Profile& p) {
  audio::PlaybackParams params;
  params.rate = asked_rate(p);
  params.buffer_frames = asked_buffer(p, params.rate ? params.rate : dev.info().preferred_rate);
  SilentSource source(std::max(dev.info().output_channels, 2u));
  auto stream = dev.open_playback(params, source);
  if (!stream) {
    port.unmeasured = stream.error().message;
    return;
  }
  port.sample_rate = (*stream)->rate();
  port.channels = (*stream)->channels();
  source.set_channels(port.channels);
  const auto started = (*stream)->start();
  take_description(port, (*stream)->describe(), started.ok());
  (*stream)->stop();
  if (!started) port.unmeasured = started.error().message;
}

Result<PortReport> port_report(const Profile& p, const DeviceCandidates& c, Direction dir,
                               const DeviceOpener& open, const FactsFinder& facts) {
  auto opened = open_chosen_device(c, dir, open);
  if (!opened) return opened.error();
  PortReport port;
  port.choice = opened->choice;
  port.wanted = opened->wanted;
  port.notice = opened->notice;
  audio::Device& dev = *opened->device;
  const audio::DeviceInfo& info = dev.info();
  port.api = info.api;
  port.name = info.name;
  port.id = info.id;
  port.device_sample_rate = info.preferred_rate;
  from_info(port, info, dir, asked_rate(p));
  const PortType type = guess_port_type(facts(info, dir), dir);
  port.port_type = type.type;
  port.port_type_reason = type.reason;
  if (dir == Direction::input)
    measure_input(port, dev, p);
  else
    measure_output(port, dev, p);
  return port;
}

}  // namespace

Result<RouteReport> route_report(const Profile& profile, const DeviceCandidates& input,
                                 const DeviceCandidates& output, const DeviceOpener& open,
                                 const FactsFinder& facts) {
  RouteReport r;
  r.profile = profile;
  r.preferred_sample_rate = profile.preferred_rate;
  r.preferred_io_buffer_duration = profile.io_buffer;
  if (has_input(profile.category)) {
    auto port = port_report(profile, input, Direction::input, open, facts);
    if (!port) return port.error();
    r.inputs.push_back(std::move(*port));
  }
  if (has_output(profile.category)) {
    auto port = port_report(profile, output, Direction::output, open, facts);
    if (!port) return port.error();
    r.outputs.push_back(std::move(*port));
  }
  for (const auto* side : {&r.inputs, &r.outputs})
    for (const auto& port : *side)
      if (!port.notice.empty()) r.notes.push_back(port.notice);
  if (!r.inputs.empty()) {
    r.input_channels = r.inputs.front().channels;
    r.input_latency = r.inputs.front().latency;
  }
  if (!r.outputs.empty()) {
    r.output_channels = r.outputs.front().channels;
    r.output_latency = r.outputs.front().latency;
  }
  const PortReport* main = !r.inputs.empty()    ? &r.inputs.front()
                           : !r.outputs.empty() ? &r.outputs.front()
                                                : nullptr;
  if (main) {
    r.sample_rate = main->sample_rate;
    r.io_buffer_duration = main->io_buffer_duration;
  }
  if (!r.inputs.empty() && !r.outputs.empty()) {
    const auto& in = r.inputs.front();
    const auto& out = r.outputs.front();
    if (out.sample_rate && in.sample_rate != out.sample_rate)
      r.notes.push_back(
          fmt::format("the input runs at {} Hz and the output at {} Hz; sample_rate is the input's",
                      in.sample_rate, out.sample_rate));
  }
  if (profile.mode == Mode::measurement && profile.preferred_rate)
    r.notes.push_back("mode measurement: the device's native rate, not the preferred one");
  for (const auto* side : {&r.inputs, &r.outputs})
    for (const auto& port : *side)
      if (!port.unmeasured.empty())
        r.notes.push_back(
            fmt::format("{} '{}' not measured ({}): its own rate and channels; "
                        "I/O buffer and latency unknown",
                        side == &r.inputs ? "input" : "output", port.name, port.unmeasured));
  return r;
}

}  // namespace sc::route
