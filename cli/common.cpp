#include "cli/common.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>

#include "cli/output.h"
#include "core/audio/backends.h"
#include "core/common/names.h"
#include "formats/library_info.h"

#ifndef SOUNDCHECK_VERSION
#define SOUNDCHECK_VERSION "0.0.0"
#endif

namespace sc::cli {
namespace {

std::string version_text() {
  std::string out = fmt::format("soundcheck {}\n", SOUNDCHECK_VERSION);
  for (const auto& [lib, ver] : formats::library_versions())
    out += fmt::format("{} {}\n", lib, ver);
  out += fmt::format("libpulse {}\n", audio::pulse_version());
  const auto apis = audio::compiled_apis();
  out += fmt::format("RtAudio {}", audio::rtaudio_version());
  if (!apis.empty()) out += fmt::format(" (APIs: {})", join_comma(apis));
  return out;
}

nlohmann::ordered_json version_json() {
  nlohmann::ordered_json libs;
  for (const auto& [lib, ver] : formats::library_versions()) libs[lib] = ver;
  libs["libpulse"] = audio::pulse_version();
  libs["rtaudio"] = audio::rtaudio_version();
  return {{"ok", true},
          {"command", "version"},
          {"version", SOUNDCHECK_VERSION},
          {"libraries", libs},
          {"audio_apis", audio::compiled_apis()}};
}

// The chain of subcommands the parse reached, and the deepest one.
std::pair<std::string, const CLI::App*> deepest_command(const CLI::App& app) {
  std::string path;
  const CLI::App* at = &app;
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) {
    at = subs.front();
    path += (path.empty() ? "" : " ") + at->get_name();
  }
  return {path, at};
}

// Every long and short option name usable at `at` (its own and its parents', which fall
// through), as typed: "--category", "-q".
std::vector<std::string> usable_options(const CLI::App* at) {
  std::vector<std::string> out;
  for (; at; at = at->get_parent()) {
    for (const auto* opt : at->get_options()) {
      for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
      for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> subcommand_names(const CLI::App* at) {
  std::vector<std::string> out;
  for (const auto* s : at->get_subcommands([](const CLI::App*) { return true; }))
    out.push_back(s->get_name());
  return out;
}

// --json may be asked for although the parse failed before binding it.
bool asked_for_json(const std::vector<std::string>& typed) {
  return std::find(typed.begin(), typed.end(), "--json") != typed.end();
}

// The first argument, in the order typed, that no command or option took.
std::string first_unexpected(const CLI::App& app, const std::vector<std::string>& typed) {
  const auto left = app.remaining(true);
  for (const auto& arg : typed)
    if (std::find(left.begin(), left.end(), arg) != left.end()) return arg;
  return left.empty() ? std::string() : left.front();
}

// Turns a CLI11 parse error into one line and a hint. CLI11 2.1 names some errors after the
// subcommand that threw them, so the type is told by dynamic_cast, not get_name().
ParseOutcome parse_failure(const Cli& cli, const CLI::ParseError& e,
                           const std::vector<std::string>& typed) {
  auto [path, at] = deepest_command(cli.app);
  const std::string help_cmd =
      path.empty() ? "soundcheck --help" : fmt::format("soundcheck {} --help", path);
  ParseOutcome out;
  out.exit = status(Exit::usage);
  out.command = path;
  out.hint = fmt::format("see '{}'", help_cmd);
  const auto subs = subcommand_names(at);
  const std::string extra = first_unexpected(cli.app, typed);
  const bool is_extra = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
  const bool missing_command = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
                               !subs.empty() && at->get_subcommands().empty();
  if ((is_extra || missing_command) && !extra.empty()) {
    const bool looks_like_option =
        extra.size() > 1 && extra[0] == '-' && !std::isdigit(static_cast<unsigned char>(extra[1]));
    if (looks_like_option) {
      const std::string flag = extra.substr(0, extra.find('='));
      out.message = fmt::format("unknown option '{}'", flag);
      // A one-letter flag is within one edit of every other: suggest only for long ones.
      auto near =
          flag.size() > 2 ? close_matches(flag, usable_options(at)) : std::vector<std::string>{};
      if (!near.empty()) out.hint = fmt::format("did you mean {}? {}", join_or(near), out.hint);
    } else if (!subs.empty()) {
      out.message = fmt::format("unknown command '{}'", extra);
      auto near = close_matches(extra, subs);
      out.hint = near.empty() ? fmt::format("commands: {}; {}", join_comma(subs), out.hint)
                              : fmt::format("did you mean {}? {}", join_or(near), out.hint);
    } else {
      out.message = fmt::format("unexpected argument '{}'", extra);
    }
  } else if (missing_command) {
    out.message = "missing command";
    out.hint = fmt::format("choose one of: {}; {}", join_comma(subs), out.hint);
  } else {
    out.message = e.what();  // CLI11's own words, kept to one line
    std::replace(out.message.begin(), out.message.end(), '\n', ' ');
  }
  return out;
}

}  // namespace

Cli::Cli()
    : app("soundcheck records and plays audio and diagnoses audio devices, with the audio-session "
          "model of iOS (categories, modes, options, interruptions, route changes).",
          "soundcheck") {
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.set_help_flag("-h,--help", "Print this help message and exit");
  app.add_flag("--json", global.json, "Machine output on stdout: one JSON document per command");
  app.add_flag("-q,--quiet", global.quiet, "No meter or progress");
  app.add_flag("-v,--verbose", global.verbose, "More detail on stderr");
  app.add_option("--config", global.config,
                 "Profiles and preferences (default $XDG_CONFIG_HOME/soundcheck/config.toml)")
      ->type_name("FILE");
  app.set_version_flag("--version", version_text, "Print the version and the libraries' versions");
  app.footer(
      "Exit status: 0 done, 1 check failed, 64 usage, 65 bad data, 66 no input, 69 unavailable,\n"
      "70 internal, 73 cannot create, 74 I/O error, 75 interrupted.\n"
      "Global options (--json, -q, -v, --config) go before or after the command. See "
      "soundcheck(1).");
  setup_record(app, record, global, action);
  setup_play(app, play, global, action);
  setup_info(app, info, global, action);
  setup_repair(app, repair, global, action);
  setup_route(app, route, global, action);
  setup_session(app, session, global, action);
}

ParseOutcome parse_args(Cli& cli, std::vector<std::string> args) {
  const std::vector<std::string> typed = args;
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse order
  try {
    cli.app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      if (asked_for_json(typed) && dynamic_cast<const CLI::CallForVersion*>(&e))
        print_json(version_json());
      else
        cli.app.exit(e);  // help stays text: it is for people
      return ParseOutcome{};
    }
    return parse_failure(cli, e, typed);
  }
  if (!cli.action) {
    return ParseOutcome{false, status(Exit::internal), "no command was selected", "", ""};
  }
  return ParseOutcome{true, 0, "", "", deepest_command(cli.app).first};
}

int run_cli(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cli = std::make_unique<Cli>();
  try {
    const ParseOutcome parsed = parse_args(*cli, args);
    if (!parsed.run) {
      if (parsed.exit == 0) return 0;
      GlobalOptions g = cli->global;
      g.json = g.json || asked_for_json(args);
      return report_error(g, parsed.command,
                          make_error(static_cast<Exit>(parsed.exit), parsed.message, parsed.hint));
    }
    formats::set_library_logging(cli->global.verbose);
    return cli->action();
  } catch (const std::exception& e) {
    return report_error(
        cli->global, "",
        make_error(Exit::internal, fmt::format("internal error: {}", e.what()),
                   "this is a bug in soundcheck; please report it with the command line"));
  }
}

}  // namespace sc::cli
