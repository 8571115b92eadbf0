#include "absl/strings/str_cat.h"
#include "client/cpp/wire.h"
#include "remotek/graph.h"

namespace remotek::client {

GraphBuilder::GraphBuilder()
    : request_(std::make_unique<internal::GraphRequest>()) {}
GraphBuilder::~GraphBuilder() = default;
GraphBuilder::GraphBuilder(GraphBuilder&&) noexcept = default;
GraphBuilder& GraphBuilder::operator=(GraphBuilder&&) noexcept = default;

int GraphBuilder::size() const { return request_->request.nodes_size(); }
const absl::Status& GraphBuilder::status() const { return request_->status; }

NodeRef GraphBuilder::placeholder(const std::string& name, Dims shape,
                                  DType dtype) {
  *request_->request.add_nodes()->mutable_placeholder() =
      internal::MakePlaceholder(name, &shape, 0, dtype);
  return name;
}

NodeRef GraphBuilder::PlaceholderNdim(const std::string& name, int ndim,
                                      DType dtype) {
  *request_->request.add_nodes()->mutable_placeholder() =
      internal::MakePlaceholder(name, nullptr, ndim, dtype);
  return name;
}

NodeRef GraphBuilder::variable(const std::string& name, const HostTensor& value,
                               DType dtype) {
  v1::VariableRequest* req = request_->request.add_nodes()->mutable_variable();
  req->set_name(name);
  req->set_dtype(internal::EncodeDType(dtype));
  absl::Status status = internal::EncodeTensor(
      value, absl::StrCat("nodes[", size() - 1, "] (\"", name, "\").value"),
      req->mutable_value());
  if (request_->status.ok()) request_->status = status;
  return name;
}

NodeRef GraphBuilder::zeros(const std::string& name, Dims shape, DType dtype) {
  *request_->request.add_nodes()->mutable_variable() =
      internal::MakeInitVariable(v1::Initializer::ZEROS, shape, 0, 0,
                                 std::nullopt, dtype, name);
  return name;
}

NodeRef GraphBuilder::ones(const std::string& name, Dims shape, DType dtype) {
  *request_->request.add_nodes()->mutable_variable() =
      internal::MakeInitVariable(v1::Initializer::ONES, shape, 0, 0,
                                 std::nullopt, dtype, name);
  return name;
}

NodeRef GraphBuilder::eye(const std::string& name, int64_t size, DType dtype) {
  *request_->request.add_nodes()->mutable_variable() =
      internal::MakeInitVariable(v1::Initializer::EYE, {size, size}, 0, 0,
                                 std::nullopt, dtype, name);
  return name;
}

NodeRef GraphBuilder::random_uniform_variable(const std::string& name,
                                              Dims shape, double low,
                                              double high,
                                              std::optional<uint64_t> seed,
                                              DType dtype) {
  *request_->request.add_nodes()->mutable_variable() =
      internal::MakeInitVariable(v1::Initializer::RANDOM_UNIFORM, shape, low,
                                 high, seed, dtype, name);
  return name;
}

NodeRef GraphBuilder::random_normal_variable(const std::string& name,
                                             Dims shape, double mean,
                                             double scale,
                                             std::optional<uint64_t> seed,
                                             DType dtype) {
  *request_->request.add_nodes()->mutable_variable() =
      internal::MakeInitVariable(v1::Initializer::RANDOM_NORMAL, shape, mean,
                                 scale, seed, dtype, name);
  return name;
}

NodeRef GraphBuilder::constant(const std::string& name, const HostTensor& value,
                               DType dtype) {
  v1::ConstantRequest* req = request_->request.add_nodes()->mutable_constant();
  req->set_name(name);
  req->set_dtype(internal::EncodeDType(dtype));
  absl::Status status = internal::EncodeTensor(
      value, absl::StrCat("nodes[", size() - 1, "] (\"", name, "\").value"),
      req->mutable_value());
  if (request_->status.ok()) request_->status = status;
  return name;
}

NodeRef GraphBuilder::op(const std::string& name, const std::string& op,
                         std::vector<NodeRef> inputs, const Attrs& attrs) {
  *request_->request.add_nodes()->mutable_op() =
      internal::MakeOpNode(op, inputs, attrs, name);
  return name;
}

}  // namespace remotek::client
