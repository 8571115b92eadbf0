// The server's side of RkReply: collects what an external backend reports
// through the callbacks, and checks it. Nothing from the library is trusted:
// a malformed node, tensor or code becomes an INTERNAL error naming the
// backend and the entry instead of reaching the engine or the client.
#ifndef REMOTEK_BACKEND_PLUGIN_REPLY_COLLECTOR_H_
#define REMOTEK_BACKEND_PLUGIN_REPLY_COLLECTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "backend/core/keras_session.h"
#include "backend/plugin/remotek_backend_abi.h"

namespace remotek::plugin {

class ReplyCollector {
 public:
  // `account` (may be null) is charged for every tensor the backend returns.
  ReplyCollector(std::string backend, std::string entry, std::shared_ptr<MemoryAccount> account);
  ReplyCollector(const ReplyCollector&) = delete;
  ReplyCollector& operator=(const ReplyCollector&) = delete;

  const RkReply* reply() const { return &reply_; }

  // The outcome of the entry that returned `code`: the backend's error, or
  // the first problem with what it reported.
  absl::Status Finish(RkCode code);

  std::vector<NodeInfo>& nodes() { return nodes_; }
  std::vector<Tensor>& tensors() { return tensors_; }
  const std::optional<std::string>& handle() const { return handle_; }
  std::vector<TensorSpec>& input_specs() { return input_specs_; }
  std::vector<TensorSpec>& output_specs() { return output_specs_; }
  std::vector<std::pair<std::string, uint32_t>>& ops() { return ops_; }

  // Exactly `n` nodes / tensors, else INTERNAL naming the entry.
  absl::Status ExpectNodes(size_t n) const;
  absl::Status ExpectTensors(size_t n) const;

 private:
  static void SetError(void* host, RkCode code, const char* message);
  static void SetNode(void* host, const char* handle, int32_t kind, int32_t dtype, int32_t rank,
                      const int64_t* dims);
  static void* AddTensor(void* host, int32_t dtype, int32_t rank, const int64_t* dims);
  static void SetHandle(void* host, const char* handle);
  static void AddSpec(void* host, int32_t is_output, int32_t dtype, int32_t rank,
                      const int64_t* dims);
  static void AddOp(void* host, const char* op, uint32_t dtype_mask);
  void Fail(absl::Status status);  // keeps the first problem
  absl::StatusOr<TensorSpec> SpecFrom(int32_t dtype, int32_t rank, const int64_t* dims) const;

  const std::string backend_;
  const std::string entry_;
  const std::shared_ptr<MemoryAccount> account_;
  RkReply reply_;
  std::optional<std::pair<RkCode, std::string>> error_;
  absl::Status problem_;  // what the library reported wrongly, or an allocation failure
  std::vector<NodeInfo> nodes_;
  std::vector<Tensor> tensors_;
  std::optional<std::string> handle_;
  std::vector<TensorSpec> input_specs_;
  std::vector<TensorSpec> output_specs_;
  std::vector<std::pair<std::string, uint32_t>> ops_;
};

}  // namespace remotek::plugin

#endif  // REMOTEK_BACKEND_PLUGIN_REPLY_COLLECTOR_H_
