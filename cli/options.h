// The profile options of CLI.md, shared by record, play, route show, route test,
// session check and session activate.
#pragma once

#include <CLI/CLI.hpp>

#include "core/session/config.h"

namespace sc::cli {

// Adds --profile, --category, --mode, --options, --preferred-rate, --io-buffer,
// --background and --no-notify to `sub`, bound into `request` as text (parsed and
// validated later by resolve_profile, so flags and config give the same errors).
void add_profile_options(CLI::App& sub, ProfileRequest& request);

}  // namespace sc::cli
