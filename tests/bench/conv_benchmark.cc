// conv2d on the eigen backend against an im2col + OpenBLAS baseline, both
// measured in the same run:
//   engine     RunOp("conv2d") on CreateEigenBackend(); inputs pre-allocated
//              and uncounted, the output allocated per call as in production.
//   openblas   the textbook lowering written here, independent of the engine:
//              channels_last: the whole (pixels x k_h*k_w*C) patch matrix
//              built in one thread, then one cblas_sgemm / cblas_dgemm with
//              OpenBLAS's own threads; channels_first: per image, the
//              (k_h*k_w*C x pixels) column matrix, then one GEMM
//              kernel^T * columns (Caffe's layout, no transposes). Scratch is
//              allocated once, outside the timed loop.
// After the benchmarks it prints a table of GFLOP/s (2 * N * out_h * out_w *
// filters * k_h * k_w * C per call), the median over repetitions, and the
// ratio engine / openblas. Suggested run:
//   conv_benchmark --benchmark_min_time=0.3 --benchmark_repetitions=5 \
//                  --benchmark_enable_random_interleaving=true
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/op_runner.h"
#include "backend/core/tensor.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/eigen/intra_op_pool.h"
#include "benchmark/benchmark.h"
#include "cblas.h"

namespace remotek {
namespace {

struct Case {
  DType dtype;
  int64_t n, h, w, c;  // x, channels_last sizes
  int64_t k, o;        // k x k kernel, o filters; stride 1
  bool same;
  bool first;  // channels_first
  std::string Key() const {
    return absl::StrCat("conv2d_", DTypeName(dtype), "/", n, "x", h, "x", w,
                        "x", c, "_k", k, "_o", o, same ? "_same" : "_valid",
                        first ? "_channels_first" : "_channels_last");
  }
  int64_t OutH() const { return same ? h : h - k + 1; }
  int64_t OutW() const { return same ? w : w - k + 1; }
  int64_t Pad() const { return same ? (k - 1) / 2 : 0; }
  double Flops() const { return 2.0 * n * OutH() * OutW() * o * k * k * c; }
  Shape XShape() const {
    return first ? Shape({n, c, h, w}) : Shape({n, h, w, c});
  }
};

const char* const kVariants[] = {"engine", "openblas"};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (bool first : {false, true}) {
    // The example: batch 32, 32x32x16 -> 32 filters 3x3.
    cases.push_back({DType::kFloat32, 32, 32, 32, 16, 3, 32, true, first});
    cases.push_back({DType::kFloat32, 32, 32, 32, 16, 3, 32, false, first});
    cases.push_back({DType::kFloat32, 32, 16, 16, 32, 3, 64, true, first});
    cases.push_back({DType::kFloat32, 8, 56, 56, 64, 3, 64, true, first});
    cases.push_back({DType::kFloat32, 4, 32, 32, 128, 3, 512, true,
                     first});  // OpenBLAS route
    cases.push_back(
        {DType::kFloat32, 32, 32, 32, 64, 1, 64, true, first});  // 1x1
    cases.push_back(
        {DType::kFloat32, 32, 28, 28, 1, 5, 32, true, first});  // MNIST-like
    cases.push_back({DType::kFloat64, 32, 32, 32, 16, 3, 32, true, first});
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

template <typename T>
void Gemm(bool trans_a, int m, int n, int k, const T* a, int lda, const T* b,
          int ldb, T* c, int ldc) {
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb,
                0.0f, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, ta, CblasNoTrans, m, n, k, 1.0, a, lda, b, ldb,
                0.0, c, ldc);
  }
}

// The baseline for one call; `scratch` holds the patch / column matrix.
template <typename T>
void Baseline(const Case& c, const T* x, const T* kernel, T* out,
              std::vector<T>& scratch) {
  const int64_t oh = c.OutH(), ow = c.OutW(), pad = c.Pad();
  const int64_t kk = c.k * c.k * c.c, pixels = oh * ow;
  auto inside = [&](int64_t v, int64_t size) { return v >= 0 && v < size; };
  if (!c.first) {
    T* dst = scratch.data();
    for (int64_t b = 0; b < c.n; ++b)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z)
          for (int64_t i = 0; i < c.k; ++i)
            for (int64_t j = 0; j < c.k; ++j, dst += c.c) {
              const int64_t yy = y + i - pad, zz = z + j - pad;
              if (inside(yy, c.h) && inside(zz, c.w)) {
                std::memcpy(dst, x + ((b * c.h + yy) * c.w + zz) * c.c,
                            sizeof(T) * c.c);
              } else {
                std::fill(dst, dst + c.c, T(0));
              }
            }
    Gemm<T>(false, static_cast<int>(c.n * pixels), static_cast<int>(c.o),
            static_cast<int>(kk), scratch.data(), static_cast<int>(kk), kernel,
            static_cast<int>(c.o), out, static_cast<int>(c.o));
    return;
  }
  for (int64_t b = 0; b < c.n; ++b) {
    T* dst = scratch.data();
    for (int64_t i = 0; i < c.k; ++i)
      for (int64_t j = 0; j < c.k; ++j)
        for (int64_t ch = 0; ch < c.c; ++ch) {
          const T* plane = x + (b * c.c + ch) * c.h * c.w;
          for (int64_t y = 0; y < oh; ++y)
            for (int64_t z = 0; z < ow; ++z, ++dst) {
              const int64_t yy = y + i - pad, zz = z + j - pad;
              *dst = inside(yy, c.h) && inside(zz, c.w) ? plane[yy * c.w + zz]
                                                        : T(0);
            }
        }
    Gemm<T>(true, static_cast<int>(c.o), static_cast<int>(pixels),
            static_cast<int>(kk), kernel, static_cast<int>(c.o), scratch.data(),
            static_cast<int>(pixels), out + b * c.o * pixels,
            static_cast<int>(pixels));
  }
}

void RunCase(benchmark::State& state, const Case& c,
             const std::string& variant) {
  const Tensor x = RandomTensor(c.dtype, c.XShape(), 1);
  const Tensor kernel = RandomTensor(c.dtype, Shape({c.k, c.k, c.c, c.o}), 2);
  if (variant == "engine") {
    static const std::unique_ptr<Backend> eigen = CreateEigenBackend();
    const OpDef* def = OpRegistry::Global().Find("conv2d").value();
    const std::vector<Tensor> inputs = {x, kernel};
    const AttrMap attrs = {
        {"padding", std::string(c.same ? "same" : "valid")},
        {"data_format",
         std::string(c.first ? "channels_first" : "channels_last")}};
    for (auto _ : state) {
      absl::StatusOr<Tensor> out =
          RunOp(*eigen, *def, inputs, attrs, {}, nullptr);
      if (!out.ok()) {
        state.SkipWithError(std::string(out.status().message()).c_str());
        return;
      }
      benchmark::DoNotOptimize(out->raw_data());
    }
  } else {
    const int64_t patch_rows =
        c.first ? c.OutH() * c.OutW() : c.n * c.OutH() * c.OutW();
    Tensor out = Tensor::Allocate(
                     c.dtype, Shape({c.n, c.OutH(), c.OutW(), c.o}), nullptr)
                     .value();
    auto run = [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<T> scratch(static_cast<size_t>(patch_rows * c.k * c.k * c.c));
      for (auto _ : state) {
        Baseline<T>(c, x.data<T>(), kernel.data<T>(), out.data<T>(), scratch);
        benchmark::ClobberMemory();
      }
    };
    if (c.dtype == DType::kFloat32) {
      run(TypeTag<float>{});
    } else {
      run(TypeTag<double>{});
    }
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      c.Flops() * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
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
      gflops_[name.substr(0, slash)][name.substr(slash + 1)].push_back(
          it->second.value);
    }
  }

  void PrintSummary() const {
    std::printf(
        "\nGFLOP/s, median over repetitions; ratio = engine / openblas (im2col "
        "+ "
        "cblas gemm)\n");
    std::printf("%-58s %9s %9s %7s\n", "case", "engine", "openblas", "ratio");
    for (const Case& c : Cases()) {
      auto it = gflops_.find(c.Key());
      if (it == gflops_.end()) continue;
      auto get = [&](const char* v) {
        auto f = it->second.find(v);
        return f == it->second.end() ? 0.0 : Median(f->second);
      };
      const double base = get("openblas");
      std::printf("%-58s %9.1f %9.1f %7.2f\n", c.Key().c_str(), get("engine"),
                  base, base > 0 ? get("engine") / base : 0.0);
    }
  }

 private:
  std::map<std::string, std::map<std::string, std::vector<double>>> gflops_;
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
