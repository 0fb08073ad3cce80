#include "core/session/notification.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <utility>

namespace sc::session {
namespace {

constexpr std::array<std::pair<NoteType, std::string_view>, 9> kTypes{{
    {NoteType::activated, "activated"},
    {NoteType::deactivated, "deactivated"},
    {NoteType::began, "began"},
    {NoteType::ended, "ended"},
    {NoteType::duck, "duck"},
    {NoteType::unduck, "unduck"},
    {NoteType::routeChange, "routeChange"},
    {NoteType::mediaServicesWereLost, "mediaServicesWereLost"},
    {NoteType::mediaServicesWereReset, "mediaServicesWereReset"},
}};

nlohmann::ordered_json ref_json(const SessionRef& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["pid"] = r.pid;
  j["command"] = r.command;
  j["category"] = name(r.category);
  j["mode"] = name(r.mode);
  return j;
}

// Reads a SessionRef; throws nlohmann's exceptions or std::invalid_argument on bad input
// (caught by notification_from_json).
SessionRef ref_from(const nlohmann::json& j) {
  SessionRef r;
  r.id = j.at("id").get<uint64_t>();
  r.pid = j.at("pid").get<pid_t>();
  r.command = j.at("command").get<std::string>();
  auto c = parse_category(j.at("category").get<std::string>());
  auto m = parse_mode(j.at("mode").get<std::string>());
  if (!c || !m) throw std::invalid_argument("unknown category or mode");
  r.category = *c;
  r.mode = *m;
  return r;
}

}  // namespace

std::string_view name(NoteType t) {
  for (const auto& [type, n] : kTypes)
    if (type == t) return n;
  return "unknown";
}

std::optional<NoteType> parse_note_type(std::string_view s) {
  for (const auto& [type, n] : kTypes)
    if (n == s) return type;
  return std::nullopt;
}

std::string_view name(InterruptionReason r) {
  switch (r) {
    case InterruptionReason::defaultReason:
      return "default";
    case InterruptionReason::appWasSuspended:
      return "appWasSuspended";
    case InterruptionReason::builtInMicMuted:
      return "builtInMicMuted";
    case InterruptionReason::routeDisconnected:
      return "routeDisconnected";
  }
  return "unknown";
}

std::string_view name(RouteChangeReason r) {
  switch (r) {
    case RouteChangeReason::unknown:
      return "unknown";
    case RouteChangeReason::newDeviceAvailable:
      return "newDeviceAvailable";
    case RouteChangeReason::oldDeviceUnavailable:
      return "oldDeviceUnavailable";
    case RouteChangeReason::categoryChange:
      return "categoryChange";
    case RouteChangeReason::override_:
      return "override";
    case RouteChangeReason::wakeFromSleep:
      return "wakeFromSleep";
    case RouteChangeReason::noSuitableRouteForCategory:
      return "noSuitableRouteForCategory";
    case RouteChangeReason::routeConfigurationChange:
      return "routeConfigurationChange";
  }
  return "unknown";
}

std::string_view name(Priority p) {
  switch (p) {
    case Priority::ordinary:
      return "ordinary";
    case Priority::call:
      return "call";
    case Priority::siri:
      return "siri";
  }
  return "ordinary";
}

std::string reason_name(const Notification& n) {
  switch (n.type) {
    case NoteType::began:
    case NoteType::ended:
      return std::string(name(static_cast<InterruptionReason>(n.reason)));
    case NoteType::routeChange:
      return std::string(name(static_cast<RouteChangeReason>(n.reason)));
    default:
      return "";
  }
}

nlohmann::ordered_json to_json(const Notification& n) {
  nlohmann::ordered_json j;
  j["type"] = name(n.type);
  j["session"] = ref_json(n.session);
  j["by"] = n.by ? ref_json(*n.by) : nlohmann::ordered_json(nullptr);
  j["reason"] = reason_name(n);
  j["reason_value"] = n.reason;
  j["should_resume"] = n.should_resume;
  j["cause"] = n.cause;
  j["at"] = iso8601(n.at);
  return j;
}

Result<Notification> notification_from_json(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return make_error(Exit::data, fmt::format("malformed session notification: {}", why),
                      "it did not come from this version of soundcheck");
  };
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  try {
    Notification n;
    auto type = parse_note_type(j.at("type").get<std::string>());
    if (!type) return bad(fmt::format("unknown type '{}'", j.at("type").get<std::string>()));
    n.type = *type;
    n.session = ref_from(j.at("session"));
    if (j.contains("by") && !j["by"].is_null()) n.by = ref_from(j["by"]);
    n.reason = j.value("reason_value", 0);
    n.should_resume = j.value("should_resume", false);
    n.cause = j.value("cause", std::string());
    // `at` is informative; the receiver's own clock would do, but keep the sender's.
    std::tm tm{};
    unsigned micros = 0;
    const std::string at = j.value("at", std::string());
    if (sscanf(at.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6uZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &micros) == 7) {
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      n.at =
          std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::microseconds(micros);
    }
    return n;
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<time_t>(us / 1'000'000);
  auto frac = us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string interrupter_text(const Notification& n) {
  std::string what = n.cause.empty() || n.cause == "session" ? "another session" : n.cause;
  if (n.cause == "call") what = "a call";
  if (n.cause == "alarm") what = "an alarm";
  if (n.cause == "siri") what = "a voice assistant (siri)";
  if (!n.by) return what;
  if (n.cause == "session" || n.cause.empty())
    what = fmt::format("a non-mixable {} session", name(n.by->category));
  return fmt::format("{} ({}, pid {})", what, n.by->command, n.by->pid);
}

}  // namespace sc::session
