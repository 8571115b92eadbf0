// Text, JSON and CSV renderings of a RunReport (see report.h).
#include "tools/load/report.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/json_quote.h"

namespace remotek::load {
namespace {

double Us(int64_t ns) { return static_cast<double>(ns) / 1e3; }
double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  // Two calls, not one with a ?: format: clang checks that the format is a
  // compile-time constant.
  if (u == 0) return absl::StrFormat("%.0f %s", bytes, units[u]);
  return absl::StrFormat("%.2f %s", bytes, units[u]);
}

// %.6g keeps JSON numbers short without losing what matters.
std::string JsonNumber(double v) { return absl::StrFormat("%.10g", v); }

// ------------------------------------------------------------------ text

std::string TextLatency(const LatencyHistogram& h) {
  if (h.count() == 0) return "no successful requests";
  return absl::StrFormat(
      "min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (mean "
      "%.3f)",
      Ms(h.min()), Ms(h.Percentile(50)), Ms(h.Percentile(90)),
      Ms(h.Percentile(99)), Ms(h.Percentile(99.9)), Ms(h.max()),
      h.mean() / 1e6);
}

std::string TextErrors(const RunStats& s) {
  if (s.errors_by_code.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [code, tally] : s.errors_by_code) {
    parts.push_back(absl::StrCat(code, " ", tally.count, " (e.g. \"",
                                 tally.example, "\")"));
  }
  return absl::StrJoin(parts, "; ");
}

std::string TextSingle(const RunReport& r) {
  const RunStats& s = r.steps.front();
  std::string out =
      absl::StrCat("remotek-load: ", r.scenario, " against ", r.address, ", ");
  if (r.mode == LoadMode::kOpenLoop) {
    absl::StrAppendFormat(&out,
                          "open loop at %.1f req/s (up to %d in flight)\n",
                          s.rate, s.concurrency);
  } else {
    absl::StrAppendFormat(&out, "closed loop, concurrency %d\n", s.concurrency);
  }
  absl::StrAppendFormat(&out, "  requests    %d (%d ok, %d errors) in %.3f s",
                        s.requests, s.ok, s.errors, s.elapsed_seconds);
  if (r.warmup_seconds > 0)
    absl::StrAppendFormat(&out, " after %.3f s warmup", r.warmup_seconds);
  absl::StrAppendFormat(&out, "\n  throughput  %.1f req/s\n", s.qps());
  absl::StrAppend(&out, "  latency     ", TextLatency(s.latency), "\n");
  absl::StrAppend(&out, "  bytes       sent ",
                  HumanBytes(static_cast<double>(s.bytes_sent)), ", received ",
                  HumanBytes(static_cast<double>(s.bytes_received)));
  if (s.elapsed_seconds > 0) {
    absl::StrAppend(
        &out, "  (",
        HumanBytes(static_cast<double>(s.bytes_sent) / s.elapsed_seconds),
        "/s up, ",
        HumanBytes(static_cast<double>(s.bytes_received) / s.elapsed_seconds),
        "/s down)");
  }
  absl::StrAppend(&out, "\n  errors      ", TextErrors(s), "\n");
  if (r.mode == LoadMode::kOpenLoop) {
    absl::StrAppendFormat(
        &out,
        "  late        %d of %d sent more than %.0f ms after their intended "
        "time (max lag %.3f ms); latency counts from the intended time\n",
        s.late, s.requests, Ms(kLateThresholdNs), Ms(s.max_send_lag_ns));
  }
  if (s.requests_by_scenario.size() > 1) {
    std::vector<std::string> parts;
    for (const auto& [name, n] : s.requests_by_scenario)
      parts.push_back(absl::StrCat(name, " ", n));
    absl::StrAppend(&out, "  mix         ", absl::StrJoin(parts, ", "), "\n");
  }
  return out;
}

std::string TextSweep(const RunReport& r) {
  std::string out = absl::StrCat("remotek-load: ", r.scenario, " against ",
                                 r.address, ", closed-loop sweep\n");
  absl::StrAppendFormat(&out, "%11s %9s %7s %10s %9s %9s %9s %9s %9s\n",
                        "concurrency", "requests", "errors", "req/s", "p50_ms",
                        "p90_ms", "p99_ms", "p99.9_ms", "max_ms");
  for (const RunStats& s : r.steps) {
    const LatencyHistogram& h = s.latency;
    absl::StrAppendFormat(
        &out, "%11d %9d %7d %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n",
        s.concurrency, s.requests, s.errors, s.qps(), Ms(h.Percentile(50)),
        Ms(h.Percentile(90)), Ms(h.Percentile(99)), Ms(h.Percentile(99.9)),
        Ms(h.max()));
  }
  for (const RunStats& s : r.steps) {
    if (s.errors > 0) {
      absl::StrAppend(&out, "errors at concurrency ", s.concurrency, ": ",
                      TextErrors(s), "\n");
    }
  }
  return out;
}

// ------------------------------------------------------------------ json

std::string JsonStep(const RunStats& s) {
  std::vector<std::string> errors;
  for (const auto& [code, tally] : s.errors_by_code) {
    errors.push_back(
        absl::StrCat(JsonQuote(code), ": {\"count\": ", tally.count,
                     ", \"example\": ", JsonQuote(tally.example), "}"));
  }
  std::vector<std::string> by_scenario;
  for (const auto& [name, n] : s.requests_by_scenario) {
    by_scenario.push_back(absl::StrCat(JsonQuote(name), ": ", n));
  }
  const LatencyHistogram& h = s.latency;
  return absl::StrCat(
      "{\"concurrency\": ", s.concurrency, ", \"rate\": ", JsonNumber(s.rate),
      ", \"requests\": ", s.requests, ", \"ok\": ", s.ok,
      ", \"errors\": ", s.errors, ", \"errors_by_code\": {",
      absl::StrJoin(errors, ", "), "}", ", \"requests_by_scenario\": {",
      absl::StrJoin(by_scenario, ", "), "}",
      ", \"elapsed_s\": ", JsonNumber(s.elapsed_seconds),
      ", \"qps\": ", JsonNumber(s.qps()),
      ", \"latency_us\": {\"min\": ", JsonNumber(Us(h.min())),
      ", \"p50\": ", JsonNumber(Us(h.Percentile(50))),
      ", \"p90\": ", JsonNumber(Us(h.Percentile(90))),
      ", \"p99\": ", JsonNumber(Us(h.Percentile(99))),
      ", \"p999\": ", JsonNumber(Us(h.Percentile(99.9))),
      ", \"max\": ", JsonNumber(Us(h.max())),
      ", \"mean\": ", JsonNumber(h.mean() / 1e3), "}",
      ", \"bytes_sent\": ", s.bytes_sent,
      ", \"bytes_received\": ", s.bytes_received, ", \"late\": ", s.late,
      ", \"max_send_lag_us\": ", JsonNumber(Us(s.max_send_lag_ns)), "}");
}

std::string Json(const RunReport& r) {
  std::vector<std::string> steps;
  for (const RunStats& s : r.steps) steps.push_back("    " + JsonStep(s));
  return absl::StrCat(
      "{\"tool\": \"remotek-load\", \"scenario\": ", JsonQuote(r.scenario),
      ", \"mode\": ", JsonQuote(ModeName(r.mode)),
      ", \"address\": ", JsonQuote(r.address),
      ", \"warmup_s\": ", JsonNumber(r.warmup_seconds),
      ", \"duration_s\": ", JsonNumber(r.duration_seconds),
      ", \"requests_per_step\": ", r.requests_per_step, ",\n  \"steps\": [\n",
      absl::StrJoin(steps, ",\n"), "\n  ]}\n");
}

// ------------------------------------------------------------------- csv

std::string Csv(const RunReport& r) {
  std::string out = CsvHeader() + "\n";
  for (const RunStats& s : r.steps) {
    const LatencyHistogram& h = s.latency;
    // The mix label has commas, hence the quotes.
    absl::StrAppendFormat(
        &out,
        "\"%s\",%s,%d,%.3f,%d,%d,%d,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%."
        "3f,%d,%d,%d\n",
        r.scenario, ModeName(r.mode), s.concurrency, s.rate, s.requests, s.ok,
        s.errors, s.elapsed_seconds, s.qps(), Us(h.min()), Us(h.Percentile(50)),
        Us(h.Percentile(90)), Us(h.Percentile(99)), Us(h.Percentile(99.9)),
        Us(h.max()), h.mean() / 1e3, s.bytes_sent, s.bytes_received, s.late);
  }
  return out;
}

}  // namespace

std::string ScenarioLabel(const LoadOptions& options) {
  if (options.scenarios.size() == 1)
    return std::string(ScenarioName(options.scenarios[0].kind));
  std::vector<std::string> parts;
  for (const WeightedScenario& w : options.scenarios) {
    parts.push_back(absl::StrCat(ScenarioName(w.kind), ":", w.weight));
  }
  return absl::StrJoin(parts, ",");
}

std::string ModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kClosedLoop:
      return "closed_loop";
    case LoadMode::kOpenLoop:
      return "open_loop";
    case LoadMode::kSweep:
      return "sweep";
  }
  return "unknown";
}

std::string CsvHeader() {
  return "scenario,mode,concurrency,rate,requests,ok,errors,elapsed_s,qps,min_"
         "us,p50_us,p90_us,"
         "p99_us,p999_us,max_us,mean_us,bytes_sent,bytes_received,late";
}

std::string FormatReport(const RunReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kJson:
      return Json(report);
    case ReportFormat::kCsv:
      return Csv(report);
    case ReportFormat::kText:
      return report.mode == LoadMode::kSweep ? TextSweep(report)
                                             : TextSingle(report);
  }
  return "";
}

}  // namespace remotek::load
