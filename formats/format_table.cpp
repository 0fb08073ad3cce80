// The format table and --format/--codec resolution (format_table.h).
#include "formats/format_table.h"

#include "core/common/names.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace sc::formats {
namespace {

constexpr std::array<Codec, 4> kPcm = {Codec::pcm16, Codec::pcm24, Codec::pcm32, Codec::float32};
constexpr std::array<Codec, 7> kCodecs = {Codec::pcm16, Codec::pcm24, Codec::pcm32, Codec::float32,
                                          Codec::aac,   Codec::alac,  Codec::alac24};
// AAC and ALAC carry at most 8 channels (their channel configurations; FFmpeg's encoders).
constexpr unsigned kMaxPacketChannels = 8;

// Indexed by Container.
const std::vector<ContainerInfo>& table() {
  static const std::vector<ContainerInfo> rows = {
      {Container::wav,
       "wav",
       {".wav"},
       {kPcm.begin(), kPcm.end()},
       Codec::pcm16,
       "libsndfile",
       "WAV (RIFF); a recording that passes 4 GiB continues as RF64"},
      {Container::rf64,
       "rf64",
       {".rf64"},
       {kPcm.begin(), kPcm.end()},
       Codec::pcm16,
       "libsndfile",
       "RF64 (EBU Tech 3306), WAV with 64-bit sizes"},
      {Container::caf,
       "caf",
       {".caf"},
       {kCodecs.begin(), kCodecs.end()},
       Codec::pcm16,
       "libsndfile (PCM); FFmpeg's encoders and soundcheck's packet writer (AAC, ALAC)",
       "Core Audio Format (Apple); AAC and ALAC are repairable at every moment (a journal of "
       "packet sizes beside the file) and playable once finalized"},
      {Container::m4a,
       "m4a",
       {".m4a", ".mp4"},
       {Codec::aac, Codec::alac, Codec::alac24},
       Codec::aac,
       "FFmpeg",
       "MPEG-4 audio; fragmented while recording, so playable at every moment, and made plain "
       "(moov first) at a clean stop"},
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

Result<FormatChoice> choose_codec(std::string_view path, std::string_view format,
                                  std::string_view codec);

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
    case Codec::aac:
      return "aac";
    case Codec::alac:
      return "alac";
    case Codec::alac24:
      return "alac24";
  }
  return "?";
}

std::span<const Codec> all_codecs() { return kCodecs; }
std::span<const Codec> pcm_codecs() { return kPcm; }

unsigned bits(Codec c) {
  switch (c) {
    case Codec::pcm16:
    case Codec::alac:
      return 16;
    case Codec::pcm24:
    case Codec::alac24:
      return 24;
    case Codec::pcm32:
    case Codec::float32:
      return 32;
    case Codec::aac:
      return 0;
  }
  return 0;
}

bool is_pcm(Codec c) { return std::find(kPcm.begin(), kPcm.end(), c) != kPcm.end(); }

BitrateRange aac_bitrate_range(unsigned rate, unsigned channels) {
  // 6144 bits per channel per 1024-sample frame: 6 bits per sample per channel.
  return {8000 * channels, 6 * rate * channels};
}

unsigned aac_bitrate(unsigned asked, unsigned rate, unsigned channels) {
  if (asked != 0) return asked;
  const BitrateRange range = aac_bitrate_range(rate, channels);
  return std::clamp(64000 * channels, range.min, std::max(range.min, range.max));
}

Result<FormatChoice> choose_format(std::string_view path, std::string_view format,
                                   std::string_view codec, unsigned bitrate) {
  auto choice = choose_codec(path, format, codec);
  if (!choice) return choice;
  if (bitrate != 0 && choice->codec != Codec::aac) {
    return make_error(Exit::usage, fmt::format("codec {} takes no bitrate", name(choice->codec)),
                      "--bitrate is for -e aac; leave it out, or give -e aac");
  }
  choice->bitrate = bitrate;
  if (path == "-" && choice->container == Container::caf && !is_pcm(choice->codec)) {
    return make_error(
        Exit::usage,
        fmt::format("an {} CAF cannot go to stdout: no reader plays it without the packet table "
                    "written at its end",
                    name(choice->codec)),
        "use -f m4a (fragmented MP4 plays from a pipe), a PCM codec, or record to a file");
  }
  return choice;
}

Status check_format(const FormatChoice& choice, unsigned rate, unsigned channels,
                    std::string_view what) {
  if (is_pcm(choice.codec)) return ok_status();
  const std::string_view codec = name(choice.codec);
  if (channels < 1 || channels > kMaxPacketChannels) {
    return make_error(Exit::usage,
                      fmt::format("cannot write {}: {} takes 1 to {} channels, not {}", what, codec,
                                  kMaxPacketChannels, channels),
                      fmt::format("give -c 1 to -c {}, or a PCM codec", kMaxPacketChannels));
  }
  if (choice.codec != Codec::aac) {
    if (rate < 1 || rate > 384000) {
      return make_error(Exit::usage, fmt::format("cannot write {}: {} at {} Hz", what, codec, rate),
                        "give a rate from 1 to 384000 Hz");
    }
    return ok_status();
  }
  // The rates FFmpeg's AAC encoder takes (the sampling-frequency indexes of MPEG-4 audio).
  const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (aac == nullptr) {
    return make_error(Exit::unavailable, "this FFmpeg has no AAC encoder",
                      "install Debian's libavcodec59");
  }
  std::vector<std::string> rates;
  bool rate_ok = aac->supported_samplerates == nullptr;
  for (const int* r = aac->supported_samplerates; r != nullptr && *r != 0; ++r) {
    rates.push_back(std::to_string(*r));
    rate_ok = rate_ok || static_cast<unsigned>(*r) == rate;
  }
  if (!rate_ok) {
    return make_error(Exit::usage, fmt::format("cannot write {}: aac at {} Hz", what, rate),
                      fmt::format("aac takes {} Hz (-r), or use -e alac", join_or(rates)));
  }
  const BitrateRange range = aac_bitrate_range(rate, channels);
  const unsigned bitrate = aac_bitrate(choice.bitrate, rate, channels);
  if (bitrate < range.min || bitrate > range.max) {
    return make_error(
        Exit::usage,
        fmt::format("cannot write {}: aac at {} Hz with {} channel{} takes {} to {} b/s, not {}",
                    what, rate, channels, channels == 1 ? "" : "s", range.min, range.max, bitrate),
        fmt::format("give -b from {}k to {}k", (range.min + 999) / 1000, range.max / 1000));
  }
  return ok_status();
}

Result<unsigned> parse_bitrate(std::string_view text) {
  std::string_view num = text;
  double scale = 1;
  if (!num.empty() && (num.back() == 'k' || num.back() == 'K')) {
    scale = 1000;
    num.remove_suffix(1);
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  const double bps = v * scale;
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || bps < 1 || bps > 10e6 ||
      std::fabs(bps - std::round(bps)) > 1e-6) {
    return make_error(Exit::usage, fmt::format("--bitrate: '{}' is not a bitrate", text),
                      "give bits per second, e.g. -b 64k or -b 128000");
  }
  return static_cast<unsigned>(std::lround(bps));
}

namespace {
// choose_format without the bitrate.
Result<FormatChoice> choose_codec(std::string_view path, std::string_view format,
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

}  // namespace

}  // namespace sc::formats
