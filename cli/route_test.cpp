// `soundcheck route test`: not built yet (issue 21).
#include "cli/route.h"

namespace sc::cli {

void setup_route_test(CLI::App&, RouteTestOptions&, const GlobalOptions&, std::function<int()>&) {}

}  // namespace sc::cli
