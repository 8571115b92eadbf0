// The cross-language scenario (see README.md) through the C++ client.
//
//   remotek-crosslang-scenario 127.0.0.1:PORT
//
// Prints one JSON document; any error ends the program with exit code 1 and
// the server's code and message on stderr.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "remotek/client.h"

namespace rk = remotek::client;

namespace {

// Error out of Run() with the step that failed.
#define SCENARIO_ASSIGN(lhs, expr, step)                        \
  auto lhs##_or = (expr);                                       \
  if (!lhs##_or.ok()) return Annotate(lhs##_or.status(), step); \
  auto lhs = std::move(*lhs##_or)

absl::Status Annotate(const absl::Status& status, const std::string& step) {
  return absl::Status(status.code(),
                      absl::StrCat(step, ": ", status.message()));
}

// --------------------------------------------------------------- JSON output

std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

std::string DimsJson(const rk::Dims& dims) {
  return absl::StrCat("[", absl::StrJoin(dims, ", "), "]");
}

std::string Hex(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) absl::StrAppendFormat(&out, "%02x", c);
  return out;
}

// Elements as JSON numbers: float32 with 9 significant digits and float64
// with 17 (both round-trip exactly), integers as integers.
std::string ValuesJson(const rk::HostTensor& t) {
  std::vector<std::string> items;
  switch (t.dtype()) {
    case rk::DType::kFloat32:
      for (float v : t.values<float>())
        items.push_back(absl::StrFormat("%.9g", v));
      break;
    case rk::DType::kFloat64:
    case rk::DType::kFloat16:
      for (double v : t.values<double>())
        items.push_back(absl::StrFormat("%.17g", v));
      break;
    case rk::DType::kBool:
      for (bool v : t.values<bool>()) items.push_back(v ? "true" : "false");
      break;
    default:
      for (int64_t v : t.values<int64_t>()) items.push_back(absl::StrCat(v));
      break;
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::string TensorJson(const rk::HostTensor& t) {
  return absl::StrCat(
      "{\"dtype\": ", Quote(std::string(rk::DTypeName(t.dtype()))),
      ", \"shape\": ", DimsJson(t.shape()), ", \"values\": ", ValuesJson(t),
      ", \"hex\": ", Quote(Hex(t.bytes())), "}");
}

std::string SpecJson(const rk::Node& node) {
  return absl::StrCat(
      "{\"dtype\": ", Quote(std::string(rk::DTypeName(node.dtype))),
      ", \"shape\": ", DimsJson(node.shape), "}");
}

std::string ObjectJson(
    const std::vector<std::pair<std::string, std::string>>& items) {
  std::vector<std::string> parts;
  for (const auto& [key, json] : items)
    parts.push_back(absl::StrCat(Quote(key), ": ", json));
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

// -------------------------------------------------------------------- feeds

std::vector<std::vector<rk::HostTensor>> Feeds() {
  std::vector<float> x1(80), x2(80), b1(20), b2(20);
  for (int i = 0; i < 80; ++i) {
    x1[i] = static_cast<float>(((7 * i) % 11 - 5) / 4.0);
    x2[i] = static_cast<float>(((3 * i) % 8) / 8.0 - 0.5);
  }
  for (int j = 0; j < 20; ++j) {
    b1[j] = static_cast<float>(j % 3 - 1);
    b2[j] = static_cast<float>(j / 2.0 - 2);
  }
  auto x = [](const std::vector<float>& v) {
    return rk::HostTensor::FromVector<float>({4, 20, 1}, v);
  };
  auto b = [](const std::vector<float>& v) {
    return rk::HostTensor::FromVector<float>({4, 1, 5}, v);
  };
  return {{x(x1), b(b1)}, {x(x2), b(b2)}};
}

// ----------------------------------------------------------------- scenario

absl::StatusOr<std::string> Run(const std::string& address) {
  std::vector<std::pair<std::string, std::string>> tensors, facts;
  rk::Client client(address);
  SCENARIO_ASSIGN(s, client.create_session(), "create_session");
  SCENARIO_ASSIGN(info, s.info(), "info");
  facts.emplace_back(
      "session",
      ObjectJson(
          {{"floatx", Quote(std::string(rk::DTypeName(info.config.floatx)))},
           {"backend", Quote(info.config.backend)}}));

  constexpr rk::DType kDefault = rk::DType::kInvalid;  // the session's floatx
  SCENARIO_ASSIGN(
      u, s.random_uniform_variable({4, 30, 20}, -1, 1, 1234, kDefault, "u"),
      "u");
  SCENARIO_ASSIGN(
      n, s.random_normal_variable({30, 5}, 0, 0.5, 99, kDefault, "n"), "n");
  SCENARIO_ASSIGN(
      n64,
      s.random_normal_variable({3, 4}, 1, 2, 7, rk::DType::kFloat64, "n64"),
      "n64");
  SCENARIO_ASSIGN(k,
                  s.variable(rk::HostTensor::FromVector<int32_t>(
                                 {2, 3}, {1, -2, 3, 4, 5, -6}),
                             "k"),
                  "k");
  SCENARIO_ASSIGN(one, s.constant(rk::HostTensor::Scalar<int32_t>(1), "one"),
                  "one");
  SCENARIO_ASSIGN(x, s.placeholder({-1, 20, 1}, rk::DType::kFloat32, "x"), "x");
  SCENARIO_ASSIGN(b, s.placeholder({-1, 1, 5}, rk::DType::kFloat32, "b"), "b");
  SCENARIO_ASSIGN(xy, s.batch_dot(x, u, {1, 2}), "batch_dot");
  SCENARIO_ASSIGN(z, s.dot(xy, n), "dot");
  SCENARIO_ASSIGN(zb, s.add(z, b), "add");
  SCENARIO_ASSIGN(pz, s.prod(zb, {2}), "prod(zb)");
  SCENARIO_ASSIGN(pk, s.prod(k, {1}), "prod(k)");
  SCENARIO_ASSIGN(zi, s.cast(zb, rk::DType::kInt32), "cast int32");
  SCENARIO_ASSIGN(z64, s.cast(zb, rk::DType::kFloat64), "cast float64");
  SCENARIO_ASSIGN(k64, s.cast(k, rk::DType::kFloat64), "cast k");
  SCENARIO_ASSIGN(knext, s.add(k, one), "add(k, one)");
  const std::vector<std::pair<std::string, rk::Node>> nodes = {
      {"u", u},     {"n", n},     {"n64", n64}, {"k", k},
      {"one", one}, {"x", x},     {"b", b},     {"xy", xy},
      {"z", z},     {"zb", zb},   {"pz", pz},   {"pk", pk},
      {"zi", zi},   {"z64", z64}, {"k64", k64}, {"knext", knext}};
  for (const auto& [name, node] : nodes)
    facts.emplace_back("spec." + name, SpecJson(node));

  SCENARIO_ASSIGN(
      f, s.function({x, b}, {xy, z, zb, pz, pk, zi, z64, k64}, {{k, knext}}),
      "function");
  const std::vector<std::string> outputs = {"xy", "z",  "zb",  "pz",
                                            "pk", "zi", "z64", "k64"};
  int call = 0;
  for (const std::vector<rk::HostTensor>& feed : Feeds()) {
    ++call;
    SCENARIO_ASSIGN(out, f(feed), absl::StrCat("call ", call));
    if (out.size() != outputs.size()) {
      return absl::InternalError(
          absl::StrCat("call ", call, " gave ", out.size(), " outputs"));
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      tensors.emplace_back(absl::StrCat("call", call, ".", outputs[i]),
                           TensorJson(out[i]));
    }
  }

  const std::vector<std::pair<std::string, rk::Node>> held = {
      {"u", u}, {"n", n}, {"n64", n64}, {"k", k}};
  for (const auto& [name, node] : held) {
    SCENARIO_ASSIGN(value, s.get_value(node),
                    absl::StrCat("get_value(", name, ")"));
    tensors.emplace_back(absl::StrCat("value.", name), TensorJson(value));
  }

  SCENARIO_ASSIGN(cleared, s.clear_session(), "clear_session");
  const rk::SessionStats& st = cleared.stats;
  facts.emplace_back(
      "clear", absl::StrFormat("[%d, %d, %d, %d]", st.bytes_held, st.nodes,
                               st.variables, st.functions));
  SCENARIO_ASSIGN(again, s.zeros({2}, rk::DType::kInt32), "zeros after clear");
  facts.emplace_back("handle_after_clear", Quote(again.handle));
  SCENARIO_ASSIGN(again_value, s.get_value(again), "get_value after clear");
  tensors.emplace_back("value.after_clear", TensorJson(again_value));
  if (absl::Status closed = s.close(); !closed.ok())
    return Annotate(closed, "close");
  facts.emplace_back("closed", "true");

  return ObjectJson({{"client", Quote("cpp")},
                     {"tensors", ObjectJson(tensors)},
                     {"facts", ObjectJson(facts)}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
    return 2;
  }
  absl::StatusOr<std::string> json = Run(argv[1]);
  if (!json.ok()) {
    std::fprintf(stderr, "remotek-crosslang-scenario: %s\n",
                 json.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", json->c_str());
  return 0;
}
