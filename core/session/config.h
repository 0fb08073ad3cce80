// The config file (CLI.md --config; default $XDG_CONFIG_HOME/soundcheck/config.toml) and
// profile resolution: built-in defaults, then a named profile from the file, then flags.
//
//   [profiles.interview]
//   category = "playAndRecord"          # any accepted spelling
//   mode = "voiceChat"
//   options = ["allowBluetooth", "defaultToSpeaker"]   # or one comma-separated string
//   preferred_rate = 48000              # or "48k"
//   io_buffer = "5ms"
//   input = "pulse:Null"                # preferred input device SPEC
//   output = "default"                  # preferred output device SPEC
//
//   [route]                             # preferences `route set` persists
//   input = "pulse:loop.monitor"
//   output = "pulse:loop"
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/common/error.h"
#include "core/session/profile.h"

namespace sc {

// Profile fields as text, exactly as a user wrote them (flags or config), so both go through
// the same parsers and produce the same errors; an error in a file value also names the
// file, line and column of its key.
struct ProfileFields {
  std::optional<std::string> category, mode, options, preferred_rate, io_buffer, input, output;
  // For fields read from a file: config key -> "path:line:column" of the key, for messages.
  std::map<std::string, std::string> where;

  bool any() const {
    return category || mode || options || preferred_rate || io_buffer || input || output;
  }
};

struct Config {
  std::string path;  // the file read, empty when none exists
  std::map<std::string, ProfileFields> profiles;
  ProfileFields route;  // only input and output are used
};

// The default config path: $XDG_CONFIG_HOME/soundcheck/config.toml, else
// $HOME/.config/soundcheck/config.toml.
std::string default_config_path();

// Reads a config file. A missing file is an empty Config when `must_exist` is false, and
// Exit::no_input (66) when it is true (an explicit --config). A syntax error or an unknown
// key is Exit::data (65) naming the file, line and column.
Result<Config> load_config(const std::string& path, bool must_exist);

struct ProfileRequest {
  std::optional<std::string> profile_name;  // --profile
  ProfileFields flags;                      // --category, --mode, ...
  bool background = false;                  // --background
  bool no_notify = false;                   // --no-notify
};

// Resolves and validates: `default_category` (the command's), then the config's [route]
// preferences, then the named profile (unknown name: Exit::usage listing the profiles), then
// the flags. Any field that does not parse, and an invalid combination, is badParam (-50).
Result<Profile> resolve_profile(const Config& config, const ProfileRequest& request,
                                Category default_category);

}  // namespace sc
