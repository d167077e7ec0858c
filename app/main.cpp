// The `vkae` executable: everything lives in the vkae_app library (app/cli.hpp parses and runs); main only
// hands over the arguments and returns the exit code.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return vkae::app::run_cli(argc, argv);
}
