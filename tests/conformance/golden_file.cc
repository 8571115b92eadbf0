#include "tests/conformance/golden_file.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backend/core/cast.h"
#include "backend/core/status_macros.h"

namespace remotek::conformance {
namespace {

// strtod rather than absl::SimpleAtod: it reads "nan", "inf" and "-inf" and
// rounds every decimal correctly.
absl::StatusOr<double> ParseDouble(const std::string& token) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(token.c_str(), &end);
  if (end == token.c_str() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("bad number \"", token, "\""));
  }
  return v;
}

// "input DTYPE shape D... values V..." (tokens[0] is the keyword).
absl::StatusOr<Tensor> ParseTensor(const std::vector<std::string>& tokens) {
  if (tokens.size() < 4 || tokens[2] != "shape") {
    return absl::InvalidArgumentError("expected KEYWORD DTYPE shape D... values V...");
  }
  REMOTEK_ASSIGN_OR_RETURN(DType dtype, ParseDType(tokens[1]));
  size_t i = 3;
  std::vector<int64_t> dims;
  for (; i < tokens.size() && tokens[i] != "values"; ++i) {
    int64_t d = 0;
    if (!absl::SimpleAtoi(tokens[i], &d) || d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad dim \"", tokens[i], "\""));
    }
    dims.push_back(d);
  }
  if (i == tokens.size()) return absl::InvalidArgumentError("missing \"values\"");
  ++i;
  const Shape shape(dims);
  REMOTEK_ASSIGN_OR_RETURN(int64_t n, shape.NumElements());
  if (static_cast<int64_t>(tokens.size() - i) != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shape ", shape.ToString(), " needs ", n, " values, got ", tokens.size() - i));
  }
  if (IsFloating(dtype)) {
    REMOTEK_ASSIGN_OR_RETURN(Tensor wide, Tensor::Allocate(DType::kFloat64, shape, nullptr));
    for (int64_t k = 0; k < n; ++k) {
      REMOTEK_ASSIGN_OR_RETURN(wide.data<double>()[k], ParseDouble(tokens[i + k]));
    }
    return CastTensor(wide, dtype, nullptr);  // exact: the values are the dtype's
  }
  REMOTEK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, nullptr));
  for (int64_t k = 0; k < n; ++k) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(tokens[i + k], &v)) {
      return absl::InvalidArgumentError(absl::StrCat("bad integer \"", tokens[i + k], "\""));
    }
    DispatchComputeDType(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      t.data<T>()[k] = static_cast<T>(v);
    });
  }
  return t;
}

// "attr NAME KIND VALUE..."
absl::Status ParseAttr(const std::vector<std::string>& tokens, AttrMap& attrs) {
  if (tokens.size() < 3) return absl::InvalidArgumentError("expected attr NAME KIND ...");
  const std::string& name = tokens[1];
  const std::string& kind = tokens[2];
  if (kind == "ints") {
    std::vector<int64_t> v(tokens.size() - 3);
    for (size_t k = 3; k < tokens.size(); ++k) {
      if (!absl::SimpleAtoi(tokens[k], &v[k - 3])) {
        return absl::InvalidArgumentError(absl::StrCat("bad int \"", tokens[k], "\""));
      }
    }
    attrs[name] = std::move(v);
    return absl::OkStatus();
  }
  if (tokens.size() != 4) return absl::InvalidArgumentError("expected one value");
  const std::string& value = tokens[3];
  if (kind == "int") {
    int64_t v = 0;
    if (!absl::SimpleAtoi(value, &v)) return absl::InvalidArgumentError("bad int");
    attrs[name] = v;
  } else if (kind == "float") {
    REMOTEK_ASSIGN_OR_RETURN(double v, ParseDouble(value));
    attrs[name] = v;
  } else if (kind == "bool") {
    attrs[name] = value == "1";
  } else if (kind == "string") {
    attrs[name] = value;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown attr kind \"", kind, "\""));
  }
  return absl::OkStatus();
}

// Applies one line to the case being read; sets `done` at "end".
absl::Status ParseLine(const std::vector<std::string>& tokens, GoldenCase& c,
                       bool& done) {
  const std::string& key = tokens[0];
  if (key == "op" && tokens.size() == 2) {
    c.op = tokens[1];
  } else if (key == "attr") {
    return ParseAttr(tokens, c.attrs);
  } else if (key == "config" && tokens.size() == 3 && tokens[1] == "epsilon") {
    REMOTEK_ASSIGN_OR_RETURN(c.config.epsilon, ParseDouble(tokens[2]));
  } else if (key == "input") {
    REMOTEK_ASSIGN_OR_RETURN(Tensor t, ParseTensor(tokens));
    c.inputs.push_back(std::move(t));
  } else if (key == "expect") {
    REMOTEK_ASSIGN_OR_RETURN(c.expect, ParseTensor(tokens));
  } else if (key == "tol" && tokens.size() == 3) {
    REMOTEK_ASSIGN_OR_RETURN(c.rtol, ParseDouble(tokens[1]));
    REMOTEK_ASSIGN_OR_RETURN(c.atol, ParseDouble(tokens[2]));
  } else if (key == "end" && tokens.size() == 1) {
    if (c.op.empty() || c.inputs.empty() || !c.expect.valid()) {
      return absl::InvalidArgumentError("case needs op, input and expect");
    }
    done = true;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unexpected \"", key, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<GoldenCase>> ParseGolden(const std::string& text) {
  std::vector<GoldenCase> cases;
  std::optional<GoldenCase> current;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::vector<std::string> tokens =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (tokens.empty() || tokens[0][0] == '#') continue;
    const auto error = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(
          absl::StrCat("golden line ", line_number, ": ", s.message()));
    };
    if (!current.has_value()) {
      if (tokens[0] != "case" || tokens.size() != 2) {
        return error(absl::InvalidArgumentError("expected \"case NAME\""));
      }
      current.emplace();
      current->name = tokens[1];
      continue;
    }
    bool done = false;
    if (absl::Status s = ParseLine(tokens, *current, done); !s.ok()) return error(s);
    if (done) {
      cases.push_back(std::move(*current));
      current.reset();
    }
  }
  if (current.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("golden case ", current->name, " has no \"end\""));
  }
  return cases;
}

absl::StatusOr<std::vector<GoldenCase>> LoadGolden(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseGolden(text.str());
}

}  // namespace remotek::conformance
