// dot / batch_dot on the eigen backend against in-process GEMM baselines,
// all measured in the same run:
//   engine        RunOp("dot" | "batch_dot") on CreateEigenBackend(); inputs
//                 pre-allocated and uncounted, the output allocated per call
//                 as in production.
//   stoppable     engine inside a stoppable computation (StopScope with a
//                 deadline check, as every server call runs): large OpenBLAS
//                 products then run in 256-row blocks (backend/eigen/gemm.cc).
//   openblas      cblas_sgemm / cblas_dgemm with OpenBLAS's own threads, one
//                 call per product (a loop over the batch for batch_dot).
//   eigen_pool    Eigen's own threading: a Tensor contraction on a
//                 ThreadPoolDevice of hardware_concurrency threads, one per
//                 product.
//   onednn        RunOp on CreateOnednnBackend() (dnnl::matmul for float32;
//                 float64 falls back to the eigen kernel), measured like
//                 engine; only when built with oneDNN.
// After the benchmarks it prints a table of GFLOP/s (best repetition of each)
// and the ratio engine / best baseline. Suggested run:
//   gemm_benchmark --benchmark_min_time=0.3 --benchmark_repetitions=3 \
//                  --benchmark_enable_random_interleaving=true
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "backend/core/op_registry.h"
#include "backend/core/op_runner.h"
#include "backend/core/run_context.h"
#include "backend/core/tensor.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/eigen/intra_op_pool.h"
#if defined(REMOTEK_HAVE_ONEDNN)
#include "backend/onednn/onednn_backend.h"
#endif
#include "cblas.h"

#define EIGEN_USE_THREADS
#include "unsupported/Eigen/CXX11/Tensor"

namespace remotek {
namespace {

struct Case {
  std::string op;  // "dot" or "batch_dot"
  DType dtype;
  int64_t batch;   // 1 for dot
  int64_t n;       // square n x n products
  std::string Key() const {
    return absl::StrCat(op, "_", DTypeName(dtype), "/",
                        op == "dot" ? "" : absl::StrCat(batch, "x"), n);
  }
  double Flops() const { return 2.0 * batch * n * n * n; }
};

const char* const kVariants[] = {"engine", "stoppable", "openblas", "eigen_pool",
#if defined(REMOTEK_HAVE_ONEDNN)
                                 "onednn",
#endif
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
    for (int64_t n : {256, 512, 1024, 2048}) cases.push_back({"dot", dtype, 1, n});
    cases.push_back({"batch_dot", dtype, 32, 64});
    cases.push_back({"batch_dot", dtype, 64, 128});
    cases.push_back({"batch_dot", dtype, 8, 512});
  }
  return cases;
}

Tensor RandomTensor(DType dtype, const Shape& shape, uint32_t seed) {
  Tensor t = Tensor::Allocate(dtype, shape, nullptr).value();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (dtype == DType::kFloat32) {
      t.data<float>()[i] = static_cast<float>(dist(gen));
    } else {
      t.data<double>()[i] = dist(gen);
    }
  }
  return t;
}

Shape OperandShape(const Case& c) {
  return c.op == "dot" ? Shape({c.n, c.n}) : Shape({c.batch, c.n, c.n});
}

Eigen::ThreadPoolDevice& EigenDevice() {
  static Eigen::ThreadPool* pool =
      new Eigen::ThreadPool(std::max(1u, std::thread::hardware_concurrency()));
  static Eigen::ThreadPoolDevice* device =
      new Eigen::ThreadPoolDevice(pool, pool->NumThreads());
  return *device;
}

template <typename T>
void Blas(const T* a, const T* b, T* c, int n) {
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
                b, n, 0.0f, c, n);
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n,
                b, n, 0.0, c, n);
  }
}

template <typename T>
void EigenPool(const T* a, const T* b, T* c, Eigen::Index n) {
  using In = Eigen::TensorMap<const Eigen::Tensor<T, 2, Eigen::RowMajor>>;
  using Out = Eigen::TensorMap<Eigen::Tensor<T, 2, Eigen::RowMajor>>;
  const Eigen::array<Eigen::IndexPair<int>, 1> dims = {Eigen::IndexPair<int>(1, 0)};
  Out(c, n, n).device(EigenDevice()) = In(a, n, n).contract(In(b, n, n), dims);
}

void SetError(benchmark::State& state, const absl::Status& s) {
  state.SkipWithError(std::string(s.message()).c_str());
}

void RunCase(benchmark::State& state, const Case& c, const std::string& variant) {
  const Tensor x = RandomTensor(c.dtype, OperandShape(c), 1);
  const Tensor y = RandomTensor(c.dtype, OperandShape(c), 2);
  if (variant == "engine" || variant == "stoppable" || variant == "onednn") {
    static const std::unique_ptr<Backend> eigen = CreateEigenBackend();
#if defined(REMOTEK_HAVE_ONEDNN)
    static const std::unique_ptr<Backend> onednn = CreateOnednnBackend();
    const Backend* backend = variant == "onednn" ? onednn.get() : eigen.get();
#else
    const Backend* backend = eigen.get();
#endif
    const OpDef* def = OpRegistry::Global().Find(c.op).value();
    const std::vector<Tensor> inputs = {x, y};
    // What the server's stop check costs: a clock read per check.
    const absl::Time deadline = absl::Now() + absl::Hours(1);
    RunContext run;
    if (variant == "stoppable") {
      run.stop = [deadline] {
        return absl::Now() < deadline ? absl::OkStatus() : absl::DeadlineExceededError("late");
      };
    }
    const StopScope scope(run);
    for (auto _ : state) {
      absl::StatusOr<Tensor> out = RunOp(*backend, *def, inputs, {}, {}, nullptr);
      if (!out.ok()) return SetError(state, out.status());
      benchmark::DoNotOptimize(out->raw_data());
    }
  } else {
    Tensor out = Tensor::Allocate(c.dtype, OperandShape(c), nullptr).value();
    const int64_t step = c.n * c.n;
    const bool blas = variant == "openblas";
    DispatchComputeDType(c.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        const T* a = x.data<T>();
        const T* b = y.data<T>();
        T* o = out.data<T>();
        for (auto _ : state) {
          for (int64_t i = 0; i < c.batch; ++i) {
            if (blas) {
              Blas(a + i * step, b + i * step, o + i * step, static_cast<int>(c.n));
            } else {
              EigenPool(a + i * step, b + i * step, o + i * step, c.n);
            }
          }
          benchmark::ClobberMemory();
        }
      }
    });
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      c.Flops() * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}

// Console output as usual, plus the summary table once everything has run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("GFLOP/s");
      if (it == run.counters.end()) continue;
      const std::string& name = run.run_name.function_name;
      const size_t slash = name.rfind('/');
      double& best = gflops_[name.substr(0, slash)][name.substr(slash + 1)];
      best = std::max(best, it->second.value);
    }
  }

  void PrintSummary() const {
    std::printf("\nGFLOP/s, best repetition; ratio = engine / max(openblas, eigen_pool),"
                " stop/eng = stoppable / engine,"
                " onednn/best = onednn / max(openblas, eigen_pool)\n");
    std::printf("%-26s %10s %10s %10s %10s %8s %8s %10s %11s\n", "case", "engine",
                "stoppable", "openblas", "eigen_pool", "ratio", "stop/eng", "onednn",
                "onednn/best");
    for (const Case& c : Cases()) {
      auto it = gflops_.find(c.Key());
      if (it == gflops_.end()) continue;
      auto get = [&](const char* v) {
        auto f = it->second.find(v);
        return f == it->second.end() ? 0.0 : f->second;
      };
      const double best = std::max(get("openblas"), get("eigen_pool"));
      std::printf("%-26s %10.1f %10.1f %10.1f %10.1f %8.2f %8.2f %10.1f %11.2f\n",
                  c.Key().c_str(), get("engine"), get("stoppable"), get("openblas"),
                  get("eigen_pool"), best > 0 ? get("engine") / best : 0.0,
                  get("engine") > 0 ? get("stoppable") / get("engine") : 0.0, get("onednn"),
                  best > 0 ? get("onednn") / best : 0.0);
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> gflops_;
};

}  // namespace
}  // namespace remotek

int main(int argc, char** argv) {
  using remotek::Case;
  for (const Case& c : remotek::Cases()) {
    for (const char* variant : remotek::kVariants) {
      benchmark::RegisterBenchmark(
          absl::StrCat(c.Key(), "/", variant).c_str(),
          [c, v = std::string(variant)](benchmark::State& state) {
            remotek::RunCase(state, c, v);
          })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::printf("openblas: %s (%s), %d threads; intra-op pool: %d threads\n",
              openblas_get_config(), openblas_get_corename(),
              openblas_get_num_threads(),
              remotek::IntraOpPool::Global().num_threads());
  remotek::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
