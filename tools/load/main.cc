// remotek-load: a load tester for a RemoteK server. Parses the flags, runs a
// closed loop, an open loop or a concurrency sweep, and writes the report
// (and the sweep chart). See tools/load/README.md.
//
// Exit status: 0 the run completed (the report lists any request errors),
// 1 setup, connection or output failure, 2 bad flags, 130 interrupted
// (SIGINT / SIGTERM: the report covers what was measured until then).
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/load/load_options.h"
#include "tools/load/load_runner.h"
#include "tools/load/progress_line.h"
#include "tools/load/report.h"
#include "tools/load/svg_chart.h"

namespace remotek::load {
namespace {

void OnStopSignal(int) { RequestStop(); }

// Ctrl-C ends the run early but still reports what it measured.
void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int Fail(const absl::Status& status) {
  std::cerr << "remotek-load: " << absl::StatusCodeToString(status.code())
            << ": " << status.message() << "\n";
  return 1;
}

absl::Status WriteFile(const std::string& path, const std::string& text,
                       const char* flag) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    return absl::PermissionDeniedError(
        absl::StrCat(flag, "=", path, ": cannot write the file"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunReport> Run(const LoadOptions& options) {
  RunReport report;
  report.scenario = ScenarioLabel(options);
  report.mode = options.mode;
  report.address = options.address;
  report.warmup_seconds = static_cast<double>(options.warmup.count()) / 1e9;
  report.requests_per_step = options.requests;
  if (options.requests == 0) {
    report.duration_seconds =
        static_cast<double>(options.duration.count()) / 1e9;
  }

  std::vector<Connection> connections = OpenConnections(options);
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(10);
  for (Connection& c : connections) {
    if (!c.channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(
          absl::StrCat("--address=", options.address,
                       ": no RemoteK server answered within 10 s"));
    }
  }

  ProgressLine progress(ProgressLine::StderrIsTerminal());
  std::vector<int> steps;
  if (options.mode == LoadMode::kSweep) {
    steps = options.concurrency_steps;
  } else {
    steps = {options.concurrency};
  }
  for (size_t i = 0; i < steps.size() && !StopRequested(); ++i) {
    LiveCounters live;
    absl::StatusOr<RunStats> stats;
    if (options.mode == LoadMode::kOpenLoop) {
      progress.Start(absl::StrCat("rate=", options.rate), &live);
      stats = RunOpenLoop(options, connections, &live);
    } else {
      progress.Start(steps.size() > 1
                         ? absl::StrCat("c=", steps[i], " (", i + 1, "/",
                                        steps.size(), ")")
                         : absl::StrCat("c=", steps[i]),
                     &live);
      stats = RunClosedLoop(options, connections, steps[i], &live);
    }
    progress.Stop();
    if (!stats.ok()) return stats.status();
    report.steps.push_back(*std::move(stats));
  }
  return report;
}

int Main(int argc, char** argv) {
  absl::StatusOr<LoadOptions> options =
      ParseLoadOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "remotek-load: " << options.status().message() << "\n"
              << "(remotek-load --help lists the flags)\n";
    return 2;
  }
  if (options->help) {
    std::cout << LoadUsage();
    return 0;
  }
  InstallStopHandlers();
  absl::StatusOr<RunReport> report = Run(*options);
  if (!report.ok()) return Fail(report.status());
  if (report->steps.empty()) {
    std::cerr << "remotek-load: interrupted before anything was measured\n";
    return 130;
  }

  const std::string text = FormatReport(*report, options->format);
  if (options->output_path.empty()) {
    std::cout << text << std::flush;
  } else if (absl::Status s = WriteFile(options->output_path, text, "--output");
             !s.ok()) {
    return Fail(s);
  }
  if (!options->svg_path.empty()) {
    if (absl::Status s =
            WriteFile(options->svg_path, RenderSweepSvg(*report), "--svg");
        !s.ok()) {
      return Fail(s);
    }
  }
  if (StopRequested()) {
    std::cerr << "remotek-load: interrupted; the report covers what was "
                 "measured until then\n";
    return 130;
  }
  return 0;
}

}  // namespace
}  // namespace remotek::load

int main(int argc, char** argv) { return remotek::load::Main(argc, argv); }
