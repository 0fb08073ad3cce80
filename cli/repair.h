// `soundcheck repair FILE [-o OUT]`: makes a file that a crash left behind whole again
// (formats/inspect/file_info.h repair_file).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace sc::cli {

struct GlobalOptions;

struct RepairOptions {
  std::string file;    // FILE
  std::string output;  // -o OUT: write the repaired file here, leave FILE as it is
};

void setup_repair(CLI::App& parent, RepairOptions& opts, const GlobalOptions& g,
                  std::function<int()>& action);

// What it did on stderr (and the JSON document); 0 when repaired or when nothing was needed.
int run_repair(const RepairOptions& opts, const GlobalOptions& g);

}  // namespace sc::cli
