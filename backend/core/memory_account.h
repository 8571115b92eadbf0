// Byte accounting for everything a session (and its tenant) holds.
#ifndef REMOTEK_BACKEND_CORE_MEMORY_ACCOUNT_H_
#define REMOTEK_BACKEND_CORE_MEMORY_ACCOUNT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace remotek {

// Counts current and peak bytes against an optional limit; a charge is also
// made to the parent account (a tenant), and refused if either would exceed its
// limit. Thread-safe: all members are atomics; a charge that fails leaves both
// accounts unchanged.
class MemoryAccount {
 public:
  static constexpr int64_t kNoLimit = INT64_MAX;

  explicit MemoryAccount(std::string name, int64_t limit_bytes = kNoLimit,
                         std::shared_ptr<MemoryAccount> parent = nullptr);
  MemoryAccount(const MemoryAccount&) = delete;
  MemoryAccount& operator=(const MemoryAccount&) = delete;

  // RESOURCE_EXHAUSTED naming the account, the limit and the request when the
  // charge would pass this account's or the parent's limit.
  absl::Status Charge(int64_t bytes);
  void Release(int64_t bytes);

  const std::string& name() const { return name_; }
  int64_t current() const { return current_.load(std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const std::string name_;
  const int64_t limit_;
  const std::shared_ptr<MemoryAccount> parent_;
  std::atomic<int64_t> current_{0};
  std::atomic<int64_t> peak_{0};
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_MEMORY_ACCOUNT_H_
