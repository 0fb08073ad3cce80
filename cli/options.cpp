#include "cli/options.h"

#include <string>
#include <vector>

namespace sc::cli {

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

}  // namespace sc::cli
