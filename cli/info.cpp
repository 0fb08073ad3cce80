#include "cli/info.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "cli/common.h"
#include "cli/output.h"
#include "formats/inspect/file_info.h"

namespace sc::cli {

using json = nlohmann::ordered_json;

json file_json(const formats::FileInfo& f) {
  return {{"file", f.path},
          {"format", f.format},
          {"codec", f.codec},
          {"rate", f.rate},
          {"channels", f.channels},
          {"frames", f.frames},
          {"duration_s", f.duration_s},
          {"bitrate", f.bitrate > 0 ? json(f.bitrate) : json(nullptr)},
          {"finalized", f.finalized},
          {"writing", f.writing},
          {"repair", f.repair ? json(*f.repair) : json(nullptr)}};
}

// "1:02:03.500" or "2.000 s".
std::string duration_text(double s) {
  if (s < 60) return fmt::format("{:.3f} s", s);
  const auto whole = static_cast<long long>(s);
  const double frac = s - static_cast<double>(whole);
  if (whole < 3600)
    return fmt::format("{}:{:06.3f}", whole / 60, static_cast<double>(whole % 60) + frac);
  return fmt::format("{}:{:02}:{:06.3f}", whole / 3600, (whole / 60) % 60,
                     static_cast<double>(whole % 60) + frac);
}

std::string bitrate_text(int64_t bps) {
  if (bps <= 0) return "unknown";
  return fmt::format("{} kb/s", (bps + 500) / 1000);
}

namespace {

void print_file_text(const formats::FileInfo& f) {
  fmt::print("{}\n", f.path);
  fmt::print("  format:     {}\n", f.format);
  fmt::print("  codec:      {}\n", f.codec);
  fmt::print("  rate:       {} Hz\n", f.rate);
  fmt::print("  channels:   {}\n", f.channels);
  fmt::print("  frames:     {}\n", f.frames);
  fmt::print("  duration:   {}\n", duration_text(f.duration_s));
  fmt::print("  bitrate:    {}\n", bitrate_text(f.bitrate));
  fmt::print("  finalized:  {}\n", f.finalized ? "yes" : "no");
  if (f.writing) fmt::print("  writing:    being written by a recorder\n");
  if (f.repair) fmt::print("  repair:     {}\n", *f.repair);
}

void print_error_text(const Error& e, std::string_view command) {
  fmt::print(stderr, "soundcheck {}: {}\n", command, e.message);
  if (!e.hint.empty()) fmt::print(stderr, "hint: {}\n", e.hint);
}

}  // namespace

void setup_info(CLI::App& parent, InfoOptions& opts, const GlobalOptions& g,
                std::function<int()>& action) {
  auto* info = parent.add_subcommand(
      "info",
      "What audio files are: container, codec, rate, channels, frames, duration, bitrate, "
      "finalized or not, and what repair would do");
  info->add_option("file", opts.files, "Audio files (any FFmpeg or libsndfile reads)")
      ->type_name("FILE")
      ->required();
  info->callback([&] { action = [&] { return run_info(opts, g); }; });
}

int run_info(const InfoOptions& opts, const GlobalOptions& g) {
  json files = json::array();
  std::optional<Error> worst;
  bool first = true;
  for (const auto& path : opts.files) {
    auto info = formats::inspect_file(path);
    if (!info) {
      const Error& e = info.error();
      if (!worst || static_cast<int>(e.exit) > static_cast<int>(worst->exit)) worst = e;
      print_error_text(e, "info");
      files.push_back({{"file", path}, {"error", error_json(e)}});
      continue;
    }
    if (g.json) {
      files.push_back(file_json(*info));
    } else {
      if (!first) fmt::print("\n");
      print_file_text(*info);
      first = false;
    }
  }
  if (g.json) {
    json doc{{"ok", !worst}, {"command", "info"}, {"files", files}};
    if (worst) doc["error"] = error_json(*worst);
    print_json(doc);
  }
  return worst ? status(worst->exit) : 0;
}

}  // namespace sc::cli
