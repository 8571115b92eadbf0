// `remotek backends`: the server's backends with their op counts and dtypes
// (ListBackends); `--ops` adds every op name.
#include <algorithm>
#include <iomanip>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands.h"
#include "tools/cli/json_writer.h"

namespace remotek::cli {
namespace {

std::vector<std::string> DTypeNames(const client::BackendInfo& backend) {
  std::vector<std::string> names;
  for (client::DType d : backend.dtypes) {
    names.emplace_back(client::DTypeName(d));
  }
  return names;
}

void PrintJson(const CommandContext& ctx,
               const std::vector<client::BackendInfo>& backends, bool ops) {
  JsonWriter json;
  json.BeginObject().Key("backends").BeginArray();
  for (const client::BackendInfo& b : backends) {
    json.BeginObject();
    json.Key("name").String(b.name);
    json.Key("default").Bool(b.is_default);
    json.Key("op_count").Int(static_cast<int64_t>(b.ops.size()));
    json.Key("dtypes").BeginArray();
    for (const std::string& d : DTypeNames(b)) json.String(d);
    json.EndArray();
    if (ops) {
      json.Key("ops").BeginArray();
      for (const std::string& op : b.ops) json.String(op);
      json.EndArray();
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  ctx.out() << json.str() << "\n";
}

void PrintText(const CommandContext& ctx,
               const std::vector<client::BackendInfo>& backends, bool ops) {
  size_t name_width = 4;  // "NAME"
  for (const client::BackendInfo& b : backends) {
    name_width = std::max(name_width, b.name.size());
  }
  std::ostream& out = ctx.out();
  const int w = static_cast<int>(name_width) + 2;
  out << std::left << std::setw(w) << "NAME" << std::setw(9) << "DEFAULT"
      << std::setw(6) << "OPS"
      << "DTYPES\n";
  for (const client::BackendInfo& b : backends) {
    out << std::left << std::setw(w) << b.name << std::setw(9)
        << (b.is_default ? "*" : "") << std::setw(6) << b.ops.size()
        << absl::StrJoin(DTypeNames(b), ",") << "\n";
  }
  if (!ops) return;
  for (const client::BackendInfo& b : backends) {
    out << "\n" << b.name << " ops (" << b.ops.size() << "):\n";
    for (const std::string& op : b.ops) out << "  " << op << "\n";
  }
}

int Run(const CommandContext& ctx, const ParsedArgs& args) {
  if (!args.positionals().empty()) {
    return ctx.FailUsage(
        "remotek backends",
        absl::StrCat("unexpected argument '", args.positionals()[0],
                     "' for 'remotek backends'"));
  }
  absl::StatusOr<std::vector<client::BackendInfo>> backends =
      ctx.NewClient().list_backends();
  if (!backends.ok()) return ctx.FailRpc("ListBackends", backends.status());
  const bool ops = args.Has("ops");
  if (ctx.json()) {
    PrintJson(ctx, *backends, ops);
  } else {
    PrintText(ctx, *backends, ops);
  }
  return kExitOk;
}

}  // namespace

CommandDef BackendsCommand() {
  CommandDef def;
  def.name = "backends";
  def.summary = "backends with default marker, op count and dtypes";
  def.usage = "remotek backends [--ops] [--json]";
  def.details =
      "Lists the server's backends (ListBackends): the default one is marked\n"
      "'*'; each shows how many ops it supports and its dtypes.\n";
  def.flags = {{.name = "ops", .help = "also list every op of each backend"}};
  def.run = &Run;
  return def;
}

}  // namespace remotek::cli
