// The list of `remotek` subcommands, in help order.
#include "tools/cli/commands.h"

namespace remotek::cli {

const std::vector<CommandDef>& AllCommands() {
  static const auto* commands = new std::vector<CommandDef>{
      InfoCommand(),     BackendsCommand(), HealthCommand(),
      SessionsCommand(), EvalCommand(),
  };
  return *commands;
}

}  // namespace remotek::cli
