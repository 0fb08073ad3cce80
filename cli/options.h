// The profile options of CLI.md, shared by record, play, route show, route test,
// session check and session activate.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/session/config.h"
#include "core/session/route_prefs.h"

namespace sc::cli {

// Adds --profile, --category, --mode, --options, --preferred-rate, --io-buffer,
// --background and --no-notify to `sub`, bound into `request` as text (parsed and
// validated later by resolve_profile, so flags and config give the same errors).
void add_profile_options(CLI::App& sub, ProfileRequest& request);

struct GlobalOptions;

// Reads the config (--config, else the default path, which may be absent) and resolves the
// profile for `command` ("record"): defaults, [route], the named profile, then the flags.
// With --verbose, says on stderr which config was read.
Result<Profile> load_profile(const GlobalOptions& g, std::string_view command,
                             const ProfileRequest& request, Category default_category);

// Opens the device `command` uses for `dir` by the one precedence (core/session/route_prefs.h):
// `flag` (-D), SOUNDCHECK_INPUT/OUTPUT, the profile's own, route set's, the config's [route],
// the default. A stored device that is gone gives the default and a notice on stderr; with
// --verbose, which device and why is said too. Errors: read_candidates' and
// open_chosen_device's.
Result<OpenedDevice> open_preferred_device(const GlobalOptions& g, std::string_view command,
                                           std::string flag, const ProfileRequest& request,
                                           audio::Direction dir);

// The commands a category can serve (record needs input, play output, route test both).
std::vector<std::string> commands_for(Category c);
// The profile's options by Apple name, in order.
std::vector<std::string> option_names(const Profile& p);
// The resolved profile as JSON (session check's "profile", record's "profile").
nlohmann::ordered_json profile_json(const Profile& p);

}  // namespace sc::cli
