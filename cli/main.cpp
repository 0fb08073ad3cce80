// soundcheck: wires the subcommands together and runs the one asked for.
#include "cli/common.h"

int main(int argc, char** argv) {
  sc::cli::Cli cli;
  return sc::cli::run_cli(cli, argc, argv);
}
