// server/event_log: the exact JSON of a line, escaping, cut-off values, and
// that lines reach the sink whole.
#include "server/event_log.h"

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace remotek::server {
namespace {

const absl::Time kWhen =
    absl::FromUnixMillis(1704164645678);  // 2024-01-02T03:04:05.678Z

TEST(EventLine, WritesOneJsonObjectInFieldOrder) {
  EventLine line("warn", "request_failed", kWhen);
  line.Add("method", "GetSession").Add("code", "NOT_FOUND");
  line.Add("message", "unknown session \"x\"\n\ttab");
  line.Add("bytes_freed", int64_t{-4096});
  line.AddMillis("latency_ms", 1.5);
  EXPECT_EQ(std::move(line).Finish(),
            "{\"ts\":\"2024-01-02T03:04:05.678Z\",\"level\":\"warn\",\"event\":"
            "\"request_failed\","
            "\"method\":\"GetSession\",\"code\":\"NOT_FOUND\","
            "\"message\":\"unknown session "
            "\\\"x\\\"\\n\\ttab\",\"bytes_freed\":-4096,"
            "\"latency_ms\":1.500}\n");
}

TEST(EventLine, CutsLongValuesAndEscapesControlBytes) {
  EventLine line("info", "e", kWhen);
  line.Add("long", std::string(EventLine::kMaxValueBytes + 100, 'a'));
  line.Add("ctl", std::string("\x01\x1f", 2));
  line.AddMillis("nan", std::nan(""));
  const std::string text = std::move(line).Finish();
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "\"long\":\"" +
                        std::string(EventLine::kMaxValueBytes, 'a') + "...\""));
  EXPECT_THAT(text, ::testing::HasSubstr("\"ctl\":\"\\u0001\\u001f\""));
  EXPECT_THAT(text, ::testing::HasSubstr("\"nan\":0.000}"));
}

TEST(EventLog, LinesFromManyThreadsArriveWhole) {
  std::vector<std::string> lines;
  EventLog log([&lines](absl::string_view line) { lines.emplace_back(line); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 100; ++i) {
        EventLine line("info", "e", kWhen);
        line.Add("thread", int64_t{t});
        log.Write(std::move(line));
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(lines.size(), 400u);
  for (const std::string& l : lines) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.substr(l.size() - 2), "}\n");
  }
}

TEST(EventLog, FailureLinesAreRateLimitedAndTheDropsReported) {
  std::vector<std::string> lines;
  EventLog log([&lines](absl::string_view line) { lines.emplace_back(line); },
               /*failure_lines_per_second=*/50);
  for (int i = 0; i < 200; ++i) {
    EventLine line("warn", "request_failed", kWhen);
    line.Add("i", int64_t{i});
    log.WriteRateLimited(std::move(line));
  }
  // A burst of 50 (the loop is far quicker than the 20 ms one more needs).
  ASSERT_EQ(lines.size(), 50u);
  EXPECT_THAT(lines.back(), ::testing::HasSubstr("\"i\":49}"));
  log.Write(EventLine("info", "session_created", kWhen));  // never limited
  ASSERT_EQ(lines.size(), 51u);
  absl::SleepFor(absl::Milliseconds(100));  // refills 5 tokens
  EventLine next("warn", "request_failed", kWhen);
  next.Add("i", int64_t{200});
  log.WriteRateLimited(std::move(next));
  ASSERT_EQ(lines.size(), 53u);
  EXPECT_THAT(lines[51], ::testing::HasSubstr(
                             "\"event\":\"log_suppressed\",\"lines\":150,"
                             "\"limit_per_second\":50}"));
  EXPECT_THAT(lines[52], ::testing::HasSubstr("\"i\":200}"));
}

}  // namespace
}  // namespace remotek::server
