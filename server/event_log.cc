#include "server/event_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_quote.h"

namespace remotek::server {

EventLine::EventLine(absl::string_view level, absl::string_view event,
                     absl::Time now) {
  text_ = absl::StrCat(
      "{\"ts\":\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()), "\"");
  Add("level", level);
  Add("event", event);
}

EventLine& EventLine::Add(absl::string_view key, absl::string_view value) {
  const bool cut = value.size() > kMaxValueBytes;
  if (cut) value = value.substr(0, kMaxValueBytes);
  absl::StrAppend(&text_, ",", JsonQuote(key), ":", JsonQuote(value));
  if (cut) {
    text_.pop_back();  // the closing quote
    text_ += "...\"";
  }
  return *this;
}

EventLine& EventLine::Add(absl::string_view key, int64_t value) {
  absl::StrAppend(&text_, ",", JsonQuote(key), ":", value);
  return *this;
}

EventLine& EventLine::AddMillis(absl::string_view key, double millis) {
  if (!std::isfinite(millis)) millis = 0;  // JSON has no NaN
  absl::StrAppend(&text_, ",", JsonQuote(key), ":",
                  absl::StrFormat("%.3f", millis));
  return *this;
}

std::string EventLine::Finish() && {
  text_ += "}\n";
  return std::move(text_);
}

void EventLog::Write(EventLine line) {
  const std::string text = std::move(line).Finish();
  absl::MutexLock lock(&mu_);
  WriteLocked(text);
}

void EventLog::WriteRateLimited(EventLine line) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  failure_tokens_ = std::min(
      failure_rate_,
      failure_tokens_ + absl::ToDoubleSeconds(now - failure_refilled_) * failure_rate_);
  failure_refilled_ = now;
  if (failure_tokens_ < 1) {
    ++suppressed_;
    return;
  }
  failure_tokens_ -= 1;
  if (suppressed_ > 0) {
    EventLine note("warn", "log_suppressed", now);
    note.Add("lines", suppressed_);
    note.Add("limit_per_second", static_cast<int64_t>(failure_rate_));
    WriteLocked(std::move(note).Finish());
    suppressed_ = 0;
  }
  WriteLocked(std::move(line).Finish());
}

void EventLog::WriteLocked(const std::string& text) {
  if (sink_) {
    sink_(text);
    return;
  }
  // One write(2) per line where possible; a failing stderr is ignored.
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace remotek::server
