#include "cli/options.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/common.h"
#include "core/audio/device_match.h"

namespace sc::cli {

// The commands a category can serve (SESSION-MODEL.md: record needs input, play output,
// route test both).
std::vector<std::string> commands_for(Category c) {
  std::vector<std::string> out;
  if (has_input(c)) out.emplace_back("record");
  if (has_output(c)) out.emplace_back("play");
  if (c == Category::playAndRecord) out.emplace_back("route test");
  return out;
}

std::vector<std::string> option_names(const Profile& p) {
  std::vector<std::string> out;
  for (auto o : p.options) out.emplace_back(name(o));
  return out;
}

Result<Profile> load_profile(const GlobalOptions& g, std::string_view command,
                             const ProfileRequest& request, Category default_category) {
  const bool explicit_config = !g.config.empty();
  const std::string path = explicit_config ? g.config : default_config_path();
  auto config = load_config(path, explicit_config);
  if (!config) return config.error();
  if (g.verbose) {
    const size_t n = config->profiles.size();
    fmt::print(stderr, "soundcheck {}: config {} ({})\n", command, path.empty() ? "-" : path,
               config->path.empty() ? "absent" : fmt::format("{} profile{}", n, n == 1 ? "" : "s"));
  }
  return resolve_profile(*config, request, default_category);
}

nlohmann::ordered_json profile_json(const Profile& p) {
  using json = nlohmann::ordered_json;
  json j;
  j["name"] = p.name.empty() ? json(nullptr) : json(p.name);
  j["category"] = std::string(name(p.category));
  j["mode"] = std::string(name(p.mode));
  j["options"] = option_names(p);
  j["options_value"] = p.options_value();
  j["mixable"] = is_mixable(p);
  j["input"] = has_input(p.category);
  j["output"] = has_output(p.category);
  j["commands"] = commands_for(p.category);
  j["preferred_rate"] = p.preferred_rate ? json(*p.preferred_rate) : json(nullptr);
  j["io_buffer_s"] = p.io_buffer ? json(to_seconds(*p.io_buffer)) : json(nullptr);
  j["preferred_input"] = p.preferred_input.empty() ? json(nullptr) : json(p.preferred_input);
  j["preferred_output"] = p.preferred_output.empty() ? json(nullptr) : json(p.preferred_output);
  j["background"] = p.background;
  j["notify_others_on_deactivation"] = p.notify_others_on_deactivation;
  return j;
}

void add_profile_options(CLI::App& sub, ProfileRequest& request) {
  const std::string group = "Profile options";
  auto text = [&](const char* flag, std::optional<std::string>& slot, const char* type,
                  const char* help) {
    sub.add_option_function<std::string>(
           flag, [&slot](const std::string& v) { slot = v; }, help)
        ->type_name(type)
        ->group(group);
  };
  text("--profile", request.profile_name, "NAME",
       "A named profile from the config file; flags override its fields");
  text("--category", request.flags.category, "CATEGORY",
       "ambient | soloAmbient | playback | record | playAndRecord | multiRoute");
  text("--mode", request.flags.mode, "MODE",
       "default | voiceChat | videoChat | gameChat | videoRecording | measurement | "
       "moviePlayback | spokenAudio | voicePrompt");
  // Repeatable: --options a --options b is the same as --options a,b.
  sub.add_option_function<std::vector<std::string>>(
         "--options",
         [&request](const std::vector<std::string>& v) {
           std::string joined = request.flags.options.value_or("");
           for (const auto& item : v) joined += (joined.empty() ? "" : ",") + item;
           request.flags.options = joined;
         },
         "Comma-separated category options (mixWithOthers, duckOthers, allowBluetooth, "
         "defaultToSpeaker, ...)")
      ->type_name("LIST")
      // One value per occurrence: `--options mixWithOthers take.wav` leaves the file alone.
      ->allow_extra_args(false)
      ->group(group);
  text("--preferred-rate", request.flags.preferred_rate, "HZ",
       "Preferred sample rate (48000, 44.1k)");
  text("--io-buffer", request.flags.io_buffer, "DURATION",
       "Preferred I/O buffer duration (5ms, 0.005)");
  sub.add_flag("--background", request.background,
               "The process goes to the background once its session is active")
      ->group(group);
  sub.add_flag("--no-notify", request.no_notify, "Deactivate without notifyOthersOnDeactivation")
      ->group(group);
}

Result<OpenedDevice> open_preferred_device(const GlobalOptions& g, std::string_view command,
                                           std::string flag, const ProfileRequest& request,
                                           audio::Direction dir) {
  const bool explicit_config = !g.config.empty();
  auto candidates =
      read_candidates(std::move(flag), explicit_config ? g.config : default_config_path(),
                      explicit_config, request, dir);
  if (!candidates) return candidates.error();
  auto opened = open_chosen_device(*candidates, dir);
  if (!opened) return opened.error();
  if (!opened->notice.empty()) fmt::print(stderr, "soundcheck {}: {}\n", command, opened->notice);
  if (g.verbose)
    fmt::print(stderr, "soundcheck {}: {} '{}' ({})\n", command, audio::direction_name(dir),
               opened->choice.spec, source_name(opened->choice.source));
  return opened;
}

}  // namespace sc::cli
