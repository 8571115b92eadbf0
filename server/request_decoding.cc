// Wire requests -> engine NodeRequests. Every client-controlled field is
// validated here or in the engine, and errors name the field.
#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "server/remotek_service.h"
#include "server/tensor_codec.h"

namespace remotek::server {

absl::StatusOr<NodeRequest> DecodePlaceholder(const v1::PlaceholderRequest& req,
                                              int64_t max_elements) {
  PlaceholderRequest r;
  r.name = req.name();
  REMOTEK_ASSIGN_OR_RETURN(r.dtype, DecodeOptionalDType(req.dtype(), "dtype"));
  if (req.has_shape()) {
    std::vector<int64_t> dims(req.shape().dims().begin(), req.shape().dims().end());
    REMOTEK_RETURN_IF_ERROR(CheckElementLimit(dims, "shape", max_elements));
    r.shape = Shape(std::move(dims));
  } else {
    r.ndim = req.ndim();
  }
  return r;
}

absl::StatusOr<NodeRequest> DecodeVariable(const v1::VariableRequest& req,
                                           const std::shared_ptr<MemoryAccount>& account,
                                           int64_t max_elements) {
  VariableRequest r;
  r.name = req.name();
  REMOTEK_ASSIGN_OR_RETURN(r.dtype, DecodeOptionalDType(req.dtype(), "dtype"));
  switch (req.source_case()) {
    case v1::VariableRequest::kValue: {
      REMOTEK_ASSIGN_OR_RETURN(Tensor value, DecodeTensor(req.value(), "value", account,
                                                          max_elements));
      r.value = std::move(value);
      break;
    }
    case v1::VariableRequest::kInitializer: {
      const v1::Initializer& init = req.initializer();
      InitializerSpec spec;
      using K = InitializerSpec::Kind;
      switch (init.kind()) {
        case v1::Initializer::ZEROS: spec.kind = K::kZeros; break;
        case v1::Initializer::ONES: spec.kind = K::kOnes; break;
        case v1::Initializer::EYE: spec.kind = K::kEye; break;
        case v1::Initializer::CONSTANT: spec.kind = K::kConstant; break;
        case v1::Initializer::RANDOM_UNIFORM: spec.kind = K::kRandomUniform; break;
        case v1::Initializer::RANDOM_NORMAL: spec.kind = K::kRandomNormal; break;
        case v1::Initializer::TRUNCATED_NORMAL: spec.kind = K::kTruncatedNormal; break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(
              "initializer.kind=", static_cast<int>(init.kind()),
              " is not a known initializer"));
      }
      spec.value = init.value();
      spec.low = init.low();
      spec.high = init.has_high() ? init.high() : 1.0;
      spec.mean = init.mean();
      spec.stddev = init.has_stddev() ? init.stddev() : 1.0;
      if (init.has_seed()) spec.seed = init.seed();
      const std::vector<int64_t> dims(init.shape().begin(), init.shape().end());
      REMOTEK_RETURN_IF_ERROR(ValidateDims(dims, false, "initializer.shape"));
      REMOTEK_RETURN_IF_ERROR(CheckElementLimit(dims, "initializer.shape", max_elements));
      r.shape = Shape(dims);
      r.initializer = spec;
      break;
    }
    case v1::VariableRequest::SOURCE_NOT_SET:
      return absl::InvalidArgumentError("variable: one of value or initializer is required");
  }
  return r;
}

absl::StatusOr<NodeRequest> DecodeConstant(const v1::ConstantRequest& req,
                                           const std::shared_ptr<MemoryAccount>& account,
                                           int64_t max_elements) {
  ConstantRequest r;
  r.name = req.name();
  REMOTEK_ASSIGN_OR_RETURN(r.dtype, DecodeOptionalDType(req.dtype(), "dtype"));
  if (!req.has_value()) return absl::InvalidArgumentError("constant: value is required");
  REMOTEK_ASSIGN_OR_RETURN(r.value, DecodeTensor(req.value(), "value", account, max_elements));
  return r;
}

absl::StatusOr<NodeRequest> DecodeOpNode(const v1::OpNodeRequest& req) {
  if (req.op().empty()) return absl::InvalidArgumentError("op is required");
  OpNodeRequest r;
  r.name = req.name();
  r.op = req.op();
  r.inputs.assign(req.inputs().begin(), req.inputs().end());
  REMOTEK_ASSIGN_OR_RETURN(r.attrs, DecodeAttrs(req.attrs()));
  return r;
}

void EncodeNode(const NodeInfo& info, v1::Node* node) {
  node->set_handle(info.handle);
  node->set_kind(std::string(NodeKindName(info.kind)));
  EncodeSpec(info.spec, node->mutable_spec());
}

}  // namespace remotek::server
