// `soundcheck route show`: not built yet (issue 21).
#include "cli/route.h"

namespace sc::cli {

void setup_route_show(CLI::App&, RouteShowOptions&, const GlobalOptions&, std::function<int()>&) {}

}  // namespace sc::cli
