// `soundcheck play FILE...`: play files one after another, without a gap, to an output device
// (two or more with --category multiRoute), under an audio session (interruptions, cork
// requests, ducking).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/session/config.h"

namespace sc::cli {

struct GlobalOptions;

struct PlayOptions {
  std::vector<std::string> files;      // positional FILE...
  std::vector<std::string> devices;    // -D SPEC, repeatable (multiRoute)
  std::string volume;                  // --volume DB|FACTOR: "-6dB", "0.5"
  std::string start;                   // --start DUR into the first file
  std::string duration;                // --duration DUR of audio in all
  std::string on_interrupt = "pause";  // --on-interrupt pause|stop
  ProfileRequest profile;
};

void setup_play(CLI::App& parent, PlayOptions& opts, const GlobalOptions& g,
                std::function<int()>& action);

int run_play(const PlayOptions& opts, const GlobalOptions& g);

// --volume: "-6dB", "+3 dB", "-6db" in decibels; "0.5", "2" as a factor. A plain negative
// number is refused (did they mean dB?). Exit::usage with a hint on anything else. Limits:
// -120 dB (or 0) to +24 dB (16x).
Result<float> parse_volume(std::string_view text);

}  // namespace sc::cli
