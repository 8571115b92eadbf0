// `remotek health`: a liveness probe. SERVING when an Echo round trip and a
// GetServerInfo both succeed within one --timeout budget; NOT_SERVING
// otherwise. A probe has two answers, so an unreachable server is exit 1
// here (NOT_SERVING), not the generic exit 3.
#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "tools/cli/commands.h"
#include "tools/cli/json_writer.h"

namespace remotek::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The first failure of the probe, or OK.
struct ProbeResult {
  absl::Status status;
  std::string failed_rpc;
  std::string version;
  double latency_ms = 0;
};

// Each RPC gets what is left of the one budget, so the whole probe finishes
// within --timeout.
client::Client ClientWithin(std::shared_ptr<grpc::Channel> channel,
                            Clock::time_point deadline) {
  client::ClientOptions options;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  options.timeout = std::max(left, std::chrono::milliseconds(1));
  return client::Client(std::move(channel), options);
}

ProbeResult Probe(const CommandContext& ctx) {
  ProbeResult result;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + ctx.options().timeout;
  std::shared_ptr<grpc::Channel> channel =
      client::Client::CreateChannel(ctx.options().address);

  const std::string payload = "remotek-health";
  absl::StatusOr<std::string> echoed =
      ClientWithin(channel, deadline).echo(payload);
  if (!echoed.ok()) {
    result.status = echoed.status();
    result.failed_rpc = "Echo";
    return result;
  }
  if (*echoed != payload) {
    result.status = absl::DataLossError(absl::StrCat(
        "Echo returned '", *echoed, "' instead of '", payload, "'"));
    result.failed_rpc = "Echo";
    return result;
  }
  absl::StatusOr<client::ServerInfo> info =
      ClientWithin(channel, deadline).server_info();
  if (!info.ok()) {
    result.status = info.status();
    result.failed_rpc = "GetServerInfo";
    return result;
  }
  result.version = info->version;
  result.latency_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (Clock::now() > deadline) {
    result.status = absl::DeadlineExceededError(absl::StrCat(
        "round trip took ", result.latency_ms, " ms, over the --timeout"));
    result.failed_rpc = "health";
  }
  return result;
}

int Run(const CommandContext& ctx, const ParsedArgs& args) {
  if (!args.positionals().empty()) {
    return ctx.FailUsage(
        "remotek health",
        absl::StrCat("unexpected argument '", args.positionals()[0],
                     "' for 'remotek health'"));
  }
  const ProbeResult probe = Probe(ctx);
  const bool serving = probe.status.ok();
  if (ctx.json()) {
    JsonWriter json;
    json.BeginObject();
    json.Key("status").String(serving ? "SERVING" : "NOT_SERVING");
    json.Key("address").String(ctx.options().address);
    if (serving) {
      json.Key("version").String(probe.version);
      json.Key("latency_ms").Double(probe.latency_ms);
    } else {
      json.Key("code").String(absl::StatusCodeToString(probe.status.code()));
      json.Key("message").String(probe.status.message());
    }
    json.EndObject();
    ctx.out() << json.str() << "\n";
  } else {
    ctx.out() << (serving ? "SERVING" : "NOT_SERVING") << "\n";
  }
  if (serving) return kExitOk;
  ctx.Fail(kExitServerError,
           absl::StrCat(DescribeRpcError(probe.failed_rpc, probe.status),
                        " (server ", ctx.options().address, ")"));
  return kExitServerError;
}

}  // namespace

CommandDef HealthCommand() {
  CommandDef def;
  def.name = "health";
  def.summary = "SERVING / NOT_SERVING probe (exit 0 / 1)";
  def.usage = "remotek health [--timeout SECONDS] [--json]";
  def.details =
      "Sends an Echo and a GetServerInfo, both within one --timeout budget,\n"
      "and prints SERVING (exit 0) or NOT_SERVING (exit 1, with the cause on\n"
      "stderr). An unreachable server is NOT_SERVING: exit 1, not 3.\n";
  def.run = &Run;
  return def;
}

}  // namespace remotek::cli
