// Rendering shared by every command: errors as one line plus a hint on stderr (and the
// error document on stdout with --json), and JSON documents on stdout.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/common/error.h"

namespace sc::cli {

struct GlobalOptions;

// {"code", "exit", "message", "hint", and for session errors "osstatus", "fourcc"}.
nlohmann::ordered_json error_json(const Error& e);

// Writes a JSON document and a newline to stdout.
void print_json(const nlohmann::ordered_json& doc);

// Writes a JSON document on one line (JSON Lines, for streams) and flushes.
void print_json_line(const nlohmann::ordered_json& doc);

// Reports `e` for `command` ("session check"): "soundcheck session check: MESSAGE" and
// "hint: HINT" on stderr; with --json also {"ok": false, "command", "error"} on stdout.
// Returns the exit status.
int report_error(const GlobalOptions& g, std::string_view command, const Error& e);

// The exit status as an int.
inline int status(Exit e) { return static_cast<int>(e); }

}  // namespace sc::cli
