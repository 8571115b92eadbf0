// What every `remotek` subcommand shares: the global options, the output
// streams, the exit codes scripts rely on, and how errors are reported
// (`remotek: <cause>` on stderr, with the gRPC code name and the server's
// message for RPC failures).
//
// Thread-safety: a CommandContext is used by one command on one thread.
#ifndef REMOTEK_TOOLS_CLI_CLI_CONTEXT_H_
#define REMOTEK_TOOLS_CLI_CLI_CONTEXT_H_

#include <chrono>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "remotek/client.h"

namespace remotek::cli {

// Exit codes, documented in `remotek --help`.
enum ExitCode : int {
  kExitOk = 0,
  kExitServerError = 1,  // the server returned an error, or NOT_SERVING
  kExitUsage = 2,        // unknown subcommand or flag, missing/bad argument
  kExitUnavailable = 3,  // cannot connect: UNAVAILABLE or DEADLINE_EXCEEDED
  kExitLocalFile = 4,    // a local file cannot be read, parsed or written
};

// kExitUnavailable for UNAVAILABLE / DEADLINE_EXCEEDED, else kExitServerError.
ExitCode ExitCodeForRpcStatus(const absl::Status& status);

// "RunOp batch_dot: INVALID_ARGUMENT: batch_dot: axes[1]=3 is out of range".
std::string DescribeRpcError(absl::string_view what,
                             const absl::Status& status);

struct GlobalOptions {
  std::string address = "127.0.0.1:50051";
  std::chrono::milliseconds timeout{10000};  // per RPC
  bool json = false;
};

class CommandContext {
 public:
  CommandContext(GlobalOptions options, std::ostream& out, std::ostream& err)
      : options_(std::move(options)), out_(out), err_(err) {}

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  std::ostream& out() const { return out_; }
  std::ostream& err() const { return err_; }

  // A client for --address with --timeout as every unary call's deadline.
  client::Client NewClient() const;

  // Prints `remotek: <message>` to stderr and returns `code`.
  int Fail(ExitCode code, absl::string_view message) const;
  // Fail() for a failed RPC: the code name and message, exit 1 or 3.
  int FailRpc(absl::string_view what, const absl::Status& status) const;
  // A usage error, plus a pointer to `command --help`.
  int FailUsage(absl::string_view command, absl::string_view message) const;

 private:
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_CLI_CONTEXT_H_
