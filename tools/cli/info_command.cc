// `remotek info`: the server's version, backends and effective config with
// where each value came from (GetServerInfo).
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands.h"
#include "tools/cli/json_writer.h"

namespace remotek::cli {
namespace {

struct ConfigRow {
  std::string name;
  std::string value;
};

std::vector<ConfigRow> ConfigRows(const client::KerasConfig& config) {
  std::ostringstream epsilon;
  epsilon << config.epsilon;
  return {{"backend", config.backend},
          {"floatx", std::string(client::DTypeName(config.floatx))},
          {"epsilon", epsilon.str()},
          {"image_data_format", config.image_data_format}};
}

std::string SourceOf(const client::ServerInfo& info, const std::string& name) {
  auto it = info.config_sources.find(name);
  return it == info.config_sources.end() ? "unknown" : it->second;
}

void PrintJson(const CommandContext& ctx, const client::ServerInfo& info) {
  JsonWriter json;
  json.BeginObject();
  json.Key("address").String(ctx.options().address);
  json.Key("version").String(info.version);
  json.Key("backends").BeginArray();
  for (const std::string& b : info.backends) json.String(b);
  json.EndArray();
  json.Key("default_backend").String(info.config.backend);
  json.Key("max_message_bytes").Int(info.max_message_bytes);
  json.Key("config").BeginObject();
  json.Key("backend").String(info.config.backend);
  json.Key("floatx").String(std::string(client::DTypeName(info.config.floatx)));
  json.Key("epsilon").Double(info.config.epsilon);
  json.Key("image_data_format").String(info.config.image_data_format);
  json.EndObject();
  json.Key("config_sources").BeginObject();
  for (const auto& [name, source] : info.config_sources) {
    json.Key(name).String(source);
  }
  json.EndObject();
  json.EndObject();
  ctx.out() << json.str() << "\n";
}

void PrintText(const CommandContext& ctx, const client::ServerInfo& info) {
  std::ostream& out = ctx.out();
  std::vector<std::string> backends;
  for (const std::string& b : info.backends) {
    backends.push_back(b == info.config.backend ? absl::StrCat(b, " (default)")
                                                : b);
  }
  out << "server:            " << ctx.options().address << "\n"
      << "version:           " << info.version << "\n"
      << "backends:          " << absl::StrJoin(backends, ", ") << "\n"
      << "default backend:   " << info.config.backend << "\n"
      << "max message bytes: " << info.max_message_bytes << "\n"
      << "config:\n";
  const std::vector<ConfigRow> rows = ConfigRows(info.config);
  size_t value_width = 0;
  for (const ConfigRow& row : rows) {
    value_width = std::max(value_width, row.value.size());
  }
  for (const ConfigRow& row : rows) {
    out << "  " << std::left << std::setw(19) << row.name
        << std::setw(static_cast<int>(value_width) + 2) << row.value << "("
        << SourceOf(info, row.name) << ")\n";
  }
}

int Run(const CommandContext& ctx, const ParsedArgs& args) {
  if (!args.positionals().empty()) {
    return ctx.FailUsage("remotek info", absl::StrCat("unexpected argument '",
                                                      args.positionals()[0],
                                                      "' for 'remotek info'"));
  }
  absl::StatusOr<client::ServerInfo> info = ctx.NewClient().server_info();
  if (!info.ok()) return ctx.FailRpc("GetServerInfo", info.status());
  if (ctx.json()) {
    PrintJson(ctx, *info);
  } else {
    PrintText(ctx, *info);
  }
  return kExitOk;
}

}  // namespace

CommandDef InfoCommand() {
  CommandDef def;
  def.name = "info";
  def.summary = "server version, backends and effective config with sources";
  def.usage = "remotek info [--json]";
  def.details =
      "Asks the server for its version, its backends, the default backend and\n"
      "its effective Keras config (backend, floatx, epsilon, "
      "image_data_format),\n"
      "each with where it came from: default, file, env or flag.\n";
  def.run = &Run;
  return def;
}

}  // namespace remotek::cli
