#include "server/session_manager.h"

#include <chrono>
#include <cmath>
#include <algorithm>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "backend/core/status_macros.h"

namespace remotek::server {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewSessionId() {
  // std::random_device reads the kernel's CSPRNG (getrandom) on Linux.
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&id, absl::Hex(rd(), absl::kZeroPad8));
  return id;
}

absl::Status ValidateSessionId(const std::string& id) {
  const bool ok = id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                  });
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "session_id=\"", absl::CHexEscape(id.substr(0, 64)), id.size() > 64 ? "..." : "",
      "\" must be 32 lowercase hex digits"));
}

absl::StatusOr<ImageDataFormat> ParseImageDataFormat(const std::string& value,
                                                     const std::string& field) {
  if (value == "channels_last") return ImageDataFormat::kChannelsLast;
  if (value == "channels_first") return ImageDataFormat::kChannelsFirst;
  return absl::InvalidArgumentError(absl::StrCat(
      field, "=\"", value, "\" must be \"channels_last\" or \"channels_first\""));
}

const char* ImageDataFormatName(ImageDataFormat format) {
  return format == ImageDataFormat::kChannelsFirst ? "channels_first" : "channels_last";
}

const char* SessionEventName(SessionEvent event) {
  switch (event) {
    case SessionEvent::kCreated: return "session_created";
    case SessionEvent::kCleared: return "session_cleared";
    case SessionEvent::kClosed: return "session_closed";
    case SessionEvent::kExpired: return "session_expired";
  }
  return "session_unknown";
}

Session::Session(std::string id, std::string tenant, std::string backend_name,
                 std::unique_ptr<KerasSession> state)
    : id_(std::move(id)),
      tenant_(std::move(tenant)),
      backend_name_(std::move(backend_name)),
      created_unix_ms_(NowUnixMs()),
      last_used_unix_ms_(created_unix_ms_),
      state_(std::move(state)) {}

void Session::Touch() { last_used_unix_ms_.store(NowUnixMs()); }

SessionManager::SessionManager(const BackendRegistry* backends, OpConfig defaults,
                               SessionLimits limits)
    : backends_(backends), defaults_(defaults), limits_(limits) {}

std::shared_ptr<MemoryAccount> SessionManager::TenantAccount(const std::string& tenant) {
  if (limits_.tenant_memory_bytes <= 0) return nullptr;
  std::shared_ptr<MemoryAccount>& account = tenant_accounts_[tenant];
  if (account == nullptr) {
    account = std::make_shared<MemoryAccount>(absl::StrCat("tenant \"", tenant, "\""),
                                              limits_.tenant_memory_bytes);
  }
  return account;
}

absl::Status SessionManager::CheckSessionCount(const std::string& tenant) const {
  if (limits_.max_sessions_per_tenant <= 0) return absl::OkStatus();
  int held = 0;
  for (const auto& [id, session] : sessions_) held += session->tenant() == tenant;
  if (held < limits_.max_sessions_per_tenant) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "session quota of tenant \"", tenant, "\" exceeded: limit ",
      limits_.max_sessions_per_tenant, " sessions, held ", held, ", requested 1"));
}

absl::StatusOr<std::shared_ptr<Session>> SessionManager::Create(
    const std::string& tenant, const SessionOptions& options) {
  REMOTEK_ASSIGN_OR_RETURN(const HostedBackend* backend, backends_->Find(options.backend));
  OpConfig config = defaults_;
  if (options.floatx != DType::kInvalid) {
    if (!IsFloating(options.floatx)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "floatx=\"", DTypeName(options.floatx),
          "\" must be float16, float32 or float64"));
    }
    config.floatx = options.floatx;
  }
  if (options.epsilon != 0) {
    if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "epsilon=", options.epsilon, " must be a finite number > 0"));
    }
    config.epsilon = options.epsilon;
  }
  if (!options.image_data_format.empty()) {
    REMOTEK_ASSIGN_OR_RETURN(config.image_data_format,
                             ParseImageDataFormat(options.image_data_format,
                                                  "image_data_format"));
  }
  std::string id = options.session_id;
  if (id.empty()) {
    id = NewSessionId();
  } else {
    REMOTEK_RETURN_IF_ERROR(ValidateSessionId(id));
  }
  std::shared_ptr<MemoryAccount> parent;
  {
    absl::MutexLock lock(&mu_);
    REMOTEK_RETURN_IF_ERROR(CheckSessionCount(tenant));  // before building anything
    parent = TenantAccount(tenant);
  }
  auto account = std::make_shared<MemoryAccount>(
      absl::StrCat("session ", id),
      limits_.session_memory_bytes > 0 ? limits_.session_memory_bytes : MemoryAccount::kNoLimit,
      std::move(parent));
  REMOTEK_ASSIGN_OR_RETURN(std::unique_ptr<KerasSession> state,
                           backend->NewSession(config, std::move(account)));
  auto session = std::make_shared<Session>(id, tenant, backend->name(), std::move(state));
  {
    absl::MutexLock lock(&mu_);
    // Checked again: a concurrent Create may have taken the last slot. On
    // failure `session` is destroyed here and holds nothing.
    REMOTEK_RETURN_IF_ERROR(CheckSessionCount(tenant));
    if (!sessions_.try_emplace(id, session).second) {
      return absl::AlreadyExistsError(absl::StrCat("session_id=\"", id, "\" is already in use"));
    }
    expired_.erase(id);  // a proposed id may reuse an expired one
  }
  if (observer_) observer_(SessionEvent::kCreated, *session, 0);
  return session;
}

absl::StatusOr<std::shared_ptr<Session>> SessionManager::Get(
    const std::string& tenant, const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("session_id is required");
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  // Another tenant's session is answered exactly like an unknown one.
  if (it == sessions_.end() || it->second->tenant() != tenant) {
    auto gone = expired_.find(id);
    if (it == sessions_.end() && gone != expired_.end() && gone->second == tenant) {
      return absl::NotFoundError(absl::StrCat(
          "session \"", id, "\" expired: it was idle longer than the session TTL of ",
          absl::FormatDuration(ttl_)));
    }
    return absl::NotFoundError(absl::StrCat("unknown session \"", id, "\""));
  }
  it->second->Touch();
  return it->second;
}

absl::Status SessionManager::Close(const std::string& tenant, const std::string& id) {
  std::shared_ptr<Session> closing;
  {
    REMOTEK_ASSIGN_OR_RETURN(closing, Get(tenant, id));
    absl::MutexLock lock(&mu_);
    // A concurrent Close of the same id may have erased it first; that one
    // clears it and reports the event.
    if (sessions_.erase(id) == 0) return absl::OkStatus();
  }
  // Free the session's memory now even if an in-flight call still pins it.
  ClearAndNotify(*closing, SessionEvent::kClosed);
  return absl::OkStatus();
}

void SessionManager::Clear(Session& session) { ClearAndNotify(session, SessionEvent::kCleared); }

void SessionManager::ClearAndNotify(Session& session, SessionEvent event) {
  const int64_t before = session.state().account()->current();
  session.state().Clear();
  if (observer_) observer_(event, session, before - session.state().account()->current());
}

std::vector<TenantUsage> SessionManager::Usage() const {
  absl::flat_hash_map<std::string, TenantUsage> by_tenant;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, session] : sessions_) {
      TenantUsage& usage = by_tenant[session->tenant()];
      ++usage.sessions;
      usage.bytes_held += session->state().account()->current();
    }
  }
  std::vector<TenantUsage> out;
  out.reserve(by_tenant.size());
  for (auto& [tenant, usage] : by_tenant) {
    usage.tenant = tenant;
    out.push_back(std::move(usage));
  }
  std::sort(out.begin(), out.end(),
            [](const TenantUsage& a, const TenantUsage& b) { return a.tenant < b.tenant; });
  return out;
}

std::vector<std::shared_ptr<Session>> SessionManager::List(const std::string& tenant) const {
  std::vector<std::shared_ptr<Session>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, session] : sessions_) {
    if (session->tenant() == tenant) out.push_back(session);
  }
  return out;
}

int SessionManager::ReapIdle(int64_t now_unix_ms, absl::Duration ttl) {
  const int64_t ttl_ms = absl::ToInt64Milliseconds(ttl);
  std::vector<std::shared_ptr<Session>> reaped;
  {
    absl::MutexLock lock(&mu_);
    ttl_ = ttl;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const std::shared_ptr<Session>& session = it->second;
      // use_count > 1: a call in flight pins it; it is in use, not idle, and
      // its idle time starts when that call ends.
      if (session.use_count() > 1) {
        session->Touch();
        ++it;
        continue;
      }
      if (now_unix_ms - session->last_used_unix_ms() > ttl_ms) {
        reaped.push_back(session);
        expired_[session->id()] = session->tenant();
        expired_order_.push_back(session->id());
        sessions_.erase(it++);
      } else {
        ++it;
      }
    }
    while (expired_order_.size() > limits_.remembered_expired) {
      // An id re-created since it expired is no longer in expired_.
      expired_.erase(expired_order_.front());
      expired_order_.pop_front();
    }
  }
  for (const auto& session : reaped) ClearAndNotify(*session, SessionEvent::kExpired);
  return static_cast<int>(reaped.size());
}

size_t SessionManager::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace remotek::server
