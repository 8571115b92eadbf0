// The `remotek` command line: global flags, subcommand dispatch and help.
// main() is a thin wrapper around RunCli so that everything but process
// start-up is testable in-process.
//
//   int code = RunCli({"--address", "127.0.0.1:5000", "health"}, std::cout,
//                     std::cerr);
//
// Thread-safety: RunCli may run concurrently with itself; it reads
// $REMOTEK_ADDRESS.
#ifndef REMOTEK_TOOLS_CLI_CLI_H_
#define REMOTEK_TOOLS_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace remotek::cli {

// Runs the CLI on `args` (argv without the program name) and returns the
// process exit code (0 ok, 1 server error / NOT_SERVING, 2 usage,
// 3 cannot connect, 4 local file error).
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

// `remotek --help`.
std::string TopLevelHelp();

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_CLI_H_
