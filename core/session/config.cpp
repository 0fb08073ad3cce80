#include "core/session/config.h"

#include <fmt/format.h>

// Header-only (TOML_HEADER_ONLY=1, the default): not linked to libtomlplusplus.so.
#include <toml++/toml.h>
#include <cstdlib>
#include <filesystem>

#include "core/common/names.h"
#include "core/session/codes.h"

namespace sc {
namespace {

namespace fs = std::filesystem;

std::string where(const std::string& path, const toml::source_region& src) {
  return fmt::format("{}:{}:{}", path, src.begin.line, src.begin.column);
}

Error data_error(std::string message, std::string hint) {
  return make_error(Exit::data, std::move(message), std::move(hint));
}

// A scalar or a list of scalars as text; nullopt with an error for tables and the like.
Result<std::string> value_text(const toml::node& node, const std::string& path,
                               std::string_view key) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto i = node.value<int64_t>(); i && node.is_integer()) return std::to_string(*i);
  if (auto d = node.value<double>(); d && node.is_floating_point()) return fmt::format("{}", *d);
  if (const auto* arr = node.as_array()) {
    std::string joined;
    for (const auto& item : *arr) {
      auto s = item.value<std::string>();
      if (!s) break;
      if (!joined.empty()) joined += ",";
      joined += *s;
    }
    if (joined.size() || arr->empty()) return joined;
  }
  return data_error(
      fmt::format("{}: {} has a value of the wrong type", where(path, node.source()), key),
      "use a string such as \"playAndRecord\", a number, or a list of strings");
}

// Reads the known keys of one profile table; any other key is an error (typo protection).
Result<ProfileFields> read_fields(const toml::table& table, const std::string& path,
                                  std::string_view context, bool route_only) {
  // Accepted keys (folded) -> the field and its canonical name. [route] takes only devices.
  struct Key {
    std::string_view folded, canonical;
    std::optional<std::string> ProfileFields::*member;
    bool in_route;
  };
  static constexpr Key kKeys[] = {
      {"input", "input", &ProfileFields::input, true},
      {"preferredinput", "input", &ProfileFields::input, true},
      {"output", "output", &ProfileFields::output, true},
      {"preferredoutput", "output", &ProfileFields::output, true},
      {"category", "category", &ProfileFields::category, false},
      {"mode", "mode", &ProfileFields::mode, false},
      {"options", "options", &ProfileFields::options, false},
      {"preferredrate", "preferred_rate", &ProfileFields::preferred_rate, false},
      {"rate", "preferred_rate", &ProfileFields::preferred_rate, false},
      {"iobuffer", "io_buffer", &ProfileFields::io_buffer, false},
      {"iobufferduration", "io_buffer", &ProfileFields::io_buffer, false},
  };
  ProfileFields f;
  for (const auto& [k, node] : table) {
    const std::string key = fold_name(k.str());
    std::optional<std::string>* slot = nullptr;
    std::string_view field;
    for (const auto& entry : kKeys) {
      if (entry.folded == key && (entry.in_route || !route_only)) {
        slot = &(f.*entry.member);
        field = entry.canonical;
      }
    }
    if (!slot) {
      return data_error(
          fmt::format("{}: unknown key '{}' in {}", where(path, k.source()), k.str(), context),
          route_only ? "[route] takes input and output"
                     : "a profile takes category, mode, options, preferred_rate, io_buffer, "
                       "input and output");
    }
    auto text = value_text(node, path, k.str());
    if (!text) return text.error();
    *slot = *text;
    f.where[std::string(field)] = fmt::format("{}: {}.{}", where(path, k.source()), context, field);
  }
  return f;
}

// Applies one layer of fields. A value that does not parse is badParam; when it came from
// the file, the message starts with the file, line, column and key.
Status apply(Profile& p, const ProfileFields& f) {
  auto located = [&](const char* field) -> const std::string* {
    auto it = f.where.find(field);
    return it == f.where.end() ? nullptr : &it->second;
  };
  // Messages from the name parsers get the file's place in front.
  auto fail = [&](const char* field, const Error& e) -> Status {
    Error out = session_error(SessionCode::badParam, e.message, e.hint);
    if (const auto* at = located(field)) out.message = *at + ": " + out.message;
    return out;
  };
  // The value parsers name what they parse themselves: the flag, or the file's place.
  auto what = [&](const char* field, const char* flag) {
    const auto* at = located(field);
    return at ? *at : std::string(flag);
  };
  auto fail_value = [&](const Error& e) -> Status {
    return session_error(SessionCode::badParam, e.message, e.hint);
  };
  if (f.category) {
    auto c = parse_category(*f.category);
    if (!c) return fail("category", c.error());
    p.category = *c;
  }
  if (f.mode) {
    auto m = parse_mode(*f.mode);
    if (!m) return fail("mode", m.error());
    p.mode = *m;
  }
  if (f.options) {
    auto o = parse_options(*f.options);
    if (!o) return fail("options", o.error());
    p.options = *o;
  }
  if (f.preferred_rate) {
    auto r = parse_rate(*f.preferred_rate, what("preferred_rate", "--preferred-rate"));
    if (!r) return fail_value(r.error());
    p.preferred_rate = *r;
  }
  if (f.io_buffer) {
    auto b = parse_io_buffer(*f.io_buffer, what("io_buffer", "--io-buffer"));
    if (!b) return fail_value(b.error());
    p.io_buffer = *b;
  }
  if (f.input) p.preferred_input = *f.input;
  if (f.output) p.preferred_output = *f.output;
  return ok_status();
}

}  // namespace

std::string default_config_path() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    return (fs::path(x) / "soundcheck" / "config.toml").string();
  if (const char* h = std::getenv("HOME"); h && *h)
    return (fs::path(h) / ".config" / "soundcheck" / "config.toml").string();
  return "";
}

Result<Config> load_config(const std::string& path, bool must_exist) {
  Config cfg;
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) {
    if (must_exist)
      return make_error(Exit::no_input, fmt::format("config file '{}' not found", path),
                        "check the path given to --config, or leave --config out to use " +
                            default_config_path());
    return cfg;
  }
  if (fs::is_directory(path, ec))
    return make_error(Exit::no_input, fmt::format("config file '{}' is a directory", path),
                      "--config takes a TOML file");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return data_error(fmt::format("{}: {}", where(path, e.source()), e.description()),
                      "fix the TOML syntax; see soundcheck(1) CONFIGURATION for the format");
  }
  cfg.path = path;
  for (const auto& [k, node] : root) {
    const auto* table = node.as_table();
    if (k.str() == "profiles" && table) {
      for (const auto& [name, pnode] : *table) {
        const auto* ptable = pnode.as_table();
        if (!ptable)
          return data_error(
              fmt::format("{}: profiles.{} is not a table", where(path, pnode.source()),
                          name.str()),
              fmt::format("write it as [profiles.{}] followed by its keys", name.str()));
        auto f = read_fields(*ptable, path, "profiles." + std::string(name.str()), false);
        if (!f) return f.error();
        cfg.profiles.emplace(std::string(name.str()), *f);
      }
    } else if (k.str() == "route" && table) {
      auto f = read_fields(*table, path, "[route]", true);
      if (!f) return f.error();
      cfg.route = *f;
    } else {
      return data_error(
          fmt::format("{}: unknown section '{}'", where(path, node.source()), k.str()),
          "the config file has [profiles.NAME] tables and a [route] table");
    }
  }
  return cfg;
}

Result<Profile> resolve_profile(const Config& config, const ProfileRequest& request,
                                Category default_category) {
  Profile p;
  p.category = default_category;
  const std::string file = config.path.empty() ? "config" : config.path;
  if (auto s = apply(p, config.route); !s) return s.error();
  if (request.profile_name) {
    auto it = config.profiles.find(*request.profile_name);
    if (it == config.profiles.end()) {
      std::vector<std::string> names;
      for (const auto& [n, f] : config.profiles) names.push_back(n);
      auto near = close_matches(*request.profile_name, names);
      std::string hint =
          names.empty()  ? fmt::format("define it as [profiles.{}] in {}", *request.profile_name,
                                      config.path.empty() ? default_config_path() : config.path)
          : near.empty() ? fmt::format("profiles in {}: {}", file, join_comma(names))
                         : fmt::format("did you mean {}? profiles in {}: {}", join_or(near), file,
                                       join_comma(names));
      return make_error(Exit::usage,
                        fmt::format("--profile: no profile named '{}'", *request.profile_name),
                        std::move(hint));
    }
    p.name = it->first;
    if (auto s = apply(p, it->second); !s) return s.error();
  }
  if (auto s = apply(p, request.flags); !s) return s.error();
  p.background = request.background;
  p.notify_others_on_deactivation = !request.no_notify;
  if (auto s = validate(p); !s) {
    Error e = s.error();
    if (!p.name.empty())
      e.message += request.flags.any() ? fmt::format(" (profile '{}' with the flags given)", p.name)
                                       : fmt::format(" (profile '{}')", p.name);
    return e;
  }
  return p;
}

}  // namespace sc
