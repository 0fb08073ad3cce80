#include "cli/output.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/common.h"
#include "core/session/codes.h"

namespace sc::cli {

nlohmann::ordered_json error_json(const Error& e) {
  nlohmann::ordered_json j;
  j["code"] = e.session ? std::string(e.session->name) : std::string(exit_name(e.exit));
  j["exit"] = static_cast<int>(e.exit);
  j["message"] = e.message;
  j["hint"] = e.hint.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.hint);
  if (e.session) {
    j["osstatus"] = e.session->osstatus;
    j["fourcc"] = e.session->fourcc.empty()
                      ? nlohmann::ordered_json(nullptr)
                      : nlohmann::ordered_json(std::string(e.session->fourcc));
  }
  return j;
}

void print_json(const nlohmann::ordered_json& doc) {
  const std::string text = doc.dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_json_line(const nlohmann::ordered_json& doc) {
  const std::string text = doc.dump() + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// " (!rec 561145187 cannotStartRecording)", " (-50 badParam)": a session error's code, as
// `session decode` takes it, unless the message names it already.
std::string session_suffix(const Error& e) {
  if (!e.session || e.message.find(e.session->name) != std::string::npos) return "";
  if (e.session->fourcc.empty())
    return fmt::format(" ({} {})", e.session->osstatus, e.session->name);
  return fmt::format(" ({} {} {})", e.session->fourcc, e.session->osstatus, e.session->name);
}

int report_error(const GlobalOptions& g, std::string_view command, const Error& e) {
  fmt::print(stderr, "soundcheck{}{}: {}{}\n", command.empty() ? "" : " ", command, e.message,
             session_suffix(e));
  if (!e.hint.empty()) fmt::print(stderr, "hint: {}\n", e.hint);
  if (g.json) {
    nlohmann::ordered_json doc;
    doc["ok"] = false;
    doc["command"] = std::string(command);
    doc["error"] = error_json(e);
    print_json(doc);
  }
  return status(e.exit);
}

}  // namespace sc::cli
