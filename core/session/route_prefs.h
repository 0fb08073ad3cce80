// Preferred devices: what `route set` stores, and the one precedence every command that opens
// a device uses to choose it (record today; play and route test the same way).
//
// Precedence, for each direction (input: SOUNDCHECK_INPUT, output: SOUNDCHECK_OUTPUT), the
// first that is given wins:
//   1. the command's own flag: -D (record, play), --input/--output (route show, route test);
//   2. the environment: SOUNDCHECK_INPUT / SOUNDCHECK_OUTPUT (set and not empty);
//   3. the profile's own device: the flags' (ProfileFields::input/output), else the named
//      profile's `input`/`output` in the config file;
//   4. `route set`'s file (route_prefs_path(), a file of its own beside the config file);
//   5. the config file's [route] section (legacy: written by hand; config.toml is never
//      written by soundcheck);
//   6. "default", the system's default device.
// A device chosen by 1-3 or 6 that cannot be found is an error (66). One chosen by 4 or 5, a
// stored preference, that cannot be found (Exit::no_input: the device is unplugged, the sink
// unloaded) is not: the default device is opened instead, with a one-line notice for stderr
// (OpenedDevice::notice), as iOS falls back to the system's route when the preferred input is
// gone. Any other failure of a stored preference (two devices now answer to its name: 64) is
// an error, since the file needs fixing.
//
// The file (route.toml; `route set` writes it, nothing else does):
//   [input]
//   spec = "pulse:soundcheck_loop.monitor"   # what is opened (a SPEC, CLI.md "Devices")
//   api = "pulse"                            # for display: the device when it was stored
//   id = "soundcheck_loop.monitor"
//   name = "Monitor of soundcheck loopback"
//   [output]
//   spec = "default"
// Devices are stored by name, never by index: PulseAudio devices as "pulse:" + the sink's or
// source's name, RtAudio devices (ALSA, JACK) as "API:" + the name RtAudio gives, a virtual
// spec as given, "default" as "default" (the system default when used, whatever it is then;
// unlike no preference, it hides [route]). Unknown keys are ignored (files of later versions).
//
// Threads: none of this is thread-safe against other threads changing the environment.
// Files: saving is atomic (a temporary file in the same directory, fsync, rename, fsync of
// the directory): a reader sees the old file or the new one, never a part, and a failure
// leaves the old file and no temporary behind. Concurrent `route set` runs are serialized by
// an flock on the directory (update_route_prefs).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/audio/registry.h"
#include "core/common/error.h"
#include "core/session/config.h"

namespace sc {

// One stored preference.
struct StoredDevice {
  std::string spec;  // what is opened: "pulse:loop.monitor", "alsa:hw:HDA Intel PCH,0",
                     // "virtual:signal=loop", "default"
  std::string api;   // "pulse", "alsa", "jack", "virtual"; empty for "default"
  std::string id;    // the system's identifier when known, else empty
  std::string name;  // the name users saw when it was stored, else empty
};

struct RoutePrefs {
  std::optional<StoredDevice> input, output;
  bool empty() const { return !input && !output; }
};

// route.toml in the directory of `config_path` (the --config FILE, else
// default_config_path()): $XDG_CONFIG_HOME/soundcheck/route.toml by default. Empty when
// `config_path` is empty (no HOME).
std::string route_prefs_path(const std::string& config_path);

// Reads the file. A missing file is empty preferences. A syntax error, or an [input] or
// [output] that is not a table with a string `spec`, is Exit::data (65) naming the file,
// line and column, with a hint to run `route set` again.
Result<RoutePrefs> load_route_prefs(const std::string& path);

// Writes `prefs` atomically (see above), or removes the file when `prefs` is empty. A
// symbolic link is followed: its target is replaced (or, for empty prefs, written with no
// devices), and the link stays. With
// `create_dir` the directory is created first when missing (the default location);
// otherwise a missing directory is Exit::cannot_create. An unwritable directory or a path
// that cannot be a file is Exit::cannot_create (73), a write or sync failure Exit::io (74);
// both name the path and say what to do.
Status save_route_prefs(const std::string& path, const RoutePrefs& prefs, bool create_dir);

// Reads, lets `change` modify, and saves, holding an exclusive flock on the directory
// throughout, so that two runs (one setting the input, one the output) both land. Returns
// what was saved. Errors as load_route_prefs and save_route_prefs.
Result<RoutePrefs> update_route_prefs(const std::string& path, bool create_dir,
                                      const std::function<void(RoutePrefs&)>& change);

// Opens a device the way audio::open_device does (injectable for tests).
using DeviceOpener =
    std::function<Result<std::unique_ptr<audio::Device>>(std::string_view, audio::Direction)>;

// What `route set` stores for SPEC: "default" as is; a virtual spec as given (validated by
// opening it); anything else is resolved now through `open` and stored by name (see above),
// then checked to resolve to the same device again. Errors: those of `open` (66 no such
// device or index, 64 ambiguous, 64 a malformed virtual spec), 64 for an empty SPEC and for a
// device whose name does not single it out.
Result<StoredDevice> resolve_for_storage(std::string_view spec, audio::Direction dir,
                                         const DeviceOpener& open = audio::open_device);

// Where a chosen device came from (the precedence above).
enum class DeviceSource { flag, environment, profile, route_set, config_route, fallback };

// "flag", "environment", "profile", "route set", "config [route]", "default".
std::string_view source_name(DeviceSource s);

// What each level of the precedence gives for one direction; empty: not given.
struct DeviceCandidates {
  std::string flag;          // -D / --input / --output
  std::string environment;   // SOUNDCHECK_INPUT / SOUNDCHECK_OUTPUT
  std::string profile;       // the profile's own (flags, else the named profile)
  std::string stored;        // route set's file
  std::string config_route;  // the config's [route]
  std::string stored_path;   // the route file, for messages
  std::string config_path;   // the config file, for messages
};

struct DeviceChoice {
  std::string spec;
  DeviceSource source = DeviceSource::fallback;
};

// The precedence, as a pure function: the first non-empty level, else "default".
DeviceChoice choose_device(const DeviceCandidates& c);

// The profile's own device for `dir`: request.flags' input/output, else the named profile's
// (empty when neither gives one, or the profile does not exist: resolve_profile reports that).
std::string profile_device(const Config& config, const ProfileRequest& request,
                           audio::Direction dir);

// Every level for `dir`: `flag`, the environment now, the profile's own, `prefs`, the
// config's [route].
DeviceCandidates gather_candidates(std::string flag, const Config& config,
                                   const ProfileRequest& request, const RoutePrefs& prefs,
                                   const std::string& prefs_path, audio::Direction dir);

// The same, reading the config file (`config_path`; it must exist when `config_must_exist`,
// as for an explicit --config) and the route file beside it. Errors: load_config's and
// load_route_prefs'.
Result<DeviceCandidates> read_candidates(std::string flag, const std::string& config_path,
                                         bool config_must_exist, const ProfileRequest& request,
                                         audio::Direction dir);

struct OpenedDevice {
  std::unique_ptr<audio::Device> device;
  DeviceChoice choice;  // what was opened and why (source fallback when a stored one was gone)
  // Set when a stored preference's device could not be found and the default was opened
  // instead: one line for stderr, naming the preference, where it is stored and the error.
  std::string notice;
  std::string wanted;  // the stored spec that was not found (with notice), else empty
};

// Opens the device choose_device() picks, falling back to "default" (with a notice) when a
// stored preference (route set's file or [route]) names a device that cannot be found
// (Exit::no_input). Other errors, and every error of a flag, the environment or the profile,
// are returned as `open` gave them; an error from the environment says which variable.
Result<OpenedDevice> open_chosen_device(const DeviceCandidates& c, audio::Direction dir,
                                        const DeviceOpener& open = audio::open_device);

}  // namespace sc
