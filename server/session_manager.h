// Owns the live sessions: creation with unguessable ids, lookup by id and
// tenant, clear, close and listing.
#ifndef REMOTEK_SERVER_SESSION_MANAGER_H_
#define REMOTEK_SERVER_SESSION_MANAGER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backend/core/keras_session.h"
#include "server/backend_registry.h"

namespace remotek::server {

struct SessionOptions {
  std::string backend;                       // empty: the server's default
  DType floatx = DType::kInvalid;            // kInvalid: server default
  double epsilon = 0;                        // 0: server default
  std::string image_data_format;             // empty: server default
  std::string session_id;                    // empty: a new random id
};

// Quotas; 0 means unlimited.
struct SessionLimits {
  int64_t session_memory_bytes = 0;  // each session's own account
  int64_t tenant_memory_bytes = 0;   // a parent account shared by a tenant's sessions
  int max_sessions_per_tenant = 0;
  // How many expired ids are remembered, to answer "expired" rather than
  // "unknown" (oldest forgotten first).
  size_t remembered_expired = 4096;
};

class Session {
 public:
  Session(std::string id, std::string tenant, std::string backend_name,
          std::unique_ptr<KerasSession> state);

  const std::string& id() const { return id_; }
  const std::string& tenant() const { return tenant_; }
  const std::string& backend_name() const { return backend_name_; }
  KerasSession& state() { return *state_; }
  const KerasSession& state() const { return *state_; }
  int64_t created_unix_ms() const { return created_unix_ms_; }
  int64_t last_used_unix_ms() const { return last_used_unix_ms_.load(); }
  void Touch();

 private:
  const std::string id_;
  const std::string tenant_;
  const std::string backend_name_;
  const int64_t created_unix_ms_;
  std::atomic<int64_t> last_used_unix_ms_;
  const std::unique_ptr<KerasSession> state_;
};

// Lifecycle events reported to a SessionObserver (metrics, the event log).
enum class SessionEvent { kCreated, kCleared, kClosed, kExpired };
// "session_created", "session_cleared", "session_closed", "session_expired".
const char* SessionEventName(SessionEvent event);
// Called after the event, on the thread that caused it, without the
// manager's lock held. `bytes_freed` is what clearing the session returned to
// its account (0 for kCreated). Must not call back into the manager's
// mutating methods.
using SessionObserver =
    std::function<void(SessionEvent event, const Session& session, int64_t bytes_freed)>;

// Open sessions and bytes held by one tenant, read at one moment.
struct TenantUsage {
  std::string tenant;
  int64_t sessions = 0;
  int64_t bytes_held = 0;
};

// Thread-safety: all methods thread-safe (SetObserver excepted); the map lock is held only to look
// up, insert or erase. Sessions are shared_ptr because an in-flight call pins
// its session while CloseSession removes it from the map.
class SessionManager {
 public:
  SessionManager(const BackendRegistry* backends, OpConfig defaults,
                 SessionLimits limits = {});

  // INVALID_ARGUMENT for a bad override (naming the field and value),
  // NOT_FOUND for an unknown backend, RESOURCE_EXHAUSTED when the tenant
  // already holds max_sessions_per_tenant sessions.
  absl::StatusOr<std::shared_ptr<Session>> Create(const std::string& tenant,
                                                  const SessionOptions& options);
  // NOT_FOUND "unknown session ..." for an unknown id or another tenant's;
  // NOT_FOUND "session ... expired ..." for one of the tenant's reaped ids.
  absl::StatusOr<std::shared_ptr<Session>> Get(const std::string& tenant,
                                               const std::string& id) const;
  absl::Status Close(const std::string& tenant, const std::string& id);
  std::vector<std::shared_ptr<Session>> List(const std::string& tenant) const;
  size_t size() const;

  // Closes (and clears) every session last used more than `ttl` before
  // `now_unix_ms`, except those pinned by a call in flight, and remembers
  // their ids as expired. Returns how many were closed.
  int ReapIdle(int64_t now_unix_ms, absl::Duration ttl);

  // Drops everything `session` holds (clear_session) and reports kCleared.
  void Clear(Session& session);

  // Per tenant with open sessions, sorted by tenant: how many and the bytes
  // their accounts hold now. Cheap (atomic reads under the map lock).
  std::vector<TenantUsage> Usage() const;

  // REQUIRES: called once, before the manager is shared between threads.
  void SetObserver(SessionObserver observer) { observer_ = std::move(observer); }

  const OpConfig& defaults() const { return defaults_; }
  const SessionLimits& limits() const { return limits_; }

 private:
  std::shared_ptr<MemoryAccount> TenantAccount(const std::string& tenant)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckSessionCount(const std::string& tenant) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Clears `session`'s state and reports `event` with the bytes freed.
  void ClearAndNotify(Session& session, SessionEvent event);

  const BackendRegistry* const backends_;
  const OpConfig defaults_;
  const SessionLimits limits_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<MemoryAccount>> tenant_accounts_
      ABSL_GUARDED_BY(mu_);
  // Recently expired id -> its tenant, and the ids oldest first.
  absl::flat_hash_map<std::string, std::string> expired_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> expired_order_ ABSL_GUARDED_BY(mu_);
  absl::Duration ttl_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  SessionObserver observer_;  // may be empty
};

int64_t NowUnixMs();

// Validated conversions shared with config handling.
absl::StatusOr<ImageDataFormat> ParseImageDataFormat(const std::string& value,
                                                     const std::string& field);
const char* ImageDataFormatName(ImageDataFormat format);
// 128 random bits from the OS as 32 hex characters.
std::string NewSessionId();
// INVALID_ARGUMENT unless `id` is 32 lowercase hex digits (NewSessionId's form).
absl::Status ValidateSessionId(const std::string& id);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_SESSION_MANAGER_H_
