// Fuzzes the wire -> engine decoders of server/tensor_codec.cc and
// server/request_decoding.cc on protobuf messages parsed from the fuzz bytes:
// v1::Tensor -> DecodeTensor (with and without an element limit), and the
// node decoders (placeholder / variable / constant / op with its attrs).
//
// Checks: no crash / UB / leak; a decoded tensor has the wire dtype and shape,
// holds exactly content.size() bytes, has bools normalised to 0/1, and
// re-encodes to the same content (bools excepted); its bytes are charged to
// the account and returned when it is dropped.
#include <cstdint>
#include <cstring>
#include <string>

#include "server/remotek_service.h"
#include "server/tensor_codec.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

void FuzzTensor(const v1::Tensor& proto, int64_t max_elements) {
  auto account = std::make_shared<MemoryAccount>("fuzz decode", kSessionLimitBytes);
  {
    absl::StatusOr<Tensor> t = server::DecodeTensor(proto, "value", account, max_elements);
    if (!t.ok()) {
      Require(account->current() == 0, "a failed decode holds no bytes");
      return;
    }
    Require(t->valid(), "a decoded tensor is valid");
    Require(server::EncodeDType(t->dtype()) == proto.dtype(), "decode keeps the dtype");
    Require(t->rank() == proto.shape_size(), "decode keeps the rank");
    for (int i = 0; i < t->rank(); ++i) {
      Require(t->shape().dim(i) == proto.shape(i), "decode keeps every dim");
    }
    Require(t->byte_size() == static_cast<int64_t>(proto.content().size()),
            "a decoded tensor holds exactly the content's bytes");
    Require(account->current() >= t->byte_size(), "the tensor's bytes are charged");
    if (max_elements > 0) Require(t->num_elements() <= max_elements, "the limit holds");
    const auto* bytes = static_cast<const uint8_t*>(t->raw_data());
    if (t->dtype() == DType::kBool) {
      for (int64_t i = 0; i < t->num_elements(); ++i) {
        Require(bytes[i] <= 1, "decoded bools are 0 or 1");
      }
    } else {
      v1::Tensor again;
      server::EncodeTensor(*t, &again);
      Require(again.content() == proto.content(), "encode(decode(x)) keeps the content");
      Require(server::EncodedSize(*t) >= static_cast<int64_t>(again.content().size()),
              "EncodedSize covers the content");
    }
  }
  Require(account->current() == 0, "a dropped tensor returns its bytes");
}

void FuzzNode(const v1::GraphNode& node) {
  auto account = std::make_shared<MemoryAccount>("fuzz decode", kSessionLimitBytes);
  {
    absl::StatusOr<NodeRequest> r;
    switch (node.node_case()) {
      case v1::GraphNode::kPlaceholder: r = server::DecodePlaceholder(node.placeholder()); break;
      case v1::GraphNode::kVariable: r = server::DecodeVariable(node.variable(), account); break;
      case v1::GraphNode::kConstant: r = server::DecodeConstant(node.constant(), account); break;
      case v1::GraphNode::kOp: r = server::DecodeOpNode(node.op()); break;
      default: return;
    }
  }
  Require(account->current() == 0, "dropped decoded nodes return their bytes");
}

}  // namespace
}  // namespace remotek::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Invalid UTF-8 in string fields is expected here; its log lines are noise.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace remotek;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  if (mode % 2 == 0) {
    v1::Tensor proto;
    if (!proto.ParseFromArray(data, static_cast<int>(size))) return 0;
    fuzz::FuzzTensor(proto, (mode >> 1) % 2 == 0 ? 0 : 1000);
  } else {
    v1::GraphNode node;
    if (!node.ParseFromArray(data, static_cast<int>(size))) return 0;
    fuzz::FuzzNode(node);
  }
  return 0;
}
