#include "cli/repair.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/info.h"
#include "cli/output.h"
#include "formats/inspect/file_info.h"

namespace sc::cli {

void setup_repair(CLI::App& parent, RepairOptions& opts, const GlobalOptions& g,
                  std::function<int()>& action) {
  auto* repair = parent.add_subcommand(
      "repair",
      "Make a file that a crash left behind whole again (in place, or into a new file with -o)");
  repair->add_option("file", opts.file, "The file to repair")->type_name("FILE")->required();
  repair
      ->add_option("-o,--output", opts.output,
                   "Write the repaired file here; FILE is left as it is")
      ->type_name("OUT");
  repair->callback([&] { action = [&] { return run_repair(opts, g); }; });
}

int run_repair(const RepairOptions& opts, const GlobalOptions& g) {
  auto r = formats::repair_file(opts.file, opts.output);
  if (!r) return report_error(g, "repair", r.error());
  if (r->changed)
    fmt::print(stderr, "{}: {}\n{} is finalized: {} frames, {}\n", opts.file, r->did, r->output,
               r->after.frames, duration_text(r->after.duration_s));
  else
    fmt::print(stderr, "{}\n", r->did);
  if (g.json) {
    print_json({{"ok", true},
                {"command", "repair"},
                {"file", opts.file},
                {"output", r->output},
                {"changed", r->changed},
                {"did", r->did},
                {"after", file_json(r->after)}});
  }
  return 0;
}

}  // namespace sc::cli
