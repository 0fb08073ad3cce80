// The format table and --format/--codec resolution (format_table.h).
#include "formats/format_table.h"

#include "core/common/names.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sc::formats {
namespace {

constexpr std::array<Codec, 4> kCodecs = {Codec::pcm16, Codec::pcm24, Codec::pcm32, Codec::float32};

// Indexed by Container.
const std::vector<ContainerInfo>& table() {
  static const std::vector<ContainerInfo> rows = {
      {Container::wav,
       "wav",
       {".wav"},
       {kCodecs.begin(), kCodecs.end()},
       Codec::pcm16,
       "libsndfile",
       "WAV (RIFF); a recording that passes 4 GiB continues as RF64"},
      {Container::rf64,
       "rf64",
       {".rf64"},
       {kCodecs.begin(), kCodecs.end()},
       Codec::pcm16,
       "libsndfile",
       "RF64 (EBU Tech 3306), WAV with 64-bit sizes"},
      {Container::caf,
       "caf",
       {".caf"},
       {kCodecs.begin(), kCodecs.end()},
       Codec::pcm16,
       "libsndfile",
       "Core Audio Format (Apple)"},
  };
  return rows;
}

// The items as text, for sc::join_or.
template <typename Items, typename ToText>
std::vector<std::string> texts(const Items& items, ToText to_text) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(to_text(item));
  return out;
}

std::string format_names() {
  return join_or(texts(table(), [](const ContainerInfo& c) { return std::string(c.name); }));
}

std::string codec_names(const std::vector<Codec>& codecs) {
  return join_or(texts(codecs, [](Codec c) { return std::string(name(c)); }));
}

// "give --format wav|rf64|caf or a name ending in .wav, .rf64 or .caf"
std::string extension_hint() {
  std::string formats;
  std::vector<std::string_view> extensions;
  for (const auto& c : table()) {
    if (!formats.empty()) formats += '|';
    formats += c.name;
    extensions.insert(extensions.end(), c.extensions.begin(), c.extensions.end());
  }
  return fmt::format("give --format {} or a name ending in {}", formats,
                     join_or(texts(extensions, [](std::string_view e) { return std::string(e); })));
}

Result<Container> container_by_name(std::string_view format) {
  const std::string folded = fold_name(format);
  for (const auto& c : table())
    if (c.name == folded) return c.container;
  return make_error(Exit::usage, fmt::format("unknown format '{}'", format),
                    fmt::format("valid formats: {}", format_names()));
}

Result<Container> container_by_extension(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos) {
    return make_error(Exit::usage,
                      fmt::format("cannot tell the format of '{}': it has no extension", path),
                      extension_hint());
  }
  const std::string ext = to_lower(base.substr(dot));
  for (const auto& c : table())
    for (std::string_view e : c.extensions)
      if (e == ext) return c.container;
  return make_error(
      Exit::usage,
      fmt::format("cannot tell the format of '{}': unknown extension '{}'", path, base.substr(dot)),
      extension_hint());
}

}  // namespace

std::span<const ContainerInfo> containers() { return table(); }

const ContainerInfo& info(Container c) { return table().at(static_cast<size_t>(c)); }

std::string_view name(Codec c) {
  switch (c) {
    case Codec::pcm16:
      return "pcm16";
    case Codec::pcm24:
      return "pcm24";
    case Codec::pcm32:
      return "pcm32";
    case Codec::float32:
      return "float32";
  }
  return "?";
}

std::span<const Codec> all_codecs() { return kCodecs; }

unsigned bits(Codec c) {
  switch (c) {
    case Codec::pcm16:
      return 16;
    case Codec::pcm24:
      return 24;
    case Codec::pcm32:
    case Codec::float32:
      return 32;
  }
  return 0;
}

Result<FormatChoice> choose_format(std::string_view path, std::string_view format,
                                   std::string_view codec) {
  Result<Container> container = Container::wav;
  if (!format.empty()) {
    container = container_by_name(format);
  } else if (path == "-") {
    return make_error(Exit::usage, "writing to stdout needs --format",
                      fmt::format("give --format {}", format_names()));
  } else {
    container = container_by_extension(path);
  }
  if (!container) return container.error();
  const ContainerInfo& c = info(*container);

  if (codec.empty()) return FormatChoice{c.container, c.default_codec};
  const std::string folded = fold_name(codec);
  const auto known =
      std::find_if(kCodecs.begin(), kCodecs.end(), [&](Codec k) { return name(k) == folded; });
  if (known == kCodecs.end()) {
    return make_error(Exit::usage, fmt::format("unknown codec '{}'", codec),
                      fmt::format("{} takes {}", c.name, codec_names(c.codecs)));
  }
  if (std::find(c.codecs.begin(), c.codecs.end(), *known) == c.codecs.end()) {
    return make_error(Exit::usage,
                      fmt::format("format {} does not take codec {}", c.name, name(*known)),
                      fmt::format("{} takes {}", c.name, codec_names(c.codecs)));
  }
  return FormatChoice{c.container, *known};
}

}  // namespace sc::formats
