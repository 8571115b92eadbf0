// Status propagation helpers. Abseil 20220623 ships none, so these follow the
// meaning newer Abseil gives its own: evaluate once, return the error unchanged.
#ifndef REMOTEK_BACKEND_CORE_STATUS_MACROS_H_
#define REMOTEK_BACKEND_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define REMOTEK_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::absl::Status remotek_status_ = (expr);          \
    if (!remotek_status_.ok()) return remotek_status_; \
  } while (0)

#define REMOTEK_STATUS_CONCAT_INNER_(a, b) a##b
#define REMOTEK_STATUS_CONCAT_(a, b) REMOTEK_STATUS_CONCAT_INNER_(a, b)

// REMOTEK_ASSIGN_OR_RETURN(lhs, expr): `lhs` may be a declaration (`auto x`).
#define REMOTEK_ASSIGN_OR_RETURN(lhs, expr)                                   \
  REMOTEK_ASSIGN_OR_RETURN_IMPL_(                                            \
      REMOTEK_STATUS_CONCAT_(remotek_statusor_, __LINE__), lhs, expr)

#define REMOTEK_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // REMOTEK_BACKEND_CORE_STATUS_MACROS_H_
