#include "cli/session.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "core/common/names.h"
#include "core/session/codes.h"

namespace sc::cli {
namespace {

// Advice worth a line for this profile.
std::vector<std::string> notes_for(const Profile& p) {
  std::vector<std::string> notes;
  if (!p.options.empty())
    notes.emplace_back(
        "on iOS, setMode: alone resets the category options; set category, mode and options "
        "together (setCategory:mode:options:error:)");
  if (p.background && !is_mixable(p))
    notes.emplace_back(fmt::format(
        "this profile is not mixable: from the background it cannot activate again after an "
        "interruption (!int, {}); add --options mixWithOthers to let it resume",
        info(SessionCode::cannotInterruptOthers).osstatus));
  if (p.mode == Mode::measurement)
    notes.emplace_back(
        "measurement mode asks the device for its native rate and turns every "
        "processing step off");
  if (p.has(CategoryOption::duckOthers))
    notes.emplace_back(
        "duckOthers lowers the output of the other active sessions while this one "
        "is active");
  return notes;
}

void print_profile_text(const Profile& p, const std::vector<std::string>& notes) {
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  const auto opts = option_names(p);
  const auto cmds = commands_for(p.category);
  fmt::print("profile      {}\n", p.name.empty() ? "(from flags)" : p.name);
  fmt::print("category     {} (input {}, output {})\n", name(p.category),
             yes(has_input(p.category)), yes(has_output(p.category)));
  fmt::print("mode         {}\n", name(p.mode));
  fmt::print("options      {}\n",
             opts.empty() ? std::string("none")
                          : fmt::format("{} (0x{:x})", join_comma(opts), p.options_value()));
  fmt::print("mixable      {}\n", yes(is_mixable(p)));
  fmt::print("serves       {}\n", cmds.empty() ? std::string("nothing") : join_comma(cmds));
  fmt::print("sample rate  {}\n", p.preferred_rate
                                      ? fmt::format("{} Hz preferred", *p.preferred_rate)
                                      : std::string("the device's"));
  fmt::print("I/O buffer   {}\n", p.io_buffer ? format_duration(*p.io_buffer) + " preferred"
                                              : std::string("the device's"));
  fmt::print("input        {}\n", p.preferred_input.empty() ? "default" : p.preferred_input);
  fmt::print("output       {}\n", p.preferred_output.empty() ? "default" : p.preferred_output);
  fmt::print("background   {}\n", yes(p.background));
  fmt::print("notify       {}\n",
             p.notify_others_on_deactivation
                 ? "yes (deactivates with notifyOthersOnDeactivation)"
                 : "no (--no-notify: the sessions it interrupted are not told to resume)");
  for (const auto& n : notes) fmt::print("note: {}\n", n);
}

nlohmann::ordered_json code_json(const SessionCodeInfo& c, std::string_view input) {
  using json = nlohmann::ordered_json;
  json j;
  if (!input.empty()) j["input"] = std::string(input);
  j["name"] = std::string(c.name);
  j["fourcc"] = c.fourcc.empty() ? json(nullptr) : json(std::string(c.fourcc));
  j["osstatus"] = c.osstatus;
  j["hex"] = fmt::format("0x{:08x}", static_cast<uint32_t>(c.osstatus));
  j["meaning"] = std::string(c.meaning);
  j["cause"] = std::string(c.cause);
  j["fix"] = std::string(c.fix);
  j["exit"] = static_cast<int>(c.exit);
  return j;
}

void print_code_text(const SessionCodeInfo& c) {
  fmt::print("{}  {}  {}  0x{:08x}\n", c.name,
             c.fourcc.empty() ? "-" : fmt::format("'{}'", c.fourcc), c.osstatus,
             static_cast<uint32_t>(c.osstatus));
  fmt::print("  meaning: {}\n  cause:   {}\n  fix:     {}\n", c.meaning, c.cause, c.fix);
}

}  // namespace

void setup_session(CLI::App& parent, SessionOptions& opts, const GlobalOptions& g,
                   std::function<int()>& action) {
  auto* session = parent.add_subcommand(
      "session",
      "Audio sessions: check profiles, decode error codes, list, watch, hold and interrupt "
      "sessions");
  session->require_subcommand(1);

  auto* check = session->add_subcommand("check", "Validate a profile and print it resolved");
  add_profile_options(*check, opts.check.profile);
  check->callback([&] { action = [&] { return run_session_check(opts.check, g); }; });

  auto* decode = session->add_subcommand(
      "decode", "Explain AVAudioSession error codes: name, four characters, integer, cause, fix");
  decode
      ->add_option("code", opts.decode.codes,
                   "560557684 | 0x21696e74 | '!int' | cannotInterruptOthers | -50")
      ->type_name("CODE");
  decode->add_flag("--list", opts.decode.list, "Explain every code");
  decode->callback([&] { action = [&] { return run_session_decode(opts.decode, g); }; });

  setup_session_list(*session, opts, g, action);
  setup_session_hold(*session, opts, g, action);
}

int run_session_check(const SessionCheckOptions& opts, const GlobalOptions& g) {
  auto profile = load_profile(g, "session check", opts.profile, Category::soloAmbient);
  if (!profile) return report_error(g, "session check", profile.error());
  const auto notes = notes_for(*profile);
  if (g.json) {
    print_json({{"ok", true},
                {"command", "session check"},
                {"profile", profile_json(*profile)},
                {"notes", notes}});
  } else {
    print_profile_text(*profile, notes);
  }
  return 0;
}

int run_session_decode(const SessionDecodeOptions& opts, const GlobalOptions& g) {
  std::vector<std::pair<std::string, const SessionCodeInfo*>> found;
  if (opts.list)
    for (const auto& c : session_codes()) found.emplace_back("", &c);
  if (!opts.list && opts.codes.empty())
    return report_error(g, "session decode",
                        make_error(Exit::usage, "no code given",
                                   "give one or more codes: soundcheck session decode 560557684 "
                                   "'!pri' -50, or --list for all"));
  std::optional<Error> first_error;
  for (const auto& input : opts.codes) {
    auto c = decode_session_code(input);
    if (c)
      found.emplace_back(input, *c);
    else if (!first_error)
      first_error = c.error();
  }
  if (g.json) {
    nlohmann::ordered_json codes = nlohmann::ordered_json::array();
    for (const auto& [input, c] : found) codes.push_back(code_json(*c, input));
    nlohmann::ordered_json doc{
        {"ok", !first_error}, {"command", "session decode"}, {"codes", codes}};
    if (first_error) doc["error"] = error_json(*first_error);
    print_json(doc);
  } else {
    for (size_t i = 0; i < found.size(); ++i) {
      if (i > 0) fmt::print("\n");
      print_code_text(*found[i].second);
    }
    std::fflush(stdout);
  }
  if (first_error) {
    // The JSON document above already carries the error; say it on stderr for people.
    GlobalOptions text_only = g;
    text_only.json = false;
    return report_error(text_only, "session decode", *first_error);
  }
  return 0;
}

}  // namespace sc::cli
