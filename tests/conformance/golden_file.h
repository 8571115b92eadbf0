// Reads golden/golden_cases.txt, the cases make_golden.py computes with numpy
// from the Keras 2.3 definitions (format in the script's docstring).
#ifndef REMOTEK_TESTS_CONFORMANCE_GOLDEN_FILE_H_
#define REMOTEK_TESTS_CONFORMANCE_GOLDEN_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/attrs.h"
#include "backend/core/op_config.h"
#include "backend/core/tensor.h"

namespace remotek::conformance {

struct GoldenCase {
  std::string name;
  std::string op;
  AttrMap attrs;
  OpConfig config;
  std::vector<Tensor> inputs;
  Tensor expect;
  double rtol = 0.0;
  double atol = 0.0;
};

// Parses the golden text. INVALID_ARGUMENT naming the line for anything
// malformed (unknown keyword or dtype, wrong value count, missing `end`).
absl::StatusOr<std::vector<GoldenCase>> ParseGolden(const std::string& text);

// Reads and parses `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<std::vector<GoldenCase>> LoadGolden(const std::string& path);

}  // namespace remotek::conformance

#endif  // REMOTEK_TESTS_CONFORMANCE_GOLDEN_FILE_H_
