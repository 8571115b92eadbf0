// Structured log lines: one JSON object per line, on stderr by default.
//
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","event":"session_created",
//    "session":"9f...","tenant":"default","backend":"eigen"}
//
// Lines carry ids, names, codes and messages, never tensor contents or
// credentials: callers add only such fields (error messages name shapes and
// fields, not values; auth errors never quote the token).
#ifndef REMOTEK_SERVER_EVENT_LOG_H_
#define REMOTEK_SERVER_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace remotek::server {

// Builds one line. Fields keep the order they were added in; string values
// are JSON-quoted and cut to `kMaxValueBytes`.
class EventLine {
 public:
  static constexpr size_t kMaxValueBytes = 1024;

  // Starts with "ts" (RFC 3339, UTC, milliseconds), "level" and "event".
  EventLine(absl::string_view level, absl::string_view event,
            absl::Time now = absl::Now());

  EventLine& Add(absl::string_view key, absl::string_view value);
  EventLine& Add(absl::string_view key, int64_t value);
  // A number with three decimals ("latency_ms":0.125).
  EventLine& AddMillis(absl::string_view key, double millis);

  // The finished line, "}\n" included.
  std::string Finish() &&;

 private:
  std::string text_;
};

// Thread-safety: Write may be called from any thread; lines never interleave.
class EventLog {
 public:
  using Sink = std::function<void(absl::string_view line)>;
  static constexpr int kDefaultFailureLinesPerSecond = 100;

  // An empty sink writes to stderr (file descriptor 2).
  explicit EventLog(Sink sink = nullptr,
                    int failure_lines_per_second = kDefaultFailureLinesPerSecond)
      : sink_(std::move(sink)), failure_rate_(failure_lines_per_second),
        failure_tokens_(failure_lines_per_second) {}

  void Write(EventLine line);

  // For lines whose rate the clients choose (failed requests): at most
  // `failure_lines_per_second` per second on average, in bursts of as many.
  // The rest are counted, not written, so a flood of bad requests cannot
  // flood the log or stall calls on a slow stderr; the next line written
  // reports the count first ({"event":"log_suppressed","lines":N}).
  void WriteRateLimited(EventLine line);

 private:
  void WriteLocked(const std::string& text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  const Sink sink_;
  const double failure_rate_;
  double failure_tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time failure_refilled_ ABSL_GUARDED_BY(mu_) = absl::Now();
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_EVENT_LOG_H_
