// The AVAudioSession port type of a device (`route show`), guessed: Linux has no such notion,
// so it is read from what the system says about the device. A guess, and reported as one
// (PortType::reason says which property decided).
//
// Rules, the first that applies wins (dir: input or output):
//  1. the virtual device: Virtual;
//  2. PulseAudio: a monitor source (what a sink plays): Virtual; a null sink (driver
//     module-null-sink) or device.class "abstract"/"filter": Virtual;
//  3. Bluetooth (device.bus or device.api bluetooth/bluez, or a bluetooth port): a profile
//     (bluetooth.protocol, device.profile.name, the port's name) with "a2dp": output
//     BluetoothA2DPOutput; with "bap"/"le": BluetoothLE; otherwise BluetoothHFP (and an input
//     without a profile: BluetoothHFP, an output: BluetoothA2DPOutput);
//  4. device.bus "usb": USBAudio;
//  5. the active port's type (libpulse 14 and later) with words of its name, or, when the type
//     is unknown, words of its name alone:
//     hdmi/tv: HDMI; displayport: DisplayPort; usb: USBAudio; headset: HeadsetMic/Headphones;
//     headphones: Headphones (an input: HeadsetMic); mic: BuiltInMic when "internal", else
//     HeadsetMic (a jack); speaker: BuiltInSpeaker; earpiece/handset: BuiltInReceiver
//     (input BuiltInMic); handsfree/car: CarAudio; line/aux/analog/hifi/spdif/iec958:
//     LineIn/LineOut;
//  6. device.form_factor: internal: BuiltInMic/BuiltInSpeaker; speaker: BuiltInSpeaker;
//     handset: BuiltInMic/BuiltInReceiver; headset: HeadsetMic/Headphones; headphone:
//     Headphones; microphone: BuiltInMic; webcam: USBAudio; tv: HDMI; hands-free/car: CarAudio;
//     hifi: LineIn/LineOut;
//  7. PulseAudio without the hardware flag: Virtual;
//  8. ALSA and JACK names and ids: usb: USBAudio; hdmi: HDMI; bluetooth/bluez: BluetoothHFP
//     (output BluetoothA2DPOutput); loopback/dummy/null: Virtual; JACK "system": LineIn/LineOut
//     (the sound card's ports); any other JACK client: Virtual (another program's ports);
//  9. otherwise LineIn/LineOut: a line, as far as anything says.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/audio/device.h"
#include "core/audio/registry.h"

namespace sc::route {

// What the system says about one device.
struct PortFacts {
  std::string api, name, id;                      // DeviceInfo's
  bool monitor = false;                           // a PulseAudio monitor source
  std::optional<bool> hardware;                   // PA_SINK_HARDWARE / PA_SOURCE_HARDWARE, if known
  std::string driver;                             // "module-null-sink.c"
  std::map<std::string, std::string> properties;  // device.bus, device.form_factor, ...
  std::string port_name;                          // the active port: "analog-input-internal-mic"
  std::string port_type;                          // its type: "mic", "hdmi", ... ("" when unknown)
};

struct PortType {
  std::string type;    // "BuiltInMic", "Virtual", ...
  std::string reason;  // "device.bus is usb"
};

// The guess (rules above). Pure.
PortType guess_port_type(const PortFacts& f, audio::Direction dir);

// The facts of `d`: for a PulseAudio device, its source (input) or sink (output) asked from
// the server (2 s at most; without an answer only DeviceInfo's fields). Blocking; any thread.
PortFacts port_facts(const audio::DeviceInfo& d, audio::Direction dir);

}  // namespace sc::route
