// `soundcheck info FILE...`: what audio files are (formats/inspect/file_info.h).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sc::formats {
struct FileInfo;
}

namespace sc::cli {

struct GlobalOptions;

struct InfoOptions {
  std::vector<std::string> files;  // FILE...
};

void setup_info(CLI::App& parent, InfoOptions& opts, const GlobalOptions& g,
                std::function<int()>& action);

// Every file, in order; the exit status is 0 when each was read, else the largest status
// among those that were not (74 I/O > 66 missing > 65 not understood).
int run_info(const InfoOptions& opts, const GlobalOptions& g);

// Shared with repair: a file's fields as `info --json` reports them, and "2.000 s", "1:02.500".
nlohmann::ordered_json file_json(const formats::FileInfo& f);
std::string duration_text(double seconds);

}  // namespace sc::cli
