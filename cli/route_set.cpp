// `soundcheck route set`: not built yet (issue 21).
#include "cli/route.h"

namespace sc::cli {

void setup_route_set(CLI::App&, RouteSetOptions&, const GlobalOptions&, std::function<int()>&) {}

}  // namespace sc::cli
