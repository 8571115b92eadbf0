// The conformance table: every registered op, many shapes (scalars, ranks 1-4,
// size-1 and empty dims), axes (negative, lists, None, keepdims both ways),
// broadcasting, special values, and GEMM sizes that reach every route of the
// eigen backend's RunGemm (inline Eigen, batch-parallel Eigen, OpenBLAS).
// Rows run with every dtype the op accepts unless they name their dtypes.
//
// One line adds a row: Add({...}). Family helpers (Unary, Binary, Reduce)
// expand one line into a row per standard shape or axis configuration.
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tests/conformance/op_case.h"

namespace remotek::conformance {
namespace {

constexpr DType kF16 = DType::kFloat16, kF32 = DType::kFloat32,
                kF64 = DType::kFloat64, kI32 = DType::kInt32, kI64 = DType::kInt64;

std::vector<OpCase>* table = nullptr;

void Add(OpCase c) { table->push_back(std::move(c)); }

InputSpec With(InputSpec proto, Shape shape) {
  proto.shape = std::move(shape);
  return proto;
}

OpConfig Epsilon(double eps) {
  OpConfig config;
  config.epsilon = eps;
  return config;
}

OpConfig Floatx64() {
  OpConfig config;
  config.floatx = kF64;
  return config;
}

// ---- unary ----

const std::vector<Shape>& UnaryShapes() {
  static const auto* shapes = new std::vector<Shape>{
      {}, {7}, {3, 4}, {2, 1, 5}, {2, 3, 2, 3}, {0}, {3, 0, 2}};
  return *shapes;
}

// One row per standard shape with values from `proto`, plus one row of
// special values (NaN, infinities, signed zeros, ties, out-of-range).
void Unary(const std::string& op, InputSpec proto, AttrMap attrs = {},
           Tol tol = Tol::kElementwise, bool scalar = true) {
  for (const Shape& shape : UnaryShapes()) {
    if (shape.rank() == 0 && !scalar) continue;
    Add({.op = op, .inputs = {With(proto, shape)}, .attrs = attrs, .tol = tol});
  }
  Add({.op = op, .inputs = {Special({4, 11})}, .attrs = attrs, .tol = tol});
}

void UnaryCases() {
  Unary("negative", U({}), {}, Tol::kExact);
  Unary("abs", U({}), {}, Tol::kExact);
  Unary("sign", U({}), {}, Tol::kExact);
  Unary("square", U({}));
  Unary("round", U({}, -4, 4), {}, Tol::kExact);
  Add({.op = "round", .inputs = {Ints({5, 6}, -6, 6)}, .tol = Tol::kExact});
  Add({.op = "negative", .inputs = {Full({4, 8})}, .tol = Tol::kExact});
  Add({.op = "abs", .inputs = {Full({4, 8})}, .tol = Tol::kExact});
  Add({.op = "square", .inputs = {Full({4, 8})}});
  Unary("sqrt", Pos({}, 0.0, 9.0));
  Unary("exp", U({}, -6, 6));
  Unary("log", Pos({}, 1e-3, 50.0));
  Unary("sigmoid", U({}, -9, 9));
  Unary("tanh", U({}, -4, 4));
  Unary("softplus", U({}, -12, 12));
  Unary("softsign", U({}, -5, 5));
  Unary("elu", U({}, -4, 4));
  Unary("elu", U({}, -4, 4), {{"alpha", 0.3}});
  Add({.op = "elu", .inputs = {U({3, 5})}, .attrs = {{"alpha", int64_t{2}}}});
  Unary("hard_sigmoid", U({}, -4, 4));
  Unary("clip", U({}, -4, 4), {{"min_value", -1.0}, {"max_value", 1.5}});
  Unary("clip", U({}, -4, 4), {{"min_value", int64_t{-1}}, {"max_value", int64_t{2}}}, Tol::kExact);
  Add({.op = "clip", .inputs = {U({4, 5})}, .attrs = {{"min_value", 2.0}, {"max_value", 1.0}}, .tol = Tol::kExact});
  Add({.op = "clip", .inputs = {Full({4, 8})}, .attrs = {{"min_value", int64_t{-100}}, {"max_value", int64_t{1000}}}, .tol = Tol::kExact});
  Add({.op = "clip", .inputs = {U({6})}, .attrs = {{"min_value", -1e40}, {"max_value", 1e40}}, .tol = Tol::kExact});
  Unary("relu", U({}));
  Unary("relu", U({}), {{"alpha", 0.1}});
  Unary("relu", U({}), {{"max_value", 2.0}});
  Unary("relu", U({}), {{"threshold", 0.5}});
  Unary("relu", U({}), {{"alpha", 0.2}, {"max_value", 1.5}, {"threshold", -0.5}});
  Add({.op = "relu", .inputs = {Ints({4, 5}, -3, 3)}, .attrs = {{"alpha", int64_t{1}}, {"max_value", int64_t{2}}}});
  // softmax: default axis, every axis of ranks 1-4, negative axes, size-1 and
  // empty dims.
  Unary("softmax", U({}, -5, 5), {{"axis", int64_t{0}}}, Tol::kElementwise, /*scalar=*/false);
  Add({.op = "softmax", .inputs = {U({5})}});
  Add({.op = "softmax", .inputs = {U({3, 4})}, .attrs = {{"axis", int64_t{0}}}});
  Add({.op = "softmax", .inputs = {U({3, 4})}, .attrs = {{"axis", int64_t{-1}}}});
  Add({.op = "softmax", .inputs = {U({3, 4})}, .attrs = {{"axis", int64_t{-2}}}});
  Add({.op = "softmax", .inputs = {U({2, 3, 4})}, .attrs = {{"axis", int64_t{1}}}});
  Add({.op = "softmax", .inputs = {U({2, 3, 4, 5}, -20, 20)}});
  Add({.op = "softmax", .inputs = {U({2, 3, 4, 5})}, .attrs = {{"axis", int64_t{-3}}}});
  Add({.op = "softmax", .inputs = {U({3, 1})}, .attrs = {{"axis", int64_t{1}}}});
  Add({.op = "softmax", .inputs = {U({0, 3})}});
  Add({.op = "softmax", .inputs = {U({3, 0})}, .attrs = {{"axis", int64_t{0}}}});
  Add({.op = "softmax", .inputs = {U({16, 257}, -30, 30)}});
}

// ---- broadcasting binary ops ----

const std::vector<std::pair<Shape, Shape>>& BroadcastPairs() {
  static const auto* pairs = new std::vector<std::pair<Shape, Shape>>{
      {{}, {}},           {{6}, {6}},           {{3, 4}, {3, 4}},
      {{2, 3}, {3}},      {{3}, {2, 3}},        {{2, 1, 4}, {3, 1}},
      {{}, {2, 3}},       {{2, 3}, {}},         {{4, 1}, {1, 5}},
      {{2, 3, 4, 5}, {1, 3, 1, 5}},             {{1}, {3, 1, 2}},
      {{0, 3}, {1, 3}},   {{3, 0}, {3, 1}},     {{2, 0, 3}, {}},
      {{33, 65}, {65}}};
  return *pairs;
}

// One row per broadcast pair, plus rows of special values and of ties.
void Binary(const std::string& op, InputSpec x, InputSpec y,
            Tol tol = Tol::kElementwise) {
  for (const auto& [xs, ys] : BroadcastPairs()) {
    Add({.op = op, .inputs = {With(x, xs), With(y, ys)}, .tol = tol});
  }
  Add({.op = op, .inputs = {Special({4, 11}), Special({4, 11}, -2, 2)}, .tol = tol});
  Add({.op = op, .inputs = {Special({4, 11}), Special({11})}, .tol = tol});
  Add({.op = op, .inputs = {Ints({5, 6}), Ints({5, 6})}, .tol = tol});
}

void BinaryCases() {
  Binary("add", U({}), U({}));
  Binary("subtract", U({}), U({}));
  Binary("multiply", U({}), U({}));
  Binary("divide", U({}), U({}));
  Binary("divide", U({}), Pos({}, 1, 4));
  Binary("maximum", U({}), U({}), Tol::kExact);
  Binary("minimum", U({}), U({}), Tol::kExact);
  Binary("pow", Pos({}, 0.1, 3), U({}));
  Binary("pow", U({}), Ints({}, -3, 4));
  for (const char* op : {"add", "subtract", "multiply"}) {
    Add({.op = op, .inputs = {Full({4, 8}), Full({4, 8})}});
    Add({.op = op, .inputs = {Full({4, 8}), Full({8})}});
  }
  Add({.op = "pow", .inputs = {Ints({4, 8}, -5, 5), Ints({4, 8}, 0, 40)}});
  Add({.op = "divide", .inputs = {Full({4, 8}), Full({4, 8})}});
  for (const char* op : {"equal", "not_equal", "greater", "greater_equal", "less",
                         "less_equal", "logical_and", "logical_or"}) {
    Binary(op, Ints({}), Ints({}), Tol::kExact);
  }
  Unary("logical_not", U({}), {}, Tol::kExact);
}

// ---- cast ----

void CastCases() {
  for (DType to : kAllDTypes) {
    const AttrMap attrs = {{"dtype", std::string(DTypeName(to))}};
    Add({.op = "cast", .inputs = {Special({4, 11})}, .attrs = attrs, .tol = Tol::kExact});
    Add({.op = "cast", .inputs = {U({3, 4}, -300, 300)}, .attrs = attrs, .tol = Tol::kExact});
    Add({.op = "cast", .inputs = {U({5}, -2.5, 2.5)}, .attrs = attrs, .tol = Tol::kExact});
    Add({.op = "cast", .inputs = {Full({4, 8})}, .attrs = attrs, .tol = Tol::kExact});
    Add({.op = "cast", .inputs = {U({})}, .attrs = attrs, .tol = Tol::kExact});
    Add({.op = "cast", .inputs = {U({2, 0})}, .attrs = attrs, .tol = Tol::kExact});
  }
}

// ---- reductions ----

struct AxisConfig {
  Shape shape;
  std::optional<AttrValue> axis;  // absent: None
  bool keepdims;
  bool reduces_empty;  // an empty slice: refused by max, min
};

const std::vector<AxisConfig>& AxisConfigs() {
  static const auto* configs = new std::vector<AxisConfig>{
      {{}, std::nullopt, false, false},       {{}, L{}, true, false},
      {{}, std::nullopt, true, false},        {{6}, std::nullopt, false, false},
      {{6}, int64_t{0}, false, false},        {{6}, int64_t{-1}, true, false},
      {{3, 4}, int64_t{0}, false, false},     {{3, 4}, int64_t{1}, true, false},
      {{3, 4}, int64_t{-1}, false, false},    {{3, 4}, int64_t{-2}, true, false},
      {{3, 4}, L{0, 1}, false, false},        {{3, 4}, L{-1, 0}, true, false},
      {{3, 4}, L{}, false, false},            {{3, 4}, std::nullopt, true, false},
      {{3, 4}, L{1}, false, false},           {{2, 3, 4}, L{0, 2}, false, false},
      {{2, 3, 4}, int64_t{1}, true, false},   {{2, 3, 4}, int64_t{-2}, false, false},
      {{2, 3, 4}, L{2, 0}, true, false},      {{2, 3, 4, 5}, L{1, 3}, false, false},
      {{2, 3, 4, 5}, L{-1, -3, 0}, true, false},
      {{2, 3, 4, 5}, std::nullopt, false, false},
      {{2, 3, 4, 5}, int64_t{2}, false, false},
      {{2, 1, 3}, int64_t{1}, false, false},  {{2, 1, 3}, L{0, 1}, true, false},
      {{3, 0, 2}, L{0, 2}, false, false},     {{0, 3}, int64_t{1}, true, false},
      {{40, 300}, int64_t{-1}, false, false}, {{40, 300}, int64_t{0}, false, false},
      {{3, 0, 2}, int64_t{1}, false, true},   {{3, 0, 2}, std::nullopt, true, true},
      {{0}, std::nullopt, false, true},       {{0, 3}, int64_t{0}, false, true}};
  return *configs;
}

AttrMap ReductionAttrs(const AxisConfig& config) {
  AttrMap attrs = {{"keepdims", config.keepdims}};
  if (config.axis.has_value()) attrs["axis"] = *config.axis;
  return attrs;
}

// One row per axis configuration, plus rows of special values.
void Reduce(const std::string& op, InputSpec proto, Tol tol, bool allows_empty) {
  for (const AxisConfig& config : AxisConfigs()) {
    if (config.reduces_empty && !allows_empty) continue;
    Add({.op = op, .inputs = {With(proto, config.shape)}, .attrs = ReductionAttrs(config), .tol = tol});
  }
  Add({.op = op, .inputs = {Special({4, 11})}, .attrs = {{"axis", int64_t{1}}}, .tol = tol});
  Add({.op = op, .inputs = {Special({4, 11})}, .tol = tol});
}

void ReductionCases() {
  Reduce("sum", U({}), Tol::kReduction, true);
  Reduce("prod", U({}, -1.6, 1.6), Tol::kReduction, true);
  Reduce("mean", U({}), Tol::kReduction, true);
  Reduce("var", U({}), Tol::kReduction, true);
  Reduce("std", U({}), Tol::kReduction, true);
  Reduce("logsumexp", U({}, -6, 6), Tol::kReduction, true);
  Reduce("max", U({}), Tol::kExact, false);
  Reduce("min", U({}), Tol::kExact, false);
  Reduce("any", Ints({}, -1, 1), Tol::kExact, true);
  Reduce("all", Ints({}, 0, 2), Tol::kExact, true);
  for (const char* op : {"sum", "prod"}) {
    Add({.op = op, .inputs = {Full({6, 9})}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kReduction});
  }
  Add({.op = "mean", .inputs = {Ints({4, 7}, -9, 9)}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kReduction});
  Add({.op = "mean", .inputs = {U({3, 4})}, .attrs = {{"axis", int64_t{0}}}, .tol = Tol::kReduction, .dtypes = {DType::kBool}, .config = Floatx64()});
  Add({.op = "std", .inputs = {U({3, 4})}, .tol = Tol::kReduction, .dtypes = {DType::kBool}, .config = Floatx64()});
  Add({.op = "sum", .inputs = {U({5000})}, .tol = Tol::kReduction});
  for (const char* op : {"argmax", "argmin"}) {
    Add({.op = op, .inputs = {Ints({5})}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Ints({5})}, .attrs = {{"axis", int64_t{0}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Ints({3, 4})}, .attrs = {{"axis", int64_t{0}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Ints({3, 4})}, .attrs = {{"axis", int64_t{-1}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({3, 4})}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({2, 3, 4})}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Ints({2, 3, 4, 5})}, .attrs = {{"axis", int64_t{-3}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({1})}, .attrs = {{"axis", int64_t{0}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({3, 1})}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({0, 3})}, .attrs = {{"axis", int64_t{1}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Special({4, 11})}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Special({4, 11})}, .attrs = {{"axis", int64_t{0}}}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {Full({4, 8})}, .tol = Tol::kExact});
  }
}

// ---- shape ops (bytes only: compared bit-exactly) ----

void ShapeCase(const char* op, std::vector<Shape> shapes, AttrMap attrs = {}) {
  OpCase c{.op = op, .attrs = std::move(attrs), .tol = Tol::kExact};
  for (Shape& s : shapes) c.inputs.push_back(Special(std::move(s)));
  Add(std::move(c));
}

void ShapeCases() {
  ShapeCase("reshape", {{2, 3, 4}}, {{"shape", L{4, 6}}});
  ShapeCase("reshape", {{2, 3, 4}}, {{"shape", L{-1}}});
  ShapeCase("reshape", {{2, 3, 4}}, {{"shape", L{3, -1, 2}}});
  ShapeCase("reshape", {{}}, {{"shape", L{1, 1}}});
  ShapeCase("reshape", {{1}}, {{"shape", L{}}});
  ShapeCase("reshape", {{2, 3}}, {{"shape", L{6, 1, 1}}});
  ShapeCase("reshape", {{0, 3}}, {{"shape", L{3, 0}}});
  ShapeCase("reshape", {{0, 3}}, {{"shape", L{-1, 3}}});
  for (Shape s : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{0, 2}, Shape{2, 1, 3, 2}}) {
    ShapeCase("flatten", {s});
    ShapeCase("batch_flatten", {s});
  }
  ShapeCase("batch_flatten", {{2, 0, 3}});
  ShapeCase("expand_dims", {{3, 4}});
  for (int64_t axis : {0, 1, 2, -1, -2, -3}) ShapeCase("expand_dims", {{3, 4}}, {{"axis", axis}});
  ShapeCase("expand_dims", {{}}, {{"axis", int64_t{0}}});
  ShapeCase("expand_dims", {{}}, {{"axis", int64_t{-1}}});
  ShapeCase("expand_dims", {{0, 2}}, {{"axis", int64_t{1}}});
  ShapeCase("squeeze", {{3, 1, 4}}, {{"axis", int64_t{1}}});
  ShapeCase("squeeze", {{3, 1, 4}}, {{"axis", int64_t{-2}}});
  ShapeCase("squeeze", {{1}}, {{"axis", int64_t{0}}});
  ShapeCase("squeeze", {{1, 1}}, {{"axis", int64_t{-1}}});
  ShapeCase("squeeze", {{0, 1}}, {{"axis", int64_t{1}}});
  ShapeCase("permute_dimensions", {{3, 4}}, {{"pattern", L{1, 0}}});
  ShapeCase("permute_dimensions", {{3, 4}}, {{"pattern", L{0, 1}}});
  ShapeCase("permute_dimensions", {{2, 3, 4}}, {{"pattern", L{2, 0, 1}}});
  ShapeCase("permute_dimensions", {{2, 3, 4}}, {{"pattern", L{-1, 0, -2}}});
  ShapeCase("permute_dimensions", {{2, 3, 4, 5}}, {{"pattern", L{3, 1, 0, 2}}});
  ShapeCase("permute_dimensions", {{2, 1, 4, 1}}, {{"pattern", L{1, 3, 2, 0}}});
  ShapeCase("permute_dimensions", {{5}}, {{"pattern", L{0}}});
  ShapeCase("permute_dimensions", {{}}, {{"pattern", L{}}});
  ShapeCase("permute_dimensions", {{2, 0, 3}}, {{"pattern", L{2, 1, 0}}});
  ShapeCase("permute_dimensions", {{30, 70, 3}}, {{"pattern", L{1, 2, 0}}});
  ShapeCase("concatenate", {{2, 3}});
  ShapeCase("concatenate", {{2, 3}, {2, 4}});
  ShapeCase("concatenate", {{2, 3}, {4, 3}}, {{"axis", int64_t{0}}});
  ShapeCase("concatenate", {{2, 3, 4}, {2, 1, 4}, {2, 2, 4}}, {{"axis", int64_t{1}}});
  ShapeCase("concatenate", {{2, 3, 4}, {2, 3, 4}, {2, 3, 1}}, {{"axis", int64_t{-1}}});
  ShapeCase("concatenate", {{2, 3}, {0, 3}}, {{"axis", int64_t{0}}});
  ShapeCase("concatenate", {{2, 3}, {2, 3}}, {{"axis", int64_t{-2}}});
  ShapeCase("concatenate", {{5}, {3}, {0}, {1}});
  ShapeCase("stack", {{2, 3}});
  for (int64_t axis : {0, 1, 2, -1, -3}) ShapeCase("stack", {{2, 3}, {2, 3}}, {{"axis", axis}});
  ShapeCase("stack", {{}, {}, {}});
  ShapeCase("stack", {{0, 2}, {0, 2}}, {{"axis", int64_t{1}}});
  ShapeCase("stack", {{4}, {4}, {4}}, {{"axis", int64_t{-1}}});
  ShapeCase("tile", {{2, 3}}, {{"n", L{2, 3}}});
  ShapeCase("tile", {{2, 3}}, {{"n", int64_t{2}}});
  ShapeCase("tile", {{2, 3, 4}}, {{"n", L{2, 1}}});
  ShapeCase("tile", {{2, 3}}, {{"n", L{0, 2}}});
  ShapeCase("tile", {{5}}, {{"n", L{3}}});
  ShapeCase("tile", {{}}, {{"n", L{}}});
  ShapeCase("tile", {{2, 1, 3}}, {{"n", L{1, 4, 1}}});
  ShapeCase("tile", {{0, 2}}, {{"n", L{3, 2}}});
  ShapeCase("repeat", {{2, 3}}, {{"n", int64_t{3}}});
  ShapeCase("repeat", {{2, 3}}, {{"n", int64_t{0}}});
  ShapeCase("repeat", {{1, 4}}, {{"n", int64_t{1}}});
  ShapeCase("repeat", {{0, 3}}, {{"n", int64_t{2}}});
  ShapeCase("slice", {{5}}, {{"start", L{1}}, {"size", L{3}}});
  ShapeCase("slice", {{3, 4}}, {{"start", L{1, 0}}, {"size", L{2, -1}}});
  ShapeCase("slice", {{2, 3, 4}}, {{"start", L{0, 1, 2}}, {"size", L{2, 2, 2}}});
  ShapeCase("slice", {{2, 3, 4, 5}}, {{"start", L{1, 0, 1, 2}}, {"size", L{1, -1, 2, 3}}});
  ShapeCase("slice", {{3, 4}}, {{"start", L{3, 4}}, {"size", L{0, 0}}});
  ShapeCase("slice", {{3, 4}}, {{"start", L{0, 0}}, {"size", L{-1, -1}}});
  ShapeCase("slice", {{}}, {{"start", L{}}, {"size", L{}}});
  for (Shape s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{2, 1, 3, 4},
                  Shape{0, 3}, Shape{1, 7}, Shape{70, 130}, Shape{200, 180},
                  Shape{3, 40, 50}}) {
    ShapeCase("transpose", {s});
  }
}

// ---- indexing ----

void IndexingCases() {
  const std::vector<std::pair<Shape, Shape>> gathers = {
      {{5}, {3}},      {{5, 3}, {}},  {{5, 3}, {2, 4}}, {{4, 2, 3}, {3}},
      {{5, 3}, {0}},   {{1, 3}, {4}}, {{0, 3}, {0}},    {{100, 7}, {50}},
      {{6, 1, 2, 2}, {2, 3}}};
  for (DType index_dtype : {kI32, kI64}) {
    for (const auto& [ref, idx] : gathers) {
      Add({.op = "gather", .inputs = {Special(ref), Idx(idx, 0, ref.dim(0), index_dtype)}, .tol = Tol::kExact});
    }
    Add({.op = "gather", .inputs = {U({5, 3}), Idx({4}, 5, 7, index_dtype)}, .tol = Tol::kExact, .expect_error = "is out of range [0, 5)"});
    Add({.op = "gather", .inputs = {U({5, 3}), Idx({2}, -3, -1, index_dtype)}, .tol = Tol::kExact, .expect_error = "is out of range [0, 5)"});
  }
  Add({.op = "one_hot", .inputs = {Idx({6}, -1, 5)}, .attrs = {{"num_classes", int64_t{4}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({2, 3}, 0, 3)}, .attrs = {{"num_classes", int64_t{3}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({}, 0, 2)}, .attrs = {{"num_classes", int64_t{2}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({4}, 0, 1)}, .attrs = {{"num_classes", int64_t{1}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({3}, 0, 1)}, .attrs = {{"num_classes", int64_t{0}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({0}, 0, 1)}, .attrs = {{"num_classes", int64_t{5}}}, .tol = Tol::kExact});
  Add({.op = "one_hot", .inputs = {Idx({2, 3, 4}, 0, 200)}, .attrs = {{"num_classes", int64_t{130}}}, .tol = Tol::kExact});
}

// ---- losses ----

void LossCases() {
  for (Shape s : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{4, 1}, Shape{0, 3},
                  Shape{3, 0}, Shape{2, 1, 3, 5}, Shape{8, 300}}) {
    Add({.op = "mean_squared_error", .inputs = {U(s), U(s)}, .tol = Tol::kReduction});
  }
  Add({.op = "mean_squared_error", .inputs = {Special({4, 11}), Special({4, 11}, -1, 1)}, .tol = Tol::kReduction});
  for (Shape s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{0, 2}}) {
    Add({.op = "binary_crossentropy", .inputs = {Prob(s), Prob(s)}});
    Add({.op = "binary_crossentropy", .inputs = {Prob(s), U(s, -6, 6)}, .attrs = {{"from_logits", true}}});
  }
  Add({.op = "binary_crossentropy", .inputs = {Ints({4, 5}, 0, 1), Ints({4, 5}, 0, 1)}});
  Add({.op = "binary_crossentropy", .inputs = {Prob({4, 5}), Ints({4, 5}, 0, 1)}, .config = Epsilon(1e-3)});
  Add({.op = "binary_crossentropy", .inputs = {Prob({4, 5}), Prob({4, 5})}, .attrs = {{"from_logits", false}}, .config = Epsilon(0.1)});
  Add({.op = "binary_crossentropy", .inputs = {Prob({4, 11}), Special({4, 11})}, .attrs = {{"from_logits", true}}});
  const std::vector<std::pair<Shape, std::optional<int64_t>>> cce = {
      {{5}, std::nullopt}, {{3, 4}, std::nullopt}, {{3, 4}, 0},  {{3, 4}, -2},
      {{2, 3, 4}, 1},      {{2, 3, 4}, -3},        {{3, 1}, -1}, {{0, 4}, -1},
      {{3, 0}, -1},        {{2, 3, 4, 5}, 2},      {{16, 300}, -1}};
  for (const auto& [s, axis] : cce) {
    AttrMap attrs;
    if (axis.has_value()) attrs["axis"] = *axis;
    Add({.op = "categorical_crossentropy", .inputs = {Prob(s), Pos(s)}, .attrs = attrs, .tol = Tol::kReduction});
    attrs["from_logits"] = true;
    Add({.op = "categorical_crossentropy", .inputs = {Prob(s), U(s, -5, 5)}, .attrs = attrs, .tol = Tol::kReduction});
  }
  Add({.op = "categorical_crossentropy", .inputs = {Ints({4, 6}, 0, 1), Ints({4, 6}, 0, 1)}, .tol = Tol::kReduction});
  Add({.op = "categorical_crossentropy", .inputs = {Prob({4, 6}), Prob({4, 6})}, .tol = Tol::kReduction, .config = Epsilon(0.05)});
}

// ---- dot, batch_dot ----

void ProductCases() {
  const std::vector<std::pair<Shape, Shape>> dots = {
      {{2, 3}, {3, 4}},          {{1, 1}, {1, 1}},           {{0, 3}, {3, 2}},
      {{3, 0}, {0, 2}},          {{3}, {2, 3, 4}},           {{2, 3, 4}, {4, 5}},
      {{2, 3, 4}, {5, 4, 6}},    {{2, 3}, {4, 3, 5}},        {{2, 2, 3, 4}, {4, 3}},
      {{2, 3, 4}, {2, 1, 4, 5}}, {{4, 1}, {1, 6}},           {{2, 3, 4}, {4, 0}},
      // The eigen backend's routes: inline Eigen, OpenBLAS (one large
      // product, and exactly at the inline threshold), batch-parallel Eigen
      // (N-D x against N-D y gives one product per leading index of y).
      {{20, 30}, {30, 20}},      {{65, 130}, {130, 67}},     {{48, 48}, {48, 48}},
      {{3, 40, 50}, {2, 50, 60}}, {{5, 17, 33}, {33, 29}},
      // Mid-size single products, split by rows (m >= n) or by columns.
      {{130, 70}, {70, 129}},    {{67, 90}, {90, 200}}};
  for (const auto& [x, y] : dots) {
    Add({.op = "dot", .inputs = {U(x, -1, 1), U(y, -1, 1)}, .tol = Tol::kGemm});
  }
  Add({.op = "dot", .inputs = {Full({6, 7}), Full({7, 5})}, .tol = Tol::kGemm});
  // Large enough (>= 768^3 flops) for the eigen backend to route it to BLAS.
  Add({.op = "dot", .inputs = {U({200, 1500}, -1, 1), U({1500, 1600}, -1, 1)},
       .tol = Tol::kGemm, .dtypes = {kF32}});
  Add({.op = "dot", .inputs = {Special({4, 11}), Special({11, 4})}, .tol = Tol::kGemm});

  struct BatchDot {
    Shape x, y;
    std::optional<AttrValue> axes;
  };
  const std::vector<BatchDot> batch_dots = {
      {{4, 3}, {4, 3}, std::nullopt},         {{4, 3}, {4, 3}, int64_t{1}},
      {{4, 3}, {4, 3}, L{-1, -1}},            {{4, 3}, {4, 3, 5}, std::nullopt},
      {{4, 2, 3}, {4, 3}, std::nullopt},      {{3, 2, 4}, {3, 4, 5}, std::nullopt},
      {{3, 4, 2}, {3, 4, 5}, L{1, 1}},        {{3, 4, 2}, {3, 4, 5}, int64_t{1}},
      {{3, 2, 4}, {3, 5, 4}, L{-1, -1}},      {{3, 2, 4}, {3, 4, 5}, L{-1, -2}},
      {{3, 2, 4}, {3, 5, 4}, L{2}},           {{2, 3, 4, 5}, {2, 5, 3}, L{3, 1}},
      {{2, 3, 4, 5}, {2, 6, 4, 2}, L{2, 2}},  {{2, 3, 4, 5}, {2, 5}, std::nullopt},
      {{2, 5}, {2, 3, 5, 2}, L{1, 2}},        {{32, 20, 1}, {32, 30, 20}, L{1, 2}},
      {{0, 3, 4}, {0, 4, 2}, std::nullopt},   {{2, 3, 0}, {2, 0, 4}, std::nullopt},
      {{1, 1}, {1, 1}, std::nullopt},         {{3, 1, 4}, {3, 4, 1}, std::nullopt},
      // Batch 9 of 33x17 . 17x29 in every layout of the contracted axes: the
      // eigen backend's batch-parallel route with each transpose flag.
      {{9, 33, 17}, {9, 17, 29}, L{2, 1}},    {{9, 17, 33}, {9, 17, 29}, L{1, 1}},
      {{9, 33, 17}, {9, 29, 17}, L{2, 2}},    {{9, 17, 33}, {9, 29, 17}, L{1, 2}},
      {{9, 33, 17}, {9, 17, 29}, L{-1, -2}},  {{9, 17, 33}, {9, 29, 17}, L{-2, -1}},
      {{9, 33, 17}, {9, 17, 29}, std::nullopt},
      {{9, 4, 17, 6}, {9, 17, 29}, L{2, 1}},  {{9, 33, 17}, {9, 3, 17, 5}, L{2, 2}},
      // One mid-size product in each transpose layout, by rows and columns.
      {{1, 70, 130}, {1, 129, 70}, L{1, 2}},  {{1, 90, 67}, {1, 200, 90}, L{1, 2}},
      {{1, 130, 70}, {1, 129, 70}, L{2, 2}},  {{1, 70, 130}, {1, 70, 129}, L{1, 1}},
      {{1, 67, 90}, {1, 90, 200}, std::nullopt}};
  for (const BatchDot& b : batch_dots) {
    AttrMap attrs;
    if (b.axes.has_value()) attrs["axes"] = *b.axes;
    Add({.op = "batch_dot", .inputs = {U(b.x, -1, 1), U(b.y, -1, 1)}, .attrs = attrs, .tol = Tol::kGemm});
  }
  // A batch of products large enough for OpenBLAS each (floats only: the
  // reference loops are the cost here).
  Add({.op = "batch_dot", .inputs = {U({2, 321, 330}, -1, 1), U({2, 330, 322}, -1, 1)}, .attrs = {{"axes", L{2, 1}}}, .tol = Tol::kGemm, .dtypes = {kF32, kF64}});
  Add({.op = "batch_dot", .inputs = {Full({3, 5, 6}), Full({3, 6, 4})}, .tol = Tol::kGemm});
  // Errors every backend must report alike.
  Add({.op = "batch_dot", .inputs = {U({2, 3, 4}), U({2, 4, 5})}, .attrs = {{"axes", L{1, 3}}}, .dtypes = {kF32}, .expect_error = "batch_dot: axes[1]=3 is out of range for y of rank 3"});
  Add({.op = "dot", .inputs = {U({2, 3}), U({4, 5})}, .dtypes = {kF32}, .expect_error = "cannot contract"});
  Add({.op = "add", .inputs = {U({2, 3}), U({4})}, .dtypes = {kF16}, .expect_error = "cannot broadcast"});
}

// ones_like, zeros_like, stop_gradient and the gradient helpers.
void GradientOpCases() {
  for (const char* op : {"ones_like", "zeros_like", "stop_gradient"}) {
    Add({.op = op, .inputs = {U({3, 4})}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({})}, .tol = Tol::kExact});
    Add({.op = op, .inputs = {U({2, 0})}, .tol = Tol::kExact});
  }
  Add({.op = "sum_to_shape_of", .inputs = {U({2, 3, 4}), U({3, 1})}, .tol = Tol::kReduction});
  Add({.op = "sum_to_shape_of", .inputs = {U({2, 3}), U({2, 3})}, .tol = Tol::kReduction});
  Add({.op = "sum_to_shape_of", .inputs = {U({2, 3}), U({})}, .tol = Tol::kReduction});
  Add({.op = "sum_to_shape_of", .inputs = {U({4, 1, 3}), U({1, 1})}, .tol = Tol::kReduction});
  Add({.op = "sum_to_shape_of", .inputs = {U({0, 3}), U({3})}, .tol = Tol::kReduction});
  Add({.op = "reshape_like", .inputs = {U({2, 3}), U({3, 2})}, .tol = Tol::kExact});
  for (DType index_dtype : {kI32, kI64}) {
    Add({.op = "scatter_sum_to_shape_of", .inputs = {U({6, 3}), Idx({6}, 0, 4, index_dtype), U({4, 3})}, .tol = Tol::kReduction});
    Add({.op = "scatter_sum_to_shape_of", .inputs = {U({2, 3}), Idx({2, 3}, 0, 5, index_dtype), U({5})}, .tol = Tol::kReduction});
    Add({.op = "scatter_sum_to_shape_of", .inputs = {U({3, 2}), Idx({3}, 4, 6, index_dtype), U({4, 2})}, .tol = Tol::kReduction, .expect_error = "is out of range [0, 4)"});
  }
  Add({.op = "reshape_like", .inputs = {U({6}), U({1, 6, 1})}, .tol = Tol::kExact});
}

// ---- conv2d, pool2d, bias_add ----

OpConfig ChannelsFirst() {
  OpConfig config;
  config.image_data_format = ImageDataFormat::kChannelsFirst;
  return config;
}

// x given channels_last (n, h, w, c); channels_first rows use (n, c, h, w).
Shape InFormat(const Shape& nhwc, bool first) {
  return first ? Shape{nhwc.dim(0), nhwc.dim(3), nhwc.dim(1), nhwc.dim(2)} : nhwc;
}

std::string FormatName(bool first) { return first ? "channels_first" : "channels_last"; }

void ConvCases() {
  struct Conv {
    Shape x, kernel;  // x channels_last
    L strides, dilation;
    const char* padding;
  };
  // Valid and same, odd and even windows, strides, dilations, 1x1 kernels
  // (the eigen backend's direct-GEMM path at stride 1), blocks that span
  // images, an empty batch, a window larger than x under 'same'.
  const std::vector<Conv> convs = {
      {{2, 5, 5, 3}, {3, 3, 3, 4}, {1, 1}, {1, 1}, "valid"},
      {{2, 5, 5, 3}, {3, 3, 3, 4}, {1, 1}, {1, 1}, "same"},
      {{2, 7, 6, 3}, {3, 2, 3, 5}, {2, 2}, {1, 1}, "same"},
      {{2, 7, 6, 3}, {3, 2, 3, 5}, {2, 3}, {1, 1}, "valid"},
      {{1, 9, 8, 2}, {3, 3, 2, 3}, {1, 1}, {2, 2}, "same"},
      {{1, 9, 8, 2}, {2, 3, 2, 3}, {1, 1}, {3, 1}, "valid"},
      {{2, 4, 5, 6}, {1, 1, 6, 7}, {1, 1}, {1, 1}, "valid"},
      {{2, 4, 5, 6}, {1, 1, 6, 7}, {2, 2}, {1, 1}, "same"},
      {{3, 17, 19, 5}, {3, 3, 5, 7}, {1, 1}, {1, 1}, "same"},
      {{2, 6, 6, 4}, {5, 5, 4, 3}, {3, 3}, {1, 1}, "same"},
      {{1, 8, 8, 2}, {4, 4, 2, 3}, {1, 1}, {1, 1}, "same"},
      {{1, 3, 2, 2}, {5, 4, 2, 2}, {1, 1}, {1, 1}, "same"},
      {{0, 4, 4, 2}, {3, 3, 2, 3}, {1, 1}, {1, 1}, "same"},
      {{1, 4, 4, 0}, {3, 3, 0, 2}, {1, 1}, {1, 1}, "valid"},
      {{8, 32, 32, 16}, {3, 3, 16, 32}, {1, 1}, {1, 1}, "same"}};
  for (const Conv& c : convs) {
    for (bool first : {false, true}) {
      const AttrMap attrs = {{"strides", c.strides}, {"dilation_rate", c.dilation},
                             {"padding", std::string(c.padding)},
                             {"data_format", FormatName(first)}};
      const std::vector<DType> dtypes =
          c.x.dim(0) == 8 ? std::vector<DType>{kF32} : std::vector<DType>{};
      Add({.op = "conv2d", .inputs = {U(InFormat(c.x, first), -1, 1), U(c.kernel, -1, 1)},
           .attrs = attrs, .tol = Tol::kGemm, .dtypes = dtypes});
    }
  }
  // Default attrs, data_format from the session's image_data_format.
  Add({.op = "conv2d", .inputs = {U({2, 6, 5, 3}, -1, 1), U({3, 3, 3, 4}, -1, 1)}, .tol = Tol::kGemm});
  Add({.op = "conv2d", .inputs = {U({2, 3, 6, 5}, -1, 1), U({3, 3, 3, 4}, -1, 1)}, .attrs = {{"padding", std::string("same")}}, .tol = Tol::kGemm, .config = ChannelsFirst()});
  // Large enough (>= 768^3 flops per image) for the eigen backend to hand
  // im2col blocks to OpenBLAS, in both data formats.
  for (bool first : {false, true}) {
    Add({.op = "conv2d", .inputs = {U(InFormat({1, 32, 32, 128}, first), -1, 1), U({3, 3, 128, 512}, -1, 1)},
         .attrs = {{"padding", std::string("same")}, {"data_format", FormatName(first)}},
         .tol = Tol::kGemm, .dtypes = {kF32}});
  }
  Add({.op = "conv2d", .inputs = {U({1, 4, 4, 3}), U({3, 3, 3, 2})}, .attrs = {{"strides", int64_t{2}}, {"dilation_rate", int64_t{2}}}, .dtypes = {kF32}, .expect_error = "TensorFlow refuses strides > 1 together with dilation_rate > 1"});
  Add({.op = "conv2d", .inputs = {U({1, 4, 4, 3}), U({5, 3, 3, 2})}, .dtypes = {kF32}, .expect_error = "conv2d: with padding \"valid\", the window of kernel of shape (5, 3, 3, 2) with dilation_rate (1, 1) spans 5 rows but x of shape (1, 4, 4, 3) has 4 rows"});
  Add({.op = "conv2d", .inputs = {U({1, 4, 4, 3}), U({3, 3, 2, 2})}, .dtypes = {kF64}, .expect_error = "has 3 channels (axis 3, channels_last) but kernel of shape (3, 3, 2, 2) expects 2"});

  struct Pool {
    Shape x;  // channels_last
    L pool, strides;
    const char* padding;
  };
  const std::vector<Pool> pools = {
      {{2, 5, 5, 3}, {2, 2}, {1, 1}, "valid"}, {{2, 5, 5, 3}, {2, 2}, {2, 2}, "same"},
      {{1, 7, 6, 2}, {3, 3}, {2, 2}, "same"},  {{1, 7, 6, 2}, {3, 2}, {3, 1}, "valid"},
      {{3, 4, 9, 4}, {4, 4}, {1, 1}, "same"},  {{1, 6, 6, 1}, {1, 1}, {3, 3}, "same"},
      {{1, 2, 2, 3}, {5, 5}, {1, 1}, "same"},  {{0, 3, 3, 2}, {2, 2}, {1, 1}, "valid"},
      {{4, 16, 16, 24}, {3, 3}, {2, 2}, "same"}};
  for (const Pool& p : pools) {
    for (bool first : {false, true}) {
      for (const char* mode : {"max", "avg"}) {
        const AttrMap attrs = {{"pool_size", p.pool}, {"strides", p.strides},
                               {"padding", std::string(p.padding)},
                               {"data_format", FormatName(first)},
                               {"pool_mode", std::string(mode)}};
        const bool max = std::string(mode) == "max";
        Add({.op = "pool2d", .inputs = {U(InFormat(p.x, first))}, .attrs = attrs,
             .tol = max ? Tol::kExact : Tol::kReduction});
        if (max) {  // NaN, infinities, signed zeros: max is exact
          Add({.op = "pool2d", .inputs = {Special(InFormat(p.x, first))}, .attrs = attrs, .tol = Tol::kExact});
        }
      }
    }
  }
  Add({.op = "pool2d", .inputs = {U({2, 4, 5, 3})}, .attrs = {{"pool_size", int64_t{2}}}, .tol = Tol::kExact});
  Add({.op = "pool2d", .inputs = {U({2, 3, 4, 5})}, .attrs = {{"pool_size", int64_t{3}}, {"padding", std::string("same")}, {"pool_mode", std::string("avg")}}, .tol = Tol::kReduction, .config = ChannelsFirst()});
  Add({.op = "pool2d", .inputs = {U({1, 4, 4, 3})}, .attrs = {{"pool_size", int64_t{2}}, {"pool_mode", std::string("min")}}, .dtypes = {kF32}, .expect_error = "pool2d: pool_mode must be \"max\" or \"avg\", got \"min\""});

  // bias_add: a rank-1 bias along the channel axis of ranks 2-5 in both
  // formats, a rank > 5 x, full-rank biases (reshaped, with broadcasting).
  struct Bias {
    Shape x, bias;
    bool first;
  };
  const std::vector<Bias> biases = {
      {{3, 4}, {4}, false},            {{3, 4}, {4}, true},
      {{2, 3, 4}, {4}, false},         {{2, 3, 4}, {3}, true},
      {{2, 3, 4, 5}, {5}, false},      {{2, 3, 4, 5}, {3}, true},
      {{2, 3, 2, 4, 5}, {5}, false},   {{2, 3, 2, 4, 5}, {3}, true},
      {{1, 2, 1, 2, 1, 3}, {3}, true}, {{0, 3}, {3}, false},
      {{64, 17, 17, 32}, {32}, false}, {{64, 32, 17, 17}, {32}, true},
      {{2, 3, 4}, {3, 4}, false},      {{2, 3, 4}, {4, 3}, true},
      {{2, 3, 4, 5}, {1, 4, 5}, false}, {{2, 3, 4, 5}, {4, 1, 3}, true},
      {{2, 3, 2, 2, 4}, {3, 2, 2, 4}, false}};
  for (const Bias& b : biases) {
    const AttrMap attrs = {{"data_format", FormatName(b.first)}};
    Add({.op = "bias_add", .inputs = {U(b.x), U(b.bias)}, .attrs = attrs, .tol = Tol::kExact});
  }
  // The backward ops (reference loops on every backend today).
  struct Backward {
    Shape x, kernel, out;  // channels_last
    L strides;
    const char* padding;
  };
  const std::vector<Backward> backwards = {
      {{2, 5, 5, 3}, {3, 3, 3, 4}, {2, 5, 5, 4}, {1, 1}, "same"},
      {{1, 7, 6, 2}, {3, 2, 2, 3}, {1, 3, 3, 3}, {2, 2}, "valid"}};
  for (const Backward& b : backwards) {
    for (bool first : {false, true}) {
      const AttrMap attrs = {{"strides", b.strides}, {"padding", std::string(b.padding)},
                             {"data_format", FormatName(first)}};
      const InputSpec grad = U(InFormat(b.out, first), -1, 1);
      Add({.op = "conv2d_backprop_input", .inputs = {grad, U(b.kernel, -1, 1), U(InFormat(b.x, first))}, .attrs = attrs, .tol = Tol::kGemm});
      Add({.op = "conv2d_backprop_filter", .inputs = {grad, U(InFormat(b.x, first), -1, 1), U(b.kernel)}, .attrs = attrs, .tol = Tol::kGemm});
      for (const char* mode : {"max", "avg"}) {
        AttrMap pool = attrs;
        pool["pool_size"] = b.strides[0] == 1 ? L{3, 3} : b.strides;  // same: 3x3 stride 1
        pool["pool_mode"] = std::string(mode);
        const Shape out = b.strides[0] == 1 ? b.x : Shape{b.x.dim(0), 3, 3, b.x.dim(3)};
        Add({.op = "pool2d_grad", .inputs = {U(InFormat(out, first)), U(InFormat(b.x, first))}, .attrs = pool, .tol = Tol::kReduction});
      }
    }
  }
  Add({.op = "conv2d_backprop_input", .inputs = {U({1, 4, 4, 2}), U({3, 3, 3, 2}), U({1, 5, 5, 3})}, .dtypes = {kF32}, .expect_error = "does not match the forward output shape (1, 3, 3, 2)"});
  Add({.op = "bias_add", .inputs = {Special({4, 11}), Special({11})}, .tol = Tol::kExact});
  Add({.op = "bias_add", .inputs = {U({2, 3, 4, 5}), U({3})}, .tol = Tol::kExact, .config = ChannelsFirst()});
  Add({.op = "bias_add", .inputs = {U({2, 3, 4}), U({3})}, .dtypes = {kF32}, .expect_error = "bias_add: bias of shape (3,) for x of shape (2, 3, 4): bias length 3 != x.shape[2]=4 (the channel axis)"});
}

std::vector<OpCase> Build() {
  std::vector<OpCase> rows;
  table = &rows;
  UnaryCases();
  BinaryCases();
  CastCases();
  ReductionCases();
  ShapeCases();
  IndexingCases();
  LossCases();
  ProductCases();
  GradientOpCases();
  ConvCases();
  table = nullptr;
  absl::flat_hash_map<std::string, int> ordinals;
  for (OpCase& c : rows) c.ordinal = ordinals[c.op]++;
  return rows;
}

}  // namespace

const std::vector<OpCase>& AllCases() {
  static const auto* cases = new std::vector<OpCase>(Build());
  return *cases;
}

}  // namespace remotek::conformance
