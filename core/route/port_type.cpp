#include "core/route/port_type.h"

#include <fmt/format.h>
#include <pulse/pulseaudio.h>

#include <chrono>

#include "core/audio/pulse/context.h"
#include "core/common/names.h"

namespace sc::route {
namespace {

using audio::Direction;

bool has(const std::string& s, std::string_view word) { return s.find(word) != std::string::npos; }

std::string prop(const PortFacts& f, const std::string& key) {
  auto it = f.properties.find(key);
  return it == f.properties.end() ? std::string() : to_lower(it->second);
}

PortType pick(Direction dir, const char* in, const char* out, std::string reason) {
  return {dir == Direction::input ? in : out, std::move(reason)};
}

// Rule 5: a port's type, or words in a port's (or device's) name.
std::optional<PortType> by_port(const std::string& kind, Direction dir, const std::string& why) {
  auto is = [&](std::initializer_list<std::string_view> words) {
    for (auto w : words)
      if (has(kind, w)) return true;
    return false;
  };
  if (is({"displayport"})) return PortType{"DisplayPort", why};
  if (is({"hdmi", "tv"})) return PortType{"HDMI", why};
  if (is({"usb"})) return PortType{"USBAudio", why};
  if (is({"headset"})) return pick(dir, "HeadsetMic", "Headphones", why);
  if (is({"headphone"})) return pick(dir, "HeadsetMic", "Headphones", why);
  if (is({"mic"}))
    return pick(dir, has(kind, "internal") ? "BuiltInMic" : "HeadsetMic", "LineOut", why);
  if (is({"speaker"})) return pick(dir, "BuiltInMic", "BuiltInSpeaker", why);
  if (is({"earpiece", "handset"})) return pick(dir, "BuiltInMic", "BuiltInReceiver", why);
  if (is({"handsfree", "hands-free"}) || kind.rfind("car ", 0) == 0)
    return PortType{"CarAudio", why};
  if (is({"line", "aux", "analog", "hifi", "spdif", "iec958"}))
    return pick(dir, "LineIn", "LineOut", why);
  return std::nullopt;
}

const char* port_type_name(int t) {
  switch (t) {
    case PA_DEVICE_PORT_TYPE_AUX:
      return "aux";
    case PA_DEVICE_PORT_TYPE_SPEAKER:
      return "speaker";
    case PA_DEVICE_PORT_TYPE_HEADPHONES:
      return "headphones";
    case PA_DEVICE_PORT_TYPE_LINE:
      return "line";
    case PA_DEVICE_PORT_TYPE_MIC:
      return "mic";
    case PA_DEVICE_PORT_TYPE_HEADSET:
      return "headset";
    case PA_DEVICE_PORT_TYPE_HANDSET:
      return "handset";
    case PA_DEVICE_PORT_TYPE_EARPIECE:
      return "earpiece";
    case PA_DEVICE_PORT_TYPE_SPDIF:
      return "spdif";
    case PA_DEVICE_PORT_TYPE_HDMI:
      return "hdmi";
    case PA_DEVICE_PORT_TYPE_TV:
      return "tv";
    case PA_DEVICE_PORT_TYPE_USB:
      return "usb";
    case PA_DEVICE_PORT_TYPE_BLUETOOTH:
      return "bluetooth";
    case PA_DEVICE_PORT_TYPE_HANDSFREE:
      return "handsfree";
    case PA_DEVICE_PORT_TYPE_CAR:
      return "car";
    case PA_DEVICE_PORT_TYPE_HIFI:
      return "hifi";
    case PA_DEVICE_PORT_TYPE_ANALOG:
      return "analog";
    default:
      return "";
  }
}

// The query's state, touched on the loop's thread (lock held) and by the waiter with the lock.
struct FactsQuery {
  audio::pulse::Context& context;
  PortFacts& facts;
  bool done = false;
};

template <typename Info>
void take(FactsQuery* q, const Info* i, int eol, bool hardware) {
  if (eol) {
    q->done = true;
    q->context.signal();
    return;
  }
  if (!i) return;
  q->facts.hardware = hardware;
  if (i->driver) q->facts.driver = i->driver;
  for (const char* key : {"device.bus", "device.form_factor", "device.api", "device.class",
                          "bluetooth.protocol", "device.profile.name", "api.bluez5.profile"}) {
    if (const char* v = pa_proplist_gets(i->proplist, key)) q->facts.properties[key] = v;
  }
  if (i->active_port) {
    q->facts.port_name = i->active_port->name ? i->active_port->name : "";
    q->facts.port_type = port_type_name(i->active_port->type);
  }
}

void on_source(pa_context*, const pa_source_info* i, int eol, void* data) {
  auto* q = static_cast<FactsQuery*>(data);
  if (i) q->facts.monitor = i->monitor_of_sink != PA_INVALID_INDEX;
  take(q, i, eol, i && (i->flags & PA_SOURCE_HARDWARE));
}

void on_sink(pa_context*, const pa_sink_info* i, int eol, void* data) {
  take(static_cast<FactsQuery*>(data), i, eol, i && (i->flags & PA_SINK_HARDWARE));
}

}  // namespace

PortType guess_port_type(const PortFacts& f, Direction dir) {
  const std::string name = to_lower(f.name), id = to_lower(f.id);
  // 1, 2
  if (f.api == "virtual") return {"Virtual", "the built-in virtual device"};
  if (f.monitor) return {"Virtual", "a PulseAudio monitor source: what a sink plays"};
  if (has(to_lower(f.driver), "null-sink")) return {"Virtual", "a PulseAudio null sink"};
  if (const auto cls = prop(f, "device.class"); cls == "abstract" || cls == "filter")
    return {"Virtual", fmt::format("device.class is {}", cls)};
  // 3
  const std::string bus = prop(f, "device.bus"), api = prop(f, "device.api");
  if (bus == "bluetooth" || has(api, "bluez") || f.port_type == "bluetooth") {
    const std::string profile = prop(f, "bluetooth.protocol") + " " +
                                prop(f, "device.profile.name") + " " +
                                prop(f, "api.bluez5.profile") + " " + to_lower(f.port_name);
    const std::string why = "a Bluetooth device";
    if (has(profile, "a2dp"))
      return pick(dir, "BluetoothA2DPOutput", "BluetoothA2DPOutput", why + " (A2DP)");
    if (has(profile, "bap") || has(profile, "le_")) return {"BluetoothLE", why + " (LE audio)"};
    if (has(profile, "hfp") || has(profile, "hsp") || has(profile, "headset") ||
        has(profile, "handsfree") || has(profile, "head_unit"))
      return {"BluetoothHFP", why + " (HFP/HSP)"};
    return pick(dir, "BluetoothHFP", "BluetoothA2DPOutput", why);
  }
  // 4
  if (bus == "usb") return {"USBAudio", "device.bus is usb"};
  // 5
  // The type first; its port's name refines it ("mic" + "analog-input-internal-mic").
  if (!f.port_type.empty())
    if (auto t = by_port(f.port_type + " " + to_lower(f.port_name), dir,
                         fmt::format("its port {} has type {}", f.port_name, f.port_type)))
      return *t;
  if (!f.port_name.empty())
    if (auto t = by_port(to_lower(f.port_name), dir, fmt::format("its port is {}", f.port_name)))
      return *t;
  // 6
  const std::string ff = prop(f, "device.form_factor");
  const std::string why = fmt::format("device.form_factor is {}", ff);
  if (ff == "internal") return pick(dir, "BuiltInMic", "BuiltInSpeaker", why);
  if (ff == "speaker") return pick(dir, "BuiltInMic", "BuiltInSpeaker", why);
  if (ff == "handset") return pick(dir, "BuiltInMic", "BuiltInReceiver", why);
  if (ff == "headset") return pick(dir, "HeadsetMic", "Headphones", why);
  if (ff == "headphone") return pick(dir, "HeadsetMic", "Headphones", why);
  if (ff == "microphone") return pick(dir, "BuiltInMic", "LineOut", why);
  if (ff == "webcam") return {"USBAudio", why};
  if (ff == "tv") return {"HDMI", why};
  if (ff == "hands-free" || ff == "car") return {"CarAudio", why};
  if (ff == "hifi") return pick(dir, "LineIn", "LineOut", why);
  // 7
  if (f.api == "pulse" && f.hardware == false)
    return {"Virtual", "a PulseAudio device without the hardware flag"};
  // 8
  const std::string words = name + " " + id;
  if (has(words, "usb")) return {"USBAudio", "its name says USB"};
  if (has(words, "hdmi")) return {"HDMI", "its name says HDMI"};
  if (has(words, "bluetooth") || has(words, "bluez"))
    return pick(dir, "BluetoothHFP", "BluetoothA2DPOutput", "its name says Bluetooth");
  if (has(words, "loopback") || has(words, "dummy") || has(words, "null"))
    return {"Virtual", "its name says it is a loopback or null device"};
  if (f.api == "jack") {
    if (name == "system") return pick(dir, "LineIn", "LineOut", "JACK's system ports");
    return {"Virtual", "another JACK client's ports"};
  }
  // 9
  return pick(dir, "LineIn", "LineOut", "nothing says more: a line");
}

PortFacts port_facts(const audio::DeviceInfo& d, Direction dir) {
  PortFacts f;
  f.api = d.api;
  f.name = d.name;
  f.id = d.id;
  if (d.api != "pulse" || d.id.empty()) return f;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto conn = audio::pulse::Context::connect(deadline);
  if (!conn) return f;
  audio::pulse::Context& c = **conn;
  FactsQuery q{c, f};
  {
    audio::pulse::Context::Lock lock(c);
    pa_operation* op =
        dir == Direction::input
            ? pa_context_get_source_info_by_name(c.get(), d.id.c_str(), on_source, &q)
            : pa_context_get_sink_info_by_name(c.get(), d.id.c_str(), on_sink, &q);
    if (op) {
      pa_operation_unref(op);
      c.wait_until(deadline, [&] { return q.done; });
    }
  }
  // A reply still pending is cancelled with the context, whose loop stops first: no
  // callback touches `q` after this.
  conn->reset();
  return f;
}

}  // namespace sc::route
