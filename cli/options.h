// The profile options of CLI.md, shared by record, play, route show, route test,
// session check and session activate.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/session/config.h"

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

// The commands a category can serve (record needs input, play output, route test both).
std::vector<std::string> commands_for(Category c);
// The profile's options by Apple name, in order.
std::vector<std::string> option_names(const Profile& p);
// The resolved profile as JSON (session check's "profile", record's "profile").
nlohmann::ordered_json profile_json(const Profile& p);

}  // namespace sc::cli
