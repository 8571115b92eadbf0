// The live progress line (see progress_line.h).
#include "tools/load/progress_line.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace remotek::load {

bool ProgressLine::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void ProgressLine::Start(std::string label, const LiveCounters* live) {
  if (!enabled_) return;
  Stop();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread([this, label = std::move(label), live] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(200),
                           [this] { return stop_; })) {
      Draw(label, *live);
    }
  });
}

void ProgressLine::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", stderr);  // clear the line for the report
  std::fflush(stderr);
}

void ProgressLine::Draw(const std::string& label, const LiveCounters& live) {
  const int64_t start_ns = live.measure_start_ns.load();
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count();
  const int64_t completed = live.completed.load();
  const int64_t errors = live.errors.load();
  if (start_ns == 0 || now_ns < start_ns) {
    absl::FPrintF(stderr, "\r\033[K%s  setting up / warming up...", label);
  } else {
    const double seconds = static_cast<double>(now_ns - start_ns) / 1e9;
    absl::FPrintF(stderr, "\r\033[K%s  %.1fs  %d req  %.0f req/s  %d errors",
                  label, seconds, completed,
                  seconds > 0 ? static_cast<double>(completed) / seconds : 0.0,
                  errors);
  }
  std::fflush(stderr);
}

}  // namespace remotek::load
