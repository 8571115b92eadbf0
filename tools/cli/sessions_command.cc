// `remotek sessions list` and `remotek sessions close ID...`: the server's
// sessions (ListSessions) and closing them (CloseSession).
#include <algorithm>
#include <chrono>
#include <iomanip>

#include "absl/strings/str_cat.h"
#include "tools/cli/commands.h"
#include "tools/cli/json_writer.h"

namespace remotek::cli {
namespace {

constexpr char kListUsage[] = "remotek sessions list [--json]";
constexpr char kCloseUsage[] = "remotek sessions close ID [ID...] [--json]";

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "42s", "3m05s", "2h07m", "3d04h".
std::string FormatAge(int64_t ms) {
  const int64_t s = std::max<int64_t>(ms, 0) / 1000;
  char buffer[32];
  if (s < 60) {
    std::snprintf(buffer, sizeof(buffer), "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof(buffer), "%lldm%02llds",
                  static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buffer, sizeof(buffer), "%lldh%02lldm",
                  static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buffer, sizeof(buffer), "%lldd%02lldh",
                  static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buffer;
}

void PrintListJson(const CommandContext& ctx,
                   const std::vector<client::SessionInfo>& sessions,
                   int64_t now_ms) {
  JsonWriter json;
  json.BeginObject().Key("sessions").BeginArray();
  for (const client::SessionInfo& s : sessions) {
    json.BeginObject();
    json.Key("id").String(s.session_id);
    json.Key("backend").String(s.config.backend);
    json.Key("floatx").String(std::string(client::DTypeName(s.config.floatx)));
    json.Key("bytes_held").Int(s.stats.bytes_held);
    json.Key("peak_bytes").Int(s.stats.peak_bytes);
    json.Key("nodes").Int(s.stats.nodes);
    json.Key("variables").Int(s.stats.variables);
    json.Key("functions").Int(s.stats.functions);
    json.Key("created_unix_ms").Int(s.stats.created_unix_ms);
    json.Key("age_ms").Int(
        std::max<int64_t>(0, now_ms - s.stats.created_unix_ms));
    json.EndObject();
  }
  json.EndArray().EndObject();
  ctx.out() << json.str() << "\n";
}

void PrintListText(const CommandContext& ctx,
                   const std::vector<client::SessionInfo>& sessions,
                   int64_t now_ms) {
  std::ostream& out = ctx.out();
  if (sessions.empty()) {
    out << "no sessions\n";
    return;
  }
  size_t id_width = 2, backend_width = 7;
  for (const client::SessionInfo& s : sessions) {
    id_width = std::max(id_width, s.session_id.size());
    backend_width = std::max(backend_width, s.config.backend.size());
  }
  const int iw = static_cast<int>(id_width) + 2;
  const int bw = static_cast<int>(backend_width) + 2;
  out << std::left << std::setw(iw) << "ID" << std::setw(bw) << "BACKEND"
      << std::right << std::setw(12) << "BYTES" << std::setw(7) << "NODES"
      << std::setw(11) << "VARIABLES" << std::setw(11) << "FUNCTIONS"
      << std::setw(8) << "AGE"
      << "\n";
  for (const client::SessionInfo& s : sessions) {
    out << std::left << std::setw(iw) << s.session_id << std::setw(bw)
        << s.config.backend << std::right << std::setw(12) << s.stats.bytes_held
        << std::setw(7) << s.stats.nodes << std::setw(11) << s.stats.variables
        << std::setw(11) << s.stats.functions << std::setw(8)
        << FormatAge(now_ms - s.stats.created_unix_ms) << "\n";
  }
}

int RunList(const CommandContext& ctx, const std::vector<std::string>& extra) {
  if (!extra.empty()) {
    return ctx.FailUsage("remotek sessions list",
                         absl::StrCat("unexpected argument '", extra[0],
                                      "' for 'remotek sessions list'"));
  }
  absl::StatusOr<std::vector<client::SessionInfo>> sessions =
      ctx.NewClient().list_sessions();
  if (!sessions.ok()) return ctx.FailRpc("ListSessions", sessions.status());
  std::sort(sessions->begin(), sessions->end(),
            [](const client::SessionInfo& a, const client::SessionInfo& b) {
              return a.stats.created_unix_ms != b.stats.created_unix_ms
                         ? a.stats.created_unix_ms < b.stats.created_unix_ms
                         : a.session_id < b.session_id;
            });
  const int64_t now_ms = NowUnixMs();
  if (ctx.json()) {
    PrintListJson(ctx, *sessions, now_ms);
  } else {
    PrintListText(ctx, *sessions, now_ms);
  }
  return kExitOk;
}

// Closes every id even when one fails, so `close a b c` does what it can;
// the exit code is that of the first failure.
int RunClose(const CommandContext& ctx, const std::vector<std::string>& ids) {
  if (ids.empty()) {
    return ctx.FailUsage(
        "remotek sessions close",
        "'remotek sessions close' needs at least one session ID");
  }
  const client::Client client = ctx.NewClient();
  int exit_code = kExitOk;
  JsonWriter json;
  json.BeginObject().Key("closed").BeginArray();
  std::vector<std::pair<std::string, absl::Status>> failures;
  for (const std::string& id : ids) {
    const absl::Status status = client.close_session(id);
    if (status.ok()) {
      if (ctx.json()) {
        json.String(id);
      } else {
        ctx.out() << "closed " << id << "\n";
      }
      continue;
    }
    failures.emplace_back(id, status);
    const int code = ctx.FailRpc(absl::StrCat("CloseSession ", id), status);
    if (exit_code == kExitOk) exit_code = code;
  }
  json.EndArray().Key("failed").BeginArray();
  for (const auto& [id, status] : failures) {
    json.BeginObject();
    json.Key("id").String(id);
    json.Key("code").String(absl::StatusCodeToString(status.code()));
    json.Key("message").String(status.message());
    json.EndObject();
  }
  json.EndArray().EndObject();
  if (ctx.json()) ctx.out() << json.str() << "\n";
  return exit_code;
}

int Run(const CommandContext& ctx, const ParsedArgs& args) {
  const std::vector<std::string>& positionals = args.positionals();
  if (positionals.empty()) {
    return ctx.FailUsage("remotek sessions",
                         "'remotek sessions' needs an action: list or close");
  }
  const std::vector<std::string> rest(positionals.begin() + 1,
                                      positionals.end());
  if (positionals[0] == "list") return RunList(ctx, rest);
  if (positionals[0] == "close") return RunClose(ctx, rest);
  return ctx.FailUsage("remotek sessions",
                       absl::StrCat("unknown action '", positionals[0],
                                    "' for 'remotek sessions' (expected list "
                                    "or close)"));
}

std::string SubHelp(const std::string& sub) {
  if (sub == "list") {
    return absl::StrCat(
        "Usage: ", kListUsage,
        "\n\nLists the server's sessions: id, backend, bytes held, nodes,\n"
        "variables, functions and age (oldest first).\n");
  }
  if (sub == "close") {
    return absl::StrCat(
        "Usage: ", kCloseUsage,
        "\n\nCloses each session and frees what it holds. Every ID is tried;\n"
        "the exit code is that of the first failure (1 for an unknown ID).\n");
  }
  return "";
}

}  // namespace

CommandDef SessionsCommand() {
  CommandDef def;
  def.name = "sessions";
  def.summary = "list sessions, or close them by id";
  def.usage = absl::StrCat(kListUsage, "\n       ", kCloseUsage);
  def.details =
      "list   the server's sessions: id, backend, bytes held, nodes,\n"
      "       variables, functions, age\n"
      "close  closes the sessions with the given ids\n";
  def.run = &Run;
  def.sub_help = &SubHelp;
  return def;
}

}  // namespace remotek::cli
