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

enum class Container { wav, rf64, caf, m4a };
// alac is 16-bit Apple Lossless, alac24 24-bit; aac is AAC-LC by FFmpeg's native encoder.
enum class Codec { pcm16, pcm24, pcm32, float32, aac, alac, alac24 };

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
std::span<const Codec> pcm_codecs();  // pcm16, pcm24, pcm32, float32
// Bits per sample as stored for PCM (16, 24, 32, 32), the source bits for ALAC (16, 24), 0
// for AAC.
unsigned bits(Codec c);
// pcm16..float32: written by libsndfile (or the stream writer); the others are packets of an
// FFmpeg encoder.
bool is_pcm(Codec c);

// What to write: from -f/-e/-b and the file name.
struct FormatChoice {
  Container container;
  Codec codec;
  unsigned bitrate = 0;  // aac: bits per second asked (-b); 0: the default. Others: 0.
};

// AAC's bitrate range for `rate` and `channels`: the floor is 8 kb/s per channel, the ceiling
// what AAC carries, 6144 bits per channel per 1024-sample frame (above it FFmpeg clamps with
// no error: 22050 Hz mono tops out at 132300 b/s).
struct BitrateRange {
  unsigned min;
  unsigned max;
};
BitrateRange aac_bitrate_range(unsigned rate, unsigned channels);
// The bitrate an aac file is written with: `asked`, or 64 kb/s per channel when 0 (clamped
// to the range: 8 kHz mono gives 48 kb/s).
unsigned aac_bitrate(unsigned asked, unsigned rate, unsigned channels);

// Resolves the container from `format` (-f; empty: from `path`'s extension, case-insensitive)
// and the codec from `codec` (-e; empty: the container's default). `path` "-" (stdout)
// requires `format`. `bitrate` (-b) is for aac only (0: not given). Errors are Exit::usage
// naming what is wrong, with the valid choices in the hint: unknown format or codec, unknown
// extension, a codec the container does not take, a bitrate for a codec without one, a
// compressed CAF to stdout (without its packet table no reader can play it).
Result<FormatChoice> choose_format(std::string_view path, std::string_view format,
                                   std::string_view codec, unsigned bitrate = 0);

// -b: "64k", "128000", "96.5k" (bits per second). Exit::usage when it is not a positive
// whole number of bits per second up to 10 Mb/s.
Result<unsigned> parse_bitrate(std::string_view text);

// Whether `choice` can be written at `rate` Hz with `channels` channels: a rate the codec
// takes (AAC: FFmpeg's encoder's list), a channel count it takes (AAC, ALAC: 1 to 8), an aac
// bitrate within aac_bitrate_range. Exit::usage naming the allowed values. `what` names the
// file in the message ("'take.m4a'", "stdout"). The writers check this before they create
// anything, and the CLI as soon as rate and channels are known.
Status check_format(const FormatChoice& choice, unsigned rate, unsigned channels,
                    std::string_view what);

}  // namespace sc::formats
