// The one table of containers and codecs (STYLE.md 6, after pw-cat's format_info[]): names,
// extensions, the codecs each container takes, the default codec, and which library writes
// it. It drives --format/--codec validation, extension inference, help text and docs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"

namespace sc::formats {

enum class Container { wav, rf64, caf };
enum class Codec { pcm16, pcm24, pcm32, float32 };

struct ContainerInfo {
  Container container;
  std::string_view name;                     // "wav"
  std::vector<std::string_view> extensions;  // ".wav" first
  std::vector<Codec> codecs;                 // the codecs it takes
  Codec default_codec;
  std::string_view library;      // "libsndfile"
  std::string_view description;  // one line for help and man pages
};

std::span<const ContainerInfo> containers();
const ContainerInfo& info(Container c);
std::string_view name(Codec c);
std::span<const Codec> all_codecs();
// Bits per sample as stored (16, 24, 32, 32).
unsigned bits(Codec c);

// What to write: from -f/-e and the file name.
struct FormatChoice {
  Container container;
  Codec codec;
};

// Resolves the container from `format` (-f; empty: from `path`'s extension, case-insensitive)
// and the codec from `codec` (-e; empty: the container's default). `path` "-" (stdout)
// requires `format`. Errors are Exit::usage naming what is wrong, with the valid choices in
// the hint: unknown format or codec, unknown extension, a codec the container does not take.
Result<FormatChoice> choose_format(std::string_view path, std::string_view format,
                                   std::string_view codec);

}  // namespace sc::formats
