// Dispatch for `remotek`: global flags are accepted before and after the
// subcommand (`remotek --json info` and `remotek info --json` agree).
#include "tools/cli/cli.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "absl/strings/str_cat.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/cli_context.h"
#include "tools/cli/commands.h"

namespace remotek::cli {
namespace {

constexpr char kDefaultAddress[] = "127.0.0.1:50051";
constexpr char kAddressEnv[] = "REMOTEK_ADDRESS";

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {.name = "address",
       .takes_value = true,
       .value_name = "HOST:PORT",
       .help =
           "server address (default: $REMOTEK_ADDRESS, else 127.0.0.1:50051)"},
      {.name = "timeout",
       .takes_value = true,
       .value_name = "SECONDS",
       .help = "deadline for each RPC (default 10)"},
      {.name = "json", .help = "machine-readable JSON output"},
      {.name = "help", .short_name = 'h', .help = "show help and exit"},
  };
  return *flags;
}

constexpr char kExitCodeHelp[] =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  the server returned an error, or health is NOT_SERVING\n"
    "  2  usage error: unknown command or flag, missing or bad argument\n"
    "  3  cannot connect: UNAVAILABLE or DEADLINE_EXCEEDED\n"
    "  4  local file error: an input cannot be read or parsed, or the output\n"
    "     cannot be written\n"
    "Errors go to stderr as 'remotek: <cause>', with the gRPC code name and "
    "the\n"
    "server's message.\n";

const CommandDef* FindCommand(absl::string_view name) {
  for (const CommandDef& def : AllCommands()) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::string CommandHelp(const CommandDef& def) {
  std::string help = absl::StrCat("Usage: ", def.usage, "\n\n", def.details);
  if (!def.flags.empty()) {
    absl::StrAppend(&help, "\nFlags:\n", FormatFlagHelp(def.flags));
  }
  absl::StrAppend(&help, "\nGlobal flags:\n", FormatFlagHelp(GlobalFlags()),
                  "\n", kExitCodeHelp);
  return help;
}

// --timeout: a positive, finite number of seconds.
absl::StatusOr<std::chrono::milliseconds> ParseTimeout(
    const std::string& text) {
  double seconds = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  if (text.empty() || ec != std::errc() || ptr != end ||
      !std::isfinite(seconds) || seconds <= 0 || seconds > 1e6) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout '", text,
                     "' must be a positive number of seconds (e.g. 2.5)"));
  }
  return std::chrono::milliseconds(
      std::max<int64_t>(1, std::llround(seconds * 1000)));
}

// The command's value of a global flag wins over the top level's.
std::optional<std::string> GlobalValue(const ParsedArgs& top,
                                       const ParsedArgs& sub,
                                       absl::string_view name) {
  if (std::optional<std::string> v = sub.Value(name)) return v;
  return top.Value(name);
}

absl::StatusOr<GlobalOptions> ResolveGlobals(const ParsedArgs& top,
                                             const ParsedArgs& sub) {
  GlobalOptions options;
  if (std::optional<std::string> address = GlobalValue(top, sub, "address")) {
    options.address = *address;
    if (options.address.empty()) {
      return absl::InvalidArgumentError("--address must not be empty");
    }
  } else if (const char* env = std::getenv(kAddressEnv);
             env != nullptr && env[0] != '\0') {
    options.address = env;
  } else {
    options.address = kDefaultAddress;
  }
  if (std::optional<std::string> timeout = GlobalValue(top, sub, "timeout")) {
    absl::StatusOr<std::chrono::milliseconds> parsed = ParseTimeout(*timeout);
    if (!parsed.ok()) return parsed.status();
    options.timeout = *parsed;
  }
  options.json = top.Has("json") || sub.Has("json");
  return options;
}

}  // namespace

std::string TopLevelHelp() {
  std::string help =
      "remotek - command-line client for a RemoteK server\n"
      "\n"
      "Usage: remotek [GLOBAL FLAGS] COMMAND [ARGS]\n"
      "\n"
      "Commands:\n";
  for (const CommandDef& def : AllCommands()) {
    absl::StrAppend(&help, "  ", def.name,
                    std::string(10 - std::min<size_t>(def.name.size(), 9), ' '),
                    def.summary, "\n");
  }
  absl::StrAppend(&help, "\nGlobal flags (before or after the command):\n",
                  FormatFlagHelp(GlobalFlags()),
                  "\nEnvironment:\n"
                  "  REMOTEK_ADDRESS   default for --address\n\n",
                  kExitCodeHelp,
                  "\nRun 'remotek COMMAND --help' for a command's flags.\n");
  return help;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  // Usage errors are reported before the global options are known.
  const CommandContext bare(GlobalOptions{}, out, err);
  absl::StatusOr<ParsedArgs> top = ParseArgs(args, GlobalFlags(), "remotek",
                                             /*stop_at_first_positional=*/true);
  if (!top.ok()) return bare.FailUsage("remotek", top.status().message());
  if (top->Has("help")) {
    out << TopLevelHelp();
    return kExitOk;
  }
  if (top->rest().empty()) {
    return bare.FailUsage("remotek",
                          "missing COMMAND (info, backends, health, "
                          "sessions or eval)");
  }
  const std::string& name = top->rest()[0];
  const CommandDef* def = FindCommand(name);
  if (def == nullptr) {
    return bare.FailUsage("remotek",
                          absl::StrCat("unknown command '", name, "'"));
  }
  const std::string command = absl::StrCat("remotek ", def->name);
  std::vector<FlagSpec> specs = def->flags;
  specs.insert(specs.end(), GlobalFlags().begin(), GlobalFlags().end());
  absl::StatusOr<ParsedArgs> sub = ParseArgs(
      std::vector<std::string>(top->rest().begin() + 1, top->rest().end()),
      specs, command);
  if (!sub.ok()) return bare.FailUsage(command, sub.status().message());
  if (sub->Has("help")) {
    std::string help;
    if (def->sub_help != nullptr && !sub->positionals().empty()) {
      help = def->sub_help(sub->positionals()[0]);
    }
    out << (help.empty() ? CommandHelp(*def) : help);
    return kExitOk;
  }
  absl::StatusOr<GlobalOptions> globals = ResolveGlobals(*top, *sub);
  if (!globals.ok()) return bare.FailUsage(command, globals.status().message());
  const CommandContext ctx(*std::move(globals), out, err);
  return def->run(ctx, *sub);
}

}  // namespace remotek::cli
