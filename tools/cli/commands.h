// The `remotek` subcommands. Each lives in its own <name>_command.cc and
// describes itself with a CommandDef: its flags, its help text and the
// function that runs it once the flags have parsed.
//
// A command's Run returns the process exit code (see cli_context.h) after
// writing results to ctx.out() and errors to ctx.err(); it never throws.
#ifndef REMOTEK_TOOLS_CLI_COMMANDS_H_
#define REMOTEK_TOOLS_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "tools/cli/arg_parser.h"
#include "tools/cli/cli_context.h"

namespace remotek::cli {

struct CommandDef {
  std::string name;             // "eval"
  std::string summary;          // one line for `remotek --help`
  std::string usage;            // "remotek eval OP --x A.npy [...]"
  std::string details;          // paragraphs after the usage line in `--help`
  std::vector<FlagSpec> flags;  // the command's own flags (globals are added)
  // `args` holds the command's flags and its positional arguments (the
  // command name itself excluded).
  int (*run)(const CommandContext& ctx, const ParsedArgs& args) = nullptr;
  // Help for a positional-selected sub-level (`sessions list --help`); may
  // be null. Returns "" for an unknown sub-level.
  std::string (*sub_help)(const std::string& sub) = nullptr;
};

CommandDef InfoCommand();
CommandDef BackendsCommand();
CommandDef HealthCommand();
CommandDef SessionsCommand();
CommandDef EvalCommand();

// Every command, in the order `remotek --help` lists them.
const std::vector<CommandDef>& AllCommands();

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_COMMANDS_H_
