// ProgressLine: while a run is going and stderr is a terminal, rewrites one
// status line on stderr five times a second ("c=8  2.4s  12034 req  5012 req/s
// 0 errors"). When stderr is not a terminal (CI, pipes, tests) it prints
// nothing, so logs stay clean.
//
// Thread-safety: Start/Stop from one thread; the line is drawn by an internal
// thread that only reads the LiveCounters.
#ifndef REMOTEK_TOOLS_LOAD_PROGRESS_LINE_H_
#define REMOTEK_TOOLS_LOAD_PROGRESS_LINE_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "tools/load/load_runner.h"

namespace remotek::load {

class ProgressLine {
 public:
  // `enabled` false makes Start and Stop do nothing.
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { Stop(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Whether stderr is a terminal.
  static bool StderrIsTerminal();

  // Starts drawing `label` and the counters of `live` (which must outlive
  // the matching Stop).
  void Start(std::string label, const LiveCounters* live);
  // Stops drawing and clears the line.
  void Stop();

 private:
  void Draw(const std::string& label, const LiveCounters& live);

  const bool enabled_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_PROGRESS_LINE_H_
