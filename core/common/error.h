// Errors as values: every failure a user can meet carries a stable exit status, a one-line
// message naming what failed and why, an optional hint, and for session failures the
// AVAudioSession-style code. Core and formats return these; the CLI renders them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sc {

// Exit statuses (sysexits.h values where one fits). These numbers are a contract with scripts.
enum class Exit : int {
  ok = 0,
  check_failed = 1,    // a diagnostic check failed (route test thresholds)
  usage = 64,          // bad flag, malformed value, invalid profile (-50)
  data = 65,           // bad input data
  no_input = 66,       // input file or device not found
  unavailable = 69,    // device cannot start, session activation refused
  internal = 70,       // a bug
  cannot_create = 73,  // output exists without --force, directory missing
  io = 74,             // I/O error (disk full)
  temp_fail = 75,      // stopped by an interruption that did not resume
};

// Stable lower-case name of an exit status ("usage", "no_input", ...), used as the JSON
// error "code" when no session code applies.
const char* exit_name(Exit e);

struct SessionCodeInfo;  // core/session/codes.h

struct Error {
  Exit exit = Exit::internal;
  std::string message;  // one line, no trailing newline
  std::string hint;     // one line or empty
  // Set for session failures (badParam, !int, ...); points into the static code table.
  const SessionCodeInfo* session = nullptr;
};

inline Error make_error(Exit exit, std::string message, std::string hint = {}) {
  return Error{exit, std::move(message), std::move(hint), nullptr};
}

// A value or an Error. Small on purpose: C++20 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation that produces nothing but can fail.
using Status = Result<std::monostate>;
inline Status ok_status() { return Status(std::monostate{}); }

}  // namespace sc
