#include "backend/core/memory_account.h"

#include "absl/strings/str_cat.h"

namespace remotek {

MemoryAccount::MemoryAccount(std::string name, int64_t limit_bytes,
                             std::shared_ptr<MemoryAccount> parent)
    : name_(std::move(name)), limit_(limit_bytes), parent_(std::move(parent)) {}

absl::Status MemoryAccount::Charge(int64_t bytes) {
  if (bytes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory charge of ", bytes, " bytes is negative"));
  }
  int64_t now = current_.load(std::memory_order_relaxed);
  int64_t next;
  do {
    if (__builtin_add_overflow(now, bytes, &next) || next > limit_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "memory quota of ", name_, " exceeded: limit ", limit_,
          " bytes, held ", now, ", requested ", bytes));
    }
  } while (!current_.compare_exchange_weak(now, next, std::memory_order_relaxed));
  if (parent_ != nullptr) {
    absl::Status parent_status = parent_->Charge(bytes);
    if (!parent_status.ok()) {
      current_.fetch_sub(bytes, std::memory_order_relaxed);
      return parent_status;
    }
  }
  int64_t peak = peak_.load(std::memory_order_relaxed);
  while (next > peak &&
         !peak_.compare_exchange_weak(peak, next, std::memory_order_relaxed)) {
  }
  return absl::OkStatus();
}

void MemoryAccount::Release(int64_t bytes) {
  current_.fetch_sub(bytes, std::memory_order_relaxed);
  if (parent_ != nullptr) parent_->Release(bytes);
}

}  // namespace remotek
