// `soundcheck route loopback`: not built yet (issue 21).
#include "cli/route.h"

namespace sc::cli {

void setup_route_loopback(CLI::App&, RouteLoopbackOptions&, const GlobalOptions&, std::function<int()>&) {}

}  // namespace sc::cli
