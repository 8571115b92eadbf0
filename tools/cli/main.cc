// `remotek`: the RemoteK command-line client. See cli.h and README.md.
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = remotek::cli::RunCli(args, std::cout, std::cerr);
  std::cout.flush();
  return code;
}
