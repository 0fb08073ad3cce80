// `soundcheck route set [--input SPEC] [--output SPEC] [--clear]`: stores the preferred
// devices, by name, in route.toml beside the config file (core/session/route_prefs.h); with
// no flags, prints what is stored. config.toml is never written.
#include <fmt/format.h>

#include <cstdlib>

#include "cli/common.h"
#include "cli/output.h"
#include "cli/route.h"
#include "core/session/route_prefs.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kCmd = "route set";

json stored_json(const std::optional<StoredDevice>& d) {
  if (!d) return nullptr;
  auto text = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"spec", d->spec}, {"api", text(d->api)}, {"id", text(d->id)}, {"name", text(d->name)}};
}

std::string stored_text(const std::optional<StoredDevice>& d) {
  if (!d) return "not set (the default)";
  if (d->spec == "default") return "default (the system default when used)";
  if (d->name.empty() || d->name == d->spec) return d->spec;
  return fmt::format("{} ({})", d->spec, d->name);
}

// What to do: which flags were given (an empty --input "" is given, and refused).
struct Asked {
  bool input = false, output = false;
};

int run_route_set(const RouteSetOptions& opts, const GlobalOptions& g, Asked asked) {
  const bool explicit_config = !g.config.empty();
  const std::string path = route_prefs_path(explicit_config ? g.config : default_config_path());
  const bool change = asked.input || asked.output || opts.clear;

  // Resolve both before writing anything: one bad SPEC stores nothing.
  std::optional<StoredDevice> input, output;
  if (asked.input) {
    auto d = resolve_for_storage(opts.input, audio::Direction::input);
    if (!d) return report_error(g, kCmd, d.error());
    input = *d;
  }
  if (asked.output) {
    auto d = resolve_for_storage(opts.output, audio::Direction::output);
    if (!d) return report_error(g, kCmd, d.error());
    output = *d;
  }

  Result<RoutePrefs> prefs = RoutePrefs{};
  if (opts.clear) {
    // --clear replaces the file without reading it: it is the way out of a broken one.
    RoutePrefs p;
    p.input = input;
    p.output = output;
    if (auto s = save_route_prefs(path, p, !explicit_config); !s)
      return report_error(g, kCmd, s.error());
    prefs = p;
  } else if (change) {
    prefs = update_route_prefs(path, !explicit_config, [&](RoutePrefs& p) {
      if (input) p.input = input;
      if (output) p.output = output;
    });
  } else {
    prefs = load_route_prefs(path);
  }
  if (!prefs) return report_error(g, kCmd, prefs.error());

  // Said on stderr, whatever the output: a variable in this environment wins over the file.
  for (auto [var, stored] : {std::pair{"SOUNDCHECK_INPUT", &prefs->input},
                             std::pair{"SOUNDCHECK_OUTPUT", &prefs->output}}) {
    const char* env = std::getenv(var);
    if (env && *env && *stored)
      fmt::print(stderr, "soundcheck {}: note: {}='{}' is set here and wins over the stored {}\n",
                 kCmd, var, env, var == std::string("SOUNDCHECK_INPUT") ? "input" : "output");
  }

  if (g.json) {
    print_json({{"ok", true},
                {"command", kCmd},
                {"file", path},
                {"changed", change},
                {"input", stored_json(prefs->input)},
                {"output", stored_json(prefs->output)}});
    return 0;
  }
  fmt::print("input:  {}\noutput: {}\nfile:   {}{}\n", stored_text(prefs->input),
             stored_text(prefs->output), path,
             prefs->empty() && change ? " (removed: nothing is stored)" : "");
  return 0;
}

}  // namespace

void setup_route_set(CLI::App& route, RouteSetOptions& opts, const GlobalOptions& g,
                     std::function<int()>& action) {
  auto* set = route.add_subcommand(
      "set",
      "Store the preferred input and output devices (by name, in route.toml beside the config "
      "file); without flags, print them");
  auto* in = set->add_option("--input", opts.input,
                             "Preferred input: a SPEC as -D takes it, resolved now and stored by "
                             "name (`default`: the system default)")
                 ->type_name("SPEC");
  auto* out =
      set->add_option("--output", opts.output, "Preferred output (as --input)")->type_name("SPEC");
  set->add_flag("--clear", opts.clear,
                "Forget the stored devices (then store --input/--output if also given)");
  set->callback([&opts, &g, &action, in, out] {
    const Asked asked{in->count() > 0, out->count() > 0};
    action = [&opts, &g, asked] { return run_route_set(opts, g, asked); };
  });
}

}  // namespace sc::cli
