#include "backend/plugin/plugin_backend.h"

#include <algorithm>
#include <iterator>

#include "backend/core/op_registry.h"
#include "backend/core/status_macros.h"
#include "backend/plugin/plugin_session.h"
#include "backend/plugin/reply_collector.h"

namespace remotek::plugin {

absl::StatusOr<std::unique_ptr<PluginBackend>> PluginBackend::Create(
    std::shared_ptr<const PluginLibrary> library) {
  std::unique_ptr<PluginBackend> backend(new PluginBackend(library));
  if (library->entries().ops == nullptr) {
    backend->ops_ = OpRegistry::Global().Names();
    backend->dtypes_.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
    return backend;
  }
  ReplyCollector reply(library->name(), "ops", nullptr);
  library->entries().ops(reply.reply());
  REMOTEK_RETURN_IF_ERROR(reply.Finish(0));
  uint32_t mask = 0;
  for (const auto& [op, dtype_mask] : reply.ops()) {
    backend->ops_.push_back(op);
    mask |= dtype_mask;
  }
  std::sort(backend->ops_.begin(), backend->ops_.end());
  for (DType dtype : kAllDTypes) {
    if (mask & (1u << static_cast<int>(dtype))) backend->dtypes_.push_back(dtype);
  }
  return backend;
}

absl::StatusOr<std::unique_ptr<KerasSession>> PluginBackend::NewSession(
    const OpConfig& config, std::shared_ptr<MemoryAccount> account) const {
  REMOTEK_ASSIGN_OR_RETURN(std::unique_ptr<PluginSession> session,
                           PluginSession::Create(library_, config, std::move(account)));
  return std::unique_ptr<KerasSession>(std::move(session));
}

}  // namespace remotek::plugin
