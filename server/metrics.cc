#include "server/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace remotek::server {
namespace {

constexpr absl::string_view kRemoteKPrefix = "/remotek.v1.RemoteK/";
constexpr int kUnknownCode = 2;  // grpc::StatusCode::UNKNOWN

std::string RpcLabel(absl::string_view path) {
  if (absl::StartsWith(path, kRemoteKPrefix))
    return std::string(path.substr(kRemoteKPrefix.size()));
  if (absl::StartsWith(path, "/")) path.remove_prefix(1);
  return std::string(path);
}

std::string CodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

void Header(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

// `labels` is the rendered label list without braces ("method=\"Call\"").
void Sample(std::string* out, absl::string_view name, absl::string_view labels,
            uint64_t value) {
  if (labels.empty()) {
    absl::StrAppend(out, name, " ", value, "\n");
  } else {
    absl::StrAppend(out, name, "{", labels, "} ", value, "\n");
  }
}

void HistogramSamples(std::string* out, absl::string_view name,
                      absl::string_view labels,
                      const LatencyHistogram::Snapshot& h) {
  const std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    absl::StrAppend(out, name, "_bucket{", labels, sep, "le=\"",
                    kLatencyBucketLabels[i], "\"} ", h.cumulative[i], "\n");
  }
  absl::StrAppend(out, name, "_bucket{", labels, sep, "le=\"+Inf\"} ", h.count,
                  "\n");
  absl::StrAppend(out, name, "_sum{", labels, "} ",
                  absl::StrFormat("%.9g", h.sum_seconds), "\n");
  absl::StrAppend(out, name, "_count{", labels, "} ", h.count, "\n");
}

std::string Label(absl::string_view key, absl::string_view value) {
  return absl::StrCat(key, "=\"", EscapeLabelValue(value), "\"");
}

}  // namespace

void LatencyHistogram::Observe(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // NaN and clock steps
  const auto it =
      std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  buckets_[it - kLatencyBuckets.begin()].fetch_add(1,
                                                   std::memory_order_relaxed);
  const double nanos = std::min(seconds * 1e9, 1e15);
  sum_nanos_.fetch_add(static_cast<uint64_t>(nanos), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::Read() const {
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running + buckets_[kBuckets].load(std::memory_order_relaxed);
  s.sum_seconds =
      static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Metrics::Metrics(const std::vector<std::string>& rpc_methods) {
  for (const std::string& path : rpc_methods) {
    if (rpc_by_path_.contains(path)) continue;
    rpcs_.push_back(std::make_unique<RpcStats>());
    rpcs_.back()->label = RpcLabel(path);
    rpc_by_path_[path] = rpcs_.back().get();
  }
  rpcs_.push_back(std::make_unique<RpcStats>());
  rpcs_.back()->label = "other";
  other_rpc_ = rpcs_.back().get();
}

Metrics::RpcStats* Metrics::FindRpc(const char* full_method) {
  if (full_method == nullptr) return other_rpc_;
  const auto it = rpc_by_path_.find(absl::string_view(full_method));
  return it == rpc_by_path_.end() ? other_rpc_ : it->second;
}

void Metrics::ObserveRpc(RpcStats* rpc, int code, double seconds) {
  if (code < 0 || code >= static_cast<int>(rpc->by_code.size()))
    code = kUnknownCode;
  rpc->by_code[code].fetch_add(1, std::memory_order_relaxed);
  rpc->latency.Observe(seconds);
}

void Metrics::ObserveSessionEvent(SessionEvent event) {
  session_events_[static_cast<size_t>(event)].fetch_add(
      1, std::memory_order_relaxed);
}

LatencyHistogram* Metrics::OpLatencyLocked(absl::string_view op) {
  std::unique_ptr<LatencyHistogram>& h = op_latency_[op];
  if (h == nullptr) h = std::make_unique<LatencyHistogram>();
  return h.get();
}

Metrics::OpSeries* Metrics::NewOpSeriesLocked(absl::string_view backend,
                                              absl::string_view op) {
  op_series_.push_back(std::make_unique<OpSeries>());
  OpSeries* series = op_series_.back().get();
  series->backend = std::string(backend);
  series->op = std::string(op);
  series->latency = OpLatencyLocked(op);
  return series;
}

void Metrics::RegisterOps(absl::string_view backend,
                          const std::vector<std::string>& ops) {
  absl::MutexLock lock(&ops_mu_);
  OpsByName& by_name = registered_ops_[backend];
  for (const std::string& op : ops) {
    if (!by_name.contains(op)) by_name[op] = NewOpSeriesLocked(backend, op);
  }
}

Metrics::OpSeries* Metrics::FindExtraOp(absl::string_view backend,
                                        absl::string_view op) {
  absl::MutexLock lock(&ops_mu_);
  if (extra_op_count_ >= kMaxExtraOpSeries) {
    // Bounded label cardinality whatever names reach us.
    backend = "other";
    op = "other";
  }
  OpsByName& by_name = extra_ops_[backend];
  auto it = by_name.find(op);
  if (it != by_name.end()) return it->second;
  ++extra_op_count_;
  OpSeries* series = NewOpSeriesLocked(backend, op);
  by_name[op] = series;
  return series;
}

void Metrics::ObserveOp(absl::string_view backend, absl::string_view op,
                        double seconds, bool ok) {
  OpSeries* series = nullptr;
  if (auto b = registered_ops_.find(backend); b != registered_ops_.end()) {
    if (auto o = b->second.find(op); o != b->second.end()) series = o->second;
  }
  if (series == nullptr) series = FindExtraOp(backend, op);
  series->runs.fetch_add(1, std::memory_order_relaxed);
  if (!ok) series->errors.fetch_add(1, std::memory_order_relaxed);
  series->latency->Observe(seconds);
}

void Metrics::RenderRpcs(std::string* out) const {
  Header(out, "remotek_rpc_requests_total", "counter",
         "RPCs finished, by method and status code.");
  std::array<uint64_t, 17> errors{};
  for (const auto& rpc : rpcs_) {
    for (size_t code = 0; code < rpc->by_code.size(); ++code) {
      const uint64_t n = rpc->by_code[code].load(std::memory_order_relaxed);
      if (n == 0) continue;
      if (code != 0) errors[code] += n;
      Sample(out, "remotek_rpc_requests_total",
             absl::StrCat(Label("method", rpc->label), ",",
                          Label("code", CodeName(code))),
             n);
    }
  }
  Header(out, "remotek_rpc_errors_total", "counter",
         "RPCs finished with a status other than OK, by status code.");
  for (size_t code = 1; code < errors.size(); ++code) {
    if (errors[code] > 0)
      Sample(out, "remotek_rpc_errors_total", Label("code", CodeName(code)),
             errors[code]);
  }
  Header(out, "remotek_rpc_latency_seconds", "histogram",
         "Time from the start of an RPC to its status being sent, by method.");
  for (const auto& rpc : rpcs_) {
    const LatencyHistogram::Snapshot h = rpc->latency.Read();
    if (h.count > 0)
      HistogramSamples(out, "remotek_rpc_latency_seconds",
                       Label("method", rpc->label), h);
  }
}

void Metrics::RenderSessions(const std::vector<TenantUsage>& usage,
                             std::string* out) const {
  int64_t open = 0;
  for (const TenantUsage& u : usage) open += u.sessions;
  Header(out, "remotek_sessions_open", "gauge", "Sessions open now.");
  absl::StrAppend(out, "remotek_sessions_open ", open, "\n");
  Header(out, "remotek_tenant_sessions_open", "gauge",
         "Sessions open now, by tenant.");
  for (const TenantUsage& u : usage) {
    absl::StrAppend(out, "remotek_tenant_sessions_open{",
                    Label("tenant", u.tenant), "} ", u.sessions, "\n");
  }
  Header(
      out, "remotek_tenant_bytes_held", "gauge",
      "Bytes held by the open sessions of a tenant (their memory accounts).");
  for (const TenantUsage& u : usage) {
    absl::StrAppend(out, "remotek_tenant_bytes_held{",
                    Label("tenant", u.tenant), "} ", u.bytes_held, "\n");
  }
  static constexpr std::array<std::pair<SessionEvent, absl::string_view>, 4>
      kEvents = {{
          {SessionEvent::kCreated, "created"},
          {SessionEvent::kCleared, "cleared"},
          {SessionEvent::kClosed, "closed"},
          {SessionEvent::kExpired, "expired"},
      }};
  for (const auto& [event, name] : kEvents) {
    const std::string metric =
        absl::StrCat("remotek_sessions_", name, "_total");
    const std::string help =
        event == SessionEvent::kExpired
            ? "Sessions closed by the idle TTL (evictions)."
            : absl::StrCat(
                  "Sessions ", name,
                  event == SessionEvent::kCleared ? " (clear_session)." : ".");
    Header(out, metric, "counter", help);
    Sample(out, metric, "",
           session_events_[static_cast<size_t>(event)].load(
               std::memory_order_relaxed));
  }
}

void Metrics::RenderOps(std::string* out) const {
  std::vector<std::pair<std::string, uint64_t>> runs,
      errors;  // rendered labels, value
  std::vector<std::pair<std::string, LatencyHistogram::Snapshot>> latency;
  {
    absl::MutexLock lock(&ops_mu_);
    for (const auto& series : op_series_) {
      const uint64_t n = series->runs.load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string labels = absl::StrCat(Label("backend", series->backend),
                                              ",", Label("op", series->op));
      runs.emplace_back(labels, n);
      errors.emplace_back(labels,
                          series->errors.load(std::memory_order_relaxed));
    }
    for (const auto& [op, histogram] : op_latency_) {
      LatencyHistogram::Snapshot h = histogram->Read();
      if (h.count > 0) latency.emplace_back(Label("op", op), h);
    }
  }
  std::sort(runs.begin(), runs.end());
  std::sort(errors.begin(), errors.end());
  std::sort(latency.begin(), latency.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Header(out, "remotek_op_runs_total", "counter",
         "Op runs, by backend and op.");
  for (const auto& [labels, n] : runs)
    Sample(out, "remotek_op_runs_total", labels, n);
  Header(out, "remotek_op_errors_total", "counter",
         "Op runs that failed, by backend and op.");
  for (const auto& [labels, n] : errors)
    Sample(out, "remotek_op_errors_total", labels, n);
  Header(out, "remotek_op_latency_seconds", "histogram",
         "Op run time, by op (all backends).");
  for (const auto& [labels, h] : latency)
    HistogramSamples(out, "remotek_op_latency_seconds", labels, h);
}

std::string Metrics::Render(const std::vector<TenantUsage>& usage) const {
  std::string out;
  out.reserve(16 << 10);
  RenderRpcs(&out);
  RenderSessions(usage, &out);
  RenderOps(&out);
  return out;
}

}  // namespace remotek::server
