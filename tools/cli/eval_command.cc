// `remotek eval OP ...`: one eager op (RunOp) on .npy inputs, in a session
// of its own that is closed afterwards. Local problems are found before the
// server is contacted: bad flags (exit 2), unreadable inputs (exit 4).
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/cli/attr_parser.h"
#include "tools/cli/commands.h"
#include "tools/cli/json_writer.h"
#include "tools/cli/npy_format.h"
#include "tools/cli/tensor_format.h"

namespace remotek::cli {
namespace {

constexpr char kCommand[] = "remotek eval";

struct EvalRequest {
  std::string op;
  std::vector<std::string> input_paths;  // in argument order
  client::Attrs attrs;
  std::string output_path;  // "" prints the result
  std::string backend;      // "" for the server's default
};

// Flags -> EvalRequest; every error is a usage error.
absl::StatusOr<EvalRequest> ParseRequest(const ParsedArgs& args) {
  EvalRequest request;
  if (args.positionals().empty()) {
    return absl::InvalidArgumentError(
        "'remotek eval' needs an OP (e.g. batch_dot)");
  }
  if (args.positionals().size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", args.positionals()[1],
                     "' for 'remotek eval' (one OP only; inputs go in --x, "
                     "--y or --input)"));
  }
  request.op = args.positionals()[0];
  if (args.Has("y") && !args.Has("x")) {
    return absl::InvalidArgumentError("--y needs --x (the first input)");
  }
  if (std::optional<std::string> x = args.Value("x")) {
    request.input_paths.push_back(*x);
  }
  if (std::optional<std::string> y = args.Value("y")) {
    request.input_paths.push_back(*y);
  }
  for (const std::string& path : args.Values("input")) {
    request.input_paths.push_back(path);
  }
  if (request.input_paths.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'remotek eval ", request.op,
        "' needs at least one input (--x, --y or --input FILE.npy)"));
  }
  if (std::optional<std::string> axes = args.Value("axes")) {
    absl::StatusOr<client::AttrValue> value = ParseAxes(*axes);
    if (!value.ok()) return value.status();
    request.attrs.insert_or_assign("axes", *std::move(value));
  }
  for (const std::string& text : args.Values("attr")) {
    absl::StatusOr<std::pair<std::string, client::AttrValue>> attr =
        ParseAttrAssignment(text);
    if (!attr.ok()) return attr.status();
    if (request.attrs.count(attr->first) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr '", attr->first, "' given more than once"));
    }
    request.attrs.insert_or_assign(attr->first, std::move(attr->second));
  }
  request.output_path = args.Value("output").value_or("");
  request.backend = args.Value("backend").value_or("");
  return request;
}

int PrintResult(const CommandContext& ctx, const EvalRequest& request,
                const client::HostTensor& result) {
  if (!request.output_path.empty()) {
    const absl::Status written = WriteNpyFile(request.output_path, result);
    if (!written.ok()) return ctx.Fail(kExitLocalFile, written.message());
  }
  if (ctx.json()) {
    JsonWriter json;
    if (request.output_path.empty()) {
      WriteTensorJson(result, &json);
    } else {
      json.BeginObject();
      json.Key("output").String(request.output_path);
      json.Key("dtype").String(std::string(client::DTypeName(result.dtype())));
      json.Key("shape").BeginArray();
      for (int64_t dim : result.shape()) json.Int(dim);
      json.EndArray().EndObject();
    }
    ctx.out() << json.str() << "\n";
  } else if (request.output_path.empty()) {
    ctx.out() << FormatTensorText(result);
  } else {
    ctx.out() << "wrote " << request.output_path << ": " << result.DebugString()
              << "\n";
  }
  return kExitOk;
}

int Run(const CommandContext& ctx, const ParsedArgs& args) {
  absl::StatusOr<EvalRequest> request = ParseRequest(args);
  if (!request.ok()) return ctx.FailUsage(kCommand, request.status().message());

  std::vector<client::EagerArg> inputs;
  for (const std::string& path : request->input_paths) {
    absl::StatusOr<client::HostTensor> tensor = ReadNpyFile(path);
    if (!tensor.ok())
      return ctx.Fail(kExitLocalFile, tensor.status().message());
    inputs.emplace_back(*std::move(tensor));
  }

  const client::Client client = ctx.NewClient();
  absl::StatusOr<client::Session> session =
      client.create_session({.backend = request->backend});
  if (!session.ok()) return ctx.FailRpc("CreateSession", session.status());
  absl::StatusOr<client::HostTensor> result =
      session->run_op(request->op, std::move(inputs), request->attrs);
  // Close before reporting so the server frees the session even when the op
  // failed; a failed close only warrants a warning, the result stands.
  const absl::Status closed = session->close();
  if (!result.ok()) {
    return ctx.FailRpc(absl::StrCat("RunOp ", request->op), result.status());
  }
  if (!closed.ok()) {
    ctx.err() << "remotek: warning: "
              << DescribeRpcError(absl::StrCat("CloseSession ", session->id()),
                                  closed)
              << "\n";
  }
  return PrintResult(ctx, *request, *result);
}

}  // namespace

CommandDef EvalCommand() {
  CommandDef def;
  def.name = "eval";
  def.summary = "run one op eagerly on .npy inputs";
  def.usage =
      "remotek eval OP --x A.npy [--y B.npy] [--input C.npy ...] [--axes 1,2]\n"
      "                [--attr NAME=VALUE ...] [-o OUT.npy] [--backend B]";
  def.details =
      "Creates a session, runs OP once (RunOp) on the inputs, writes the "
      "result\n"
      "as .npy (or prints it without -o) and closes the session.\n"
      "\n"
      "Inputs, in this order: --x, --y, then each --input. Files are .npy\n"
      "(versions 1.0-3.0, C order, little-endian <f2 <f4 <f8 |i1 <i2 <i4 <i8\n"
      "|u1 |b1).\n"
      "Attr values: true/false -> bool, 3 -> int, 0.5 -> float, 1,2 -> int\n"
      "list, 0.5,1.5 -> float list, anything else -> string.\n"
      "\n"
      "Example:\n"
      "  remotek eval batch_dot --x a.npy --y b.npy --axes 1,2 -o out.npy\n"
      "  remotek eval sum --x a.npy --attr axis=1 --attr keepdims=true\n";
  def.flags = {
      {.name = "x",
       .takes_value = true,
       .value_name = "FILE",
       .help = "first input (.npy)"},
      {.name = "y",
       .takes_value = true,
       .value_name = "FILE",
       .help = "second input (.npy)"},
      {.name = "input",
       .takes_value = true,
       .repeated = true,
       .value_name = "FILE",
       .help = "a further input (.npy), after --x and --y"},
      {.name = "axes",
       .takes_value = true,
       .value_name = "A[,B]",
       .help = "the 'axes' attr (batch_dot): an int or ints like 1,2"},
      {.name = "attr",
       .takes_value = true,
       .repeated = true,
       .value_name = "NAME=VALUE",
       .help = "an op attr (axis=1, keepdims=true, dtype=float32)"},
      {.name = "output",
       .short_name = 'o',
       .takes_value = true,
       .value_name = "FILE",
       .help = "write the result to FILE (.npy) instead of printing it"},
      {.name = "backend",
       .takes_value = true,
       .value_name = "NAME",
       .help = "run on this backend (default: the server's)"},
  };
  def.run = &Run;
  return def;
}

}  // namespace remotek::cli
