// Every row of the conformance table (op_cases.cc) on every built-in backend,
// each backend's output compared with the reference backend's, plus checks
// that the table covers every registered op and that the output matches the
// op's static Infer (concrete and with unknown dims).
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/op_registry.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/eigen/gemm.h"
#if defined(REMOTEK_HAVE_ONEDNN)
#include "backend/onednn/onednn_backend.h"
#endif
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/op_case.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek::conformance {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

struct NamedBackend {
  std::string name;
  std::unique_ptr<Backend> backend;
};

// Every built-in backend, the reference first (it is the oracle).
const std::vector<NamedBackend>& Backends() {
  static const auto* backends = [] {
    auto* v = new std::vector<NamedBackend>;
    v->push_back({"reference", CreateReferenceBackend()});
    v->push_back({"eigen", CreateEigenBackend()});
#if defined(REMOTEK_HAVE_ONEDNN)
    v->push_back({"onednn", CreateOnednnBackend()});
    // Most rows are below the sizes where oneDNN pays off; this one runs
    // them through oneDNN anyway, so every row checks the oneDNN paths.
    v->push_back({"onednn_without_speed_routing",
                  CreateOnednnBackendWithoutSpeedRoutingForTest()});
#endif
    return v;
  }();
  return *backends;
}

// Counters for the summary printed at the end of the run.
struct Counts {
  int rows = 0;
  int runs = 0;         // (row, dtype) pairs
  int comparisons = 0;  // (row, dtype, backend) outputs compared
  std::map<std::string, std::set<std::string>> dtypes_by_op;
};
Counts& Tally() {
  static Counts counts;
  return counts;
}

class SummaryPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    const Counts& c = Tally();
    std::printf("conformance: %d rows, %d (row x dtype) runs, %d (row x dtype x "
                "backend) comparisons, %zu ops\n",
                c.rows, c.runs, c.comparisons, c.dtypes_by_op.size());
    for (const auto& [op, dtypes] : c.dtypes_by_op) {
      std::printf("  %-26s %s\n", op.c_str(), absl::StrJoin(dtypes, " ").c_str());
    }
  }
};
const auto* const kSummary = ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

// The op's static Infer must agree with what ran: equal on the concrete
// shapes, and compatible when every dim (or only dim 0) is unknown.
void CheckStaticInfer(const OpCase& c, DType dtype, const Tensor& out,
                      const std::string& where) {
  const std::vector<TensorSpec> specs = SpecsFor(c, dtype);
  const OpDef* def = OpRegistry::Global().Find(c.op).value();
  absl::StatusOr<InferResult> concrete = InferOp(*def, specs, c.attrs, c.config);
  ASSERT_TRUE(concrete.ok()) << where << ": " << concrete.status();
  EXPECT_EQ(concrete->output.dtype, out.dtype()) << where;
  EXPECT_EQ(concrete->output.shape, out.shape()) << where;
  for (bool only_first : {false, true}) {
    std::vector<TensorSpec> unknown = specs;
    for (TensorSpec& s : unknown) {
      for (int k = 0; k < s.shape.rank(); ++k) {
        if (!only_first || k == 0) s.shape.mutable_dims()[k] = kUnknownDim;
      }
    }
    absl::StatusOr<InferResult> inferred = InferOp(*def, unknown, c.attrs, c.config);
    const char* which = only_first ? "dim 0 unknown" : "all dims unknown";
    ASSERT_TRUE(inferred.ok()) << where << " (" << which << "): " << inferred.status();
    EXPECT_EQ(inferred->output.dtype, out.dtype()) << where << " (" << which << ")";
    EXPECT_TRUE(inferred->output.shape.Accepts(out.shape()))
        << where << " (" << which << "): static " << inferred->output.shape.ToString()
        << " vs concrete " << out.shape().ToString();
  }
}

class Conformance : public ::testing::TestWithParam<int> {};

TEST_P(Conformance, EveryBackendMatchesReference) {
  const int row = GetParam();
  const OpCase& c = AllCases()[row];
  const std::vector<DType> dtypes = DTypesFor(c);
  ASSERT_FALSE(dtypes.empty()) << c.op << "#" << c.ordinal
                               << ": Infer accepts no dtype for this row";
  ++Tally().rows;
  for (DType dtype : dtypes) {
    const std::string where = Describe(c, dtype);
    const std::vector<Tensor> inputs = InputsFor(c, row, dtype);
    ++Tally().runs;
    Tally().dtypes_by_op[c.op].insert(std::string(DTypeName(dtype)));
    if (!c.expect_error.empty()) {
      for (const NamedBackend& b : Backends()) {
        EXPECT_THAT(::remotek::testing::Run(*b.backend, c.op, inputs, c.attrs, c.config),
                    StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expect_error)))
            << where << " on " << b.name;
        ++Tally().comparisons;
      }
      continue;
    }
    absl::StatusOr<Tensor> want =
        ::remotek::testing::Run(*Backends()[0].backend, c.op, inputs, c.attrs, c.config);
    ASSERT_TRUE(want.ok()) << where << " on reference: " << want.status();
    CheckStaticInfer(c, dtype, *want, where);
    for (const NamedBackend& b : Backends()) {
      absl::StatusOr<Tensor> got =
          ::remotek::testing::Run(*b.backend, c.op, inputs, c.attrs, c.config);
      ASSERT_TRUE(got.ok()) << where << " on " << b.name << ": " << got.status();
      // The reference against itself checks it is deterministic: bit-exact.
      const bool self = b.name == "reference";
      const std::string diff = CompareTensors(
          *want, *got, ToleranceFor(c.tol, want->dtype()), self || c.tol == Tol::kExact);
      EXPECT_EQ(diff, "") << where << " on " << b.name;
      ++Tally().comparisons;
    }
  }
}

std::string RowName(const ::testing::TestParamInfo<int>& info) {
  const OpCase& c = AllCases()[info.param];
  return absl::StrCat(c.op, "_", c.ordinal);
}

INSTANTIATE_TEST_SUITE_P(
    AllOps, Conformance,
    ::testing::Range(0, static_cast<int>(AllCases().size())), RowName);

// Fails when an op is registered without a row (so a new op cannot slip past
// the suite) or a row names an op nobody registered.
TEST(ConformanceCoverage, EveryRegisteredOpHasARow) {
  std::set<std::string> covered, unknown;
  const std::vector<std::string> names = OpRegistry::Global().Names();
  const std::set<std::string> registered(names.begin(), names.end());
  for (const OpCase& c : AllCases()) {
    if (!registered.count(c.op)) unknown.insert(c.op);
    if (c.expect_error.empty()) covered.insert(c.op);
  }
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    if (!covered.count(name)) missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "ops without a conformance row: "
                               << absl::StrJoin(missing, ", ");
  EXPECT_TRUE(unknown.empty()) << "rows naming unregistered ops: "
                               << absl::StrJoin(unknown, ", ");
}

TEST(ConformanceCoverage, EveryBackendHasEveryOp) {
  for (const NamedBackend& b : Backends()) {
    for (const std::string& name : OpRegistry::Global().Names()) {
      EXPECT_TRUE(b.backend->SupportsOp(name)) << b.name << " lacks " << name;
    }
  }
}

// Every dtype an op accepts is run by at least one of its rows: probing each
// dtype against the op's first row's shapes must find nothing new.
TEST(ConformanceCoverage, EveryAcceptedDTypeIsRun) {
  std::map<std::string, std::set<DType>> run, first_row_accepts;
  for (const OpCase& c : AllCases()) {
    if (!c.expect_error.empty()) continue;
    for (DType d : DTypesFor(c)) run[c.op].insert(d);
  }
  for (const OpCase& c : AllCases()) {
    if (!c.expect_error.empty() || c.ordinal != 0) continue;
    OpCase probe = c;
    probe.dtypes.clear();
    for (DType d : DTypesFor(probe)) {
      EXPECT_TRUE(run[c.op].count(d)) << c.op << " accepts " << DTypeName(d)
                                      << " but no row runs it";
    }
  }
}

GemmPath RouteOf(int64_t count, int64_t m, int64_t n, int64_t k) {
  GemmBatch<float> g;
  g.batch[0] = count;
  g.m = m;
  g.n = n;
  g.k = k;
  g.lda = k;
  g.ldb = n;
  g.ldc = n;
  return RouteGemm(g);
}

// The large product rows exist to reach each of RunGemm's routes: every route
// RouteGemm picks for some product in a broad sweep of sizes must be picked
// for one of the rows too, so that the suite compares it with the reference.
// Fails (naming a size to add a row for) when the routing moves or gains a
// path. Each entry is (batch count, m, n, k) of a product row in op_cases.cc.
TEST(ConformanceCoverage, GemmRowsReachEveryRoute) {
  struct Product {
    const char* row;
    int64_t count, m, n, k;
  };
  const Product products[] = {
      {"dot 20x30.30x20", 1, 20, 20, 30},
      {"dot 200x1500.1500x1600", 1, 200, 1600, 1500},
      {"dot 48x48.48x48", 1, 48, 48, 48},
      {"dot 65x130.130x67", 1, 65, 67, 130},
      {"dot 130x70.70x129", 1, 130, 129, 70},
      {"dot 67x90.90x200", 1, 67, 200, 90},
      {"dot 3x40x50.2x50x60", 2, 120, 60, 50},
      {"batch_dot 9 x 33x17.17x29", 9, 33, 29, 17},
      {"batch_dot 2 x 321x330.330x322", 2, 321, 322, 330},
  };
  std::map<int, std::string> reached;
  for (const Product& p : products) {
    reached.emplace(static_cast<int>(RouteOf(p.count, p.m, p.n, p.k)), p.row);
  }
  const int64_t dims[] = {1, 2, 8, 17, 33, 48, 64, 70, 100, 130, 200, 320, 500, 1000, 4000};
  std::map<int, std::string> reachable;
  for (int64_t count : {1, 2, 4, 9, 64, 1000}) {
    for (int64_t m : dims) {
      for (int64_t n : dims) {
        for (int64_t k : dims) {
          reachable.emplace(static_cast<int>(RouteOf(count, m, n, k)),
                            absl::StrCat(count, " x (", m, "x", k, " . ", k, "x", n, ")"));
        }
      }
    }
  }
  for (const auto& [path, example] : reachable) {
    EXPECT_TRUE(reached.count(path))
        << "GemmPath " << path << " is taken for " << example
        << " but by no conformance row; add a dot/batch_dot row of that size";
  }
  EXPECT_GE(reached.size(), 3u) << "the rows should reach inline Eigen, batch-parallel Eigen and BLAS";
}

// The comparison itself must catch a wrong kernel (a backend whose `add`
// subtracts), a value just outside the tolerance, NaN against a number, and a
// sign of zero where bits must match.
TEST(ConformanceSelfTest, CatchesAWrongKernel) {
  Backend broken("broken");
  AddAllReferenceKernels(broken);
  broken.AddKernel("add", *Backends()[0].backend->FindKernel("subtract"));
  const Tensor x = ::remotek::testing::MakeTensor<float>({3}, {1, 2, 3});
  const Tensor y = ::remotek::testing::MakeTensor<float>({3}, {1, 1, 1});
  const Tensor want = ::remotek::testing::Run(*Backends()[0].backend, "add", {x, y}).value();
  const Tensor got = ::remotek::testing::Run(broken, "add", {x, y}).value();
  EXPECT_THAT(CompareTensors(want, got, ToleranceFor(Tol::kElementwise, DType::kFloat32), false),
              HasSubstr("3 of 3 elements differ"));
  const Tensor nudged = ::remotek::testing::MakeTensor<float>({3}, {2, 3, 4.001f});
  EXPECT_THAT(CompareTensors(want, nudged, ToleranceFor(Tol::kGemm, DType::kFloat32), false),
              HasSubstr("1 of 3 elements differ"));
  const Tensor nan = ::remotek::testing::MakeTensor<float>({3}, {2, 3, NAN});
  EXPECT_THAT(CompareTensors(want, nan, ToleranceFor(Tol::kGemm, DType::kFloat32), false),
              HasSubstr("[2] want 4 got nan"));
  EXPECT_EQ(CompareTensors(nan, nan, {}, true), "");
  const Tensor negative_zero = ::remotek::testing::MakeTensor<float>({1}, {-0.0f});
  const Tensor zero = ::remotek::testing::MakeTensor<float>({1}, {0.0f});
  EXPECT_EQ(CompareTensors(zero, negative_zero, {}, false), "");
  EXPECT_THAT(CompareTensors(zero, negative_zero, {}, true), HasSubstr("differ"));
}

}  // namespace
}  // namespace remotek::conformance
