// soundcheck: wires the subcommands together and runs the one asked for.
#include "cli/common.h"

int main(int argc, char** argv) { return sc::cli::run_cli(argc, argv); }
