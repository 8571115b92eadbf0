// remotek-train-mlp: trains a 2-layer MLP remotely through the RemoteK C++
// client, with the server's gradients and a client-side optimizer, and prints
// the loss curve.
//
//   remotek-server --address=127.0.0.1:50051 &
//   remotek-train-mlp --address=127.0.0.1:50051 --optimizer=adam
//
// Mirrors this Keras program (data: three Gaussian blobs in the plane):
//   x = K.placeholder((None, 2)); y = K.placeholder((None, 3))
//   w1 = K.random_normal_variable((2, 16), 0, 0.5, seed=1); b1 = K.zeros((16,))
//   w2 = K.random_normal_variable((16, 3), 0, 0.5, seed=2); b2 = K.zeros((3,))
//   p = K.softmax(K.dot(K.relu(K.dot(x, w1) + b1), w2) + b2)
//   loss = K.mean(K.categorical_crossentropy(y, p))
//   updates = Adam(lr=0.05).get_updates(loss, [w1, b1, w2, b2])
//   train = K.function([x, y], [loss, p], updates)
//   for step in range(steps): loss_value, probs = train([xs, ys])
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "remotek/client.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "host:port of a remotek-server");
ABSL_FLAG(std::string, backend, "",
          "backend for the session (empty: the server's default)");
ABSL_FLAG(std::string, optimizer, "adam", "adam | sgd (with momentum 0.9)");
ABSL_FLAG(int, steps, 60, "full-batch training steps");
ABSL_FLAG(int, points, 100, "points per blob");

namespace rk = remotek::client;

namespace {

constexpr int kClasses = 3;
constexpr int kHidden = 16;

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "remotek-train-mlp: %s: %s\n", what,
               status.ToString().c_str());
  return 1;
}

// Three well-separated blobs (std 1.0 around three centres), one-hot labels.
void MakeBlobs(int per_class, std::vector<float>* xs, std::vector<float>* ys,
               std::vector<int>* labels) {
  const float centres[kClasses][2] = {{0, 3}, {3, -2}, {-3, -2}};
  std::mt19937 gen(7);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (int c = 0; c < kClasses; ++c) {
    for (int i = 0; i < per_class; ++i) {
      xs->push_back(centres[c][0] + noise(gen));
      xs->push_back(centres[c][1] + noise(gen));
      for (int k = 0; k < kClasses; ++k) ys->push_back(k == c ? 1.0f : 0.0f);
      labels->push_back(c);
    }
  }
}

double Accuracy(const std::vector<float>& probs,
                const std::vector<int>& labels) {
  int right = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    int best = 0;
    for (int k = 1; k < kClasses; ++k) {
      if (probs[i * kClasses + k] > probs[i * kClasses + best]) best = k;
    }
    right += best == labels[i];
  }
  return static_cast<double>(right) / labels.size();
}

int Run() {
  rk::Client client(absl::GetFlag(FLAGS_address));
  if (absl::Status s = client.WaitForReady(std::chrono::seconds(5)); !s.ok()) {
    return Fail("connect", s);
  }
  absl::StatusOr<rk::Session> created =
      client.create_session({.backend = absl::GetFlag(FLAGS_backend)});
  if (!created.ok()) return Fail("create_session", created.status());
  rk::Session& s = *created;

#define TRY(var, expr)                                       \
  auto var##_or = (expr);                                    \
  if (!var##_or.ok()) return Fail(#expr, var##_or.status()); \
  auto var = *std::move(var##_or)

  TRY(x, s.placeholder({-1, 2}, rk::DType::kFloat32, "x"));
  TRY(y, s.placeholder({-1, kClasses}, rk::DType::kFloat32, "y"));
  TRY(w1, s.random_normal_variable({2, kHidden}, 0, 0.5, 1));
  TRY(b1, s.zeros({kHidden}));
  TRY(w2, s.random_normal_variable({kHidden, kClasses}, 0, 0.5, 2));
  TRY(b2, s.zeros({kClasses}));
  TRY(h0, s.dot(x, w1));
  TRY(h1, s.add(h0, b1));
  TRY(h, s.relu(h1));
  TRY(z0, s.dot(h, w2));
  TRY(z, s.add(z0, b2));
  TRY(p, s.softmax(z));
  TRY(ce, s.op("categorical_crossentropy", {y, p}));
  TRY(loss, s.mean(ce));

  const std::vector<rk::Node> params = {w1, b1, w2, b2};
  const std::string optimizer = absl::GetFlag(FLAGS_optimizer);
  absl::StatusOr<std::vector<rk::Update>> updates;
  if (optimizer == "adam") {
    updates = rk::Adam({.learning_rate = 0.05}).get_updates(s, loss, params);
  } else if (optimizer == "sgd") {
    updates = rk::Sgd({.learning_rate = 0.1, .momentum = 0.9})
                  .get_updates(s, loss, params);
  } else {
    return Fail("--optimizer", absl::InvalidArgumentError(
                                   "expected adam or sgd, got " + optimizer));
  }
  if (!updates.ok()) return Fail("get_updates", updates.status());
  TRY(train, s.function({x, y}, {loss, p}, *updates));

  std::vector<float> xs, ys;
  std::vector<int> labels;
  MakeBlobs(absl::GetFlag(FLAGS_points), &xs, &ys, &labels);
  const int64_t n = static_cast<int64_t>(labels.size());
  const std::vector<rk::HostTensor> feeds = {
      rk::HostTensor::FromVector<float>({n, 2}, xs),
      rk::HostTensor::FromVector<float>({n, kClasses}, ys)};
  std::printf("training a 2-16-3 MLP with %s on %lld points\n",
              optimizer.c_str(), static_cast<long long>(n));
  double accuracy = 0;
  const int steps = absl::GetFlag(FLAGS_steps);
  for (int step = 1; step <= steps; ++step) {
    TRY(out, train(feeds));
    accuracy = Accuracy(out[1].values<float>(), labels);
    // The loss is of the parameters before this step's update.
    std::printf("step %3d  loss %.6f  accuracy %.3f\n", step,
                out[0].values<float>()[0], accuracy);
  }
  TRY(info, s.clear_session());
  std::printf("final accuracy %.3f\n", accuracy);
  std::printf("after clear_session: bytes_held %lld  nodes %d\n",
              static_cast<long long>(info.stats.bytes_held), info.stats.nodes);
#undef TRY
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
