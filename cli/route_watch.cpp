// `soundcheck route watch`: not built yet (issue 21).
#include "cli/route.h"

namespace sc::cli {

void setup_route_watch(CLI::App&, RouteWatchOptions&, const GlobalOptions&, std::function<int()>&) {}

}  // namespace sc::cli
