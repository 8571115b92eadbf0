// Error reporting and client construction shared by the subcommands.
#include "tools/cli/cli_context.h"

#include "absl/strings/str_cat.h"

namespace remotek::cli {

ExitCode ExitCodeForRpcStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    default:
      return kExitServerError;
  }
}

std::string DescribeRpcError(absl::string_view what,
                             const absl::Status& status) {
  // absl names codes exactly as gRPC does (INVALID_ARGUMENT, ...), and the
  // client keeps the server's message verbatim.
  return absl::StrCat(what, ": ", absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

client::Client CommandContext::NewClient() const {
  client::ClientOptions client_options;
  client_options.timeout = options_.timeout;
  return client::Client(options_.address, client_options);
}

int CommandContext::Fail(ExitCode code, absl::string_view message) const {
  err_ << "remotek: " << message << "\n";
  return code;
}

int CommandContext::FailRpc(absl::string_view what,
                            const absl::Status& status) const {
  std::string message = DescribeRpcError(what, status);
  if (ExitCodeForRpcStatus(status) == kExitUnavailable) {
    absl::StrAppend(&message, " (server ", options_.address, ")");
  }
  return Fail(ExitCodeForRpcStatus(status), message);
}

int CommandContext::FailUsage(absl::string_view command,
                              absl::string_view message) const {
  err_ << "remotek: " << message << "\n"
       << "Run '" << command << " --help' for usage.\n";
  return kExitUsage;
}

}  // namespace remotek::cli
