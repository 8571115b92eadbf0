// remotek-example: the Keras backend API through the RemoteK C++ client.
//
//   remotek-server --address=127.0.0.1:50051 &
//   remotek-example --address=127.0.0.1:50051
//
// Mirrors this Keras program:
//   x = K.placeholder(shape=(None, 20, 1), name="x")
//   y = K.random_uniform_variable((32, 30, 20), 0, 1, seed=seed, name="y")
//   w = K.random_normal_variable((30, 4), 0, 0.1, seed=seed, name="w")
//   xy = K.batch_dot(x, y, axes=(1, 2))         # (32, 1, 30)
//   z = K.dot(xy, w)                              # (32, 1, 4)
//   total = K.sum(z)
//   calls = K.zeros(()); one = K.constant(1.0)
//   f = K.function([x], [xy, z, total], updates=[(calls, calls + one)])
//   f([x_value]); f([x_value]); K.get_value(calls)  # 2.0
//   K.clear_session()
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "remotek/client.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "host:port of a remotek-server");
ABSL_FLAG(std::string, backend, "",
          "backend for the session (empty: the server's default)");
ABSL_FLAG(uint64_t, seed, 42, "seed of the random variables");

namespace rk = remotek::client;

namespace {

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "remotek-example: %s: %s\n", what,
               status.ToString().c_str());
  return 1;
}

void Print(const char* name, const rk::HostTensor& t, int count) {
  std::vector<float> v = t.values<float>();
  std::printf("%-6s %-16s", name, t.DebugString().c_str());
  for (int i = 0; i < count && i < static_cast<int>(v.size()); ++i)
    std::printf(" %9.5f", v[i]);
  std::printf("%s\n", static_cast<int>(v.size()) > count ? " ..." : "");
}

// Runs the program; any error ends it with the server's code and message.
int Run() {
  rk::Client client(absl::GetFlag(FLAGS_address));
  if (absl::Status s = client.WaitForReady(std::chrono::seconds(5)); !s.ok()) {
    return Fail("connect", s);
  }
  absl::StatusOr<rk::Session> created =
      client.create_session({.backend = absl::GetFlag(FLAGS_backend)});
  if (!created.ok()) return Fail("create_session", created.status());
  rk::Session& s = *created;
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  std::printf("session %s\n", s.id().c_str());

  // Graph: each call returns the node with the shape the server inferred.
  absl::StatusOr<rk::Node> x =
      s.placeholder({-1, 20, 1}, rk::DType::kFloat32, "x");
  if (!x.ok()) return Fail("placeholder", x.status());
  absl::StatusOr<rk::Node> y = s.random_uniform_variable(
      {32, 30, 20}, 0, 1, seed, rk::DType::kInvalid, "y");
  if (!y.ok()) return Fail("random_uniform_variable", y.status());
  absl::StatusOr<rk::Node> w =
      s.random_normal_variable({30, 4}, 0, 0.1, seed, rk::DType::kInvalid, "w");
  if (!w.ok()) return Fail("random_normal_variable", w.status());
  absl::StatusOr<rk::Node> xy = s.batch_dot(*x, *y, {1, 2});
  if (!xy.ok()) return Fail("batch_dot", xy.status());
  absl::StatusOr<rk::Node> z = s.dot(*xy, *w);
  if (!z.ok()) return Fail("dot", z.status());
  absl::StatusOr<rk::Node> total = s.sum(*z);
  if (!total.ok()) return Fail("sum", total.status());
  absl::StatusOr<rk::Node> calls = s.zeros({}, rk::DType::kInvalid, "calls");
  if (!calls.ok()) return Fail("zeros", calls.status());
  absl::StatusOr<rk::Node> one =
      s.constant(rk::HostTensor::Scalar<float>(1), "one");
  if (!one.ok()) return Fail("constant", one.status());
  absl::StatusOr<rk::Node> next = s.add(*calls, *one);
  if (!next.ok()) return Fail("add", next.status());
  std::printf("x %s  xy %s  z %s\n", rk::DimsToString(x->shape).c_str(),
              rk::DimsToString(xy->shape).c_str(),
              rk::DimsToString(z->shape).c_str());

  absl::StatusOr<rk::Function> f =
      s.function({*x}, {*xy, *z, *total}, {{*calls, *next}});
  if (!f.ok()) return Fail("function", f.status());

  std::vector<float> x_values(32 * 20);
  for (size_t i = 0; i < x_values.size(); ++i)
    x_values[i] = static_cast<float>(i % 7) / 7.0f;
  const rk::HostTensor x_value =
      rk::HostTensor::FromVector<float>({32, 20, 1}, x_values);
  for (int call = 1; call <= 2; ++call) {
    absl::StatusOr<std::vector<rk::HostTensor>> out = (*f)({x_value});
    if (!out.ok()) return Fail("call", out.status());
    std::printf("call %d\n", call);
    Print("xy", (*out)[0], 4);
    Print("z", (*out)[1], 4);
    Print("total", (*out)[2], 1);
  }
  absl::StatusOr<rk::HostTensor> count = s.get_value(*calls);
  if (!count.ok()) return Fail("get_value", count.status());
  Print("calls", *count, 1);

  absl::StatusOr<rk::SessionStats> stats = s.stats();
  if (!stats.ok()) return Fail("stats", stats.status());
  std::printf("bytes_held %lld  nodes %d  variables %d  functions %d\n",
              static_cast<long long>(stats->bytes_held), stats->nodes,
              stats->variables, stats->functions);
  absl::StatusOr<rk::SessionInfo> cleared = s.clear_session();
  if (!cleared.ok()) return Fail("clear_session", cleared.status());
  std::printf("after clear_session: bytes_held %lld  nodes %d\n",
              static_cast<long long>(cleared->stats.bytes_held),
              cleared->stats.nodes);
  if (absl::Status closed = s.close(); !closed.ok())
    return Fail("close", closed);
  std::printf("closed\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
