// `soundcheck record`: capture from a device (or the virtual device) into WAV, RF64 or CAF,
// or stream WAV/CAF to stdout, under an audio session (interruptions, resumes, lost devices).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/session/config.h"

namespace sc::cli {

struct GlobalOptions;

struct RecordOptions {
  std::string file;         // positional FILE, or "-"
  std::string output;       // -o FILE (same as the positional)
  std::string format;       // -f
  std::string codec;        // -e
  std::string bitrate;      // -b BPS (aac: 64k, 128000)
  bool fragmented = false;  // --fragmented (m4a)
  std::string rate;         // -r HZ (text: parsed like --preferred-rate)
  unsigned channels = 0;    // -c
  std::string duration;     // -d DUR
  std::string split;        // --split DUR
  bool force = false;
  std::string device;                  // -D SPEC
  std::string on_interrupt = "pause";  // --on-interrupt pause|split|stop
  std::string resume = "auto";         // --resume auto|always|never
  bool retry = false;                  // --retry
  std::string device_wait = "30s";     // --device-wait DUR
  bool follow_default = false;         // --follow-default
  ProfileRequest profile;
};

void setup_record(CLI::App& parent, RecordOptions& opts, const GlobalOptions& g,
                  std::function<int()>& action);

int run_record(const RecordOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
