// Hand-written command-line parsing for remotek-load. Every error names the
// flag as typed and the value, because a load run that silently ignores a
// typo measures the wrong thing.
#include "tools/load/load_options.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace remotek::load {
namespace {

using std::chrono::nanoseconds;

constexpr std::pair<absl::string_view, ScenarioKind> kScenarioNames[] = {
    {"small_op", ScenarioKind::kSmallOp},
    {"batch_dot", ScenarioKind::kBatchDot},
    {"mlp", ScenarioKind::kMlp},
    {"upload", ScenarioKind::kUpload},
    {"download", ScenarioKind::kDownload},
    {"churn", ScenarioKind::kChurn},
};

std::string ScenarioList() {
  std::vector<absl::string_view> names;
  for (const auto& [name, kind] : kScenarioNames) names.push_back(name);
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<ScenarioKind> ParseScenarioName(absl::string_view name) {
  for (const auto& [known, kind] : kScenarioNames) {
    if (known == name) return kind;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown scenario '", name, "' (known: ", ScenarioList(), ")"));
}

absl::Status FlagError(absl::string_view flag, absl::string_view value,
                       absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, "=", value, ": ", why));
}

absl::StatusOr<int64_t> ParsePositiveInt(absl::string_view flag,
                                         absl::string_view value) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) {
    return FlagError(flag, value, "not an integer");
  }
  if (n <= 0) return FlagError(flag, value, "must be > 0");
  return n;
}

// "32,20,1" -> {32, 20, 1}; every entry must be >= min_value.
absl::StatusOr<std::vector<int64_t>> ParseIntList(absl::string_view flag,
                                                  absl::string_view value,
                                                  int64_t min_value) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(part, &n)) {
      return FlagError(flag, value,
                       absl::StrCat("'", part, "' is not an integer"));
    }
    if (n < min_value) {
      return FlagError(flag, value,
                       absl::StrCat("entry ", n, " must be >= ", min_value));
    }
    out.push_back(n);
  }
  return out;
}

// "small_op:5,mlp:1".
absl::StatusOr<std::vector<WeightedScenario>> ParseMix(
    absl::string_view value) {
  std::vector<WeightedScenario> out;
  std::set<ScenarioKind> seen;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    std::vector<absl::string_view> name_weight = absl::StrSplit(part, ':');
    if (name_weight.size() != 2) {
      return FlagError("--mix", value,
                       absl::StrCat("'", part, "' is not scenario:weight"));
    }
    auto kind = ParseScenarioName(name_weight[0]);
    if (!kind.ok()) return FlagError("--mix", value, kind.status().message());
    int weight = 0;
    if (!absl::SimpleAtoi(name_weight[1], &weight) || weight <= 0) {
      return FlagError("--mix", value,
                       absl::StrCat("weight '", name_weight[1], "' of ",
                                    name_weight[0], " must be an integer > 0"));
    }
    if (!seen.insert(*kind).second) {
      return FlagError(
          "--mix", value,
          absl::StrCat("scenario ", name_weight[0], " is listed twice"));
    }
    out.push_back({*kind, weight});
  }
  return out;
}

bool IsValueless(absl::string_view flag) {
  return flag == "--json" || flag == "--csv" || flag == "--help" ||
         flag == "-h";
}

}  // namespace

absl::string_view ScenarioName(ScenarioKind kind) {
  for (const auto& [name, known] : kScenarioNames) {
    if (known == kind) return name;
  }
  return "unknown";
}

absl::StatusOr<nanoseconds> ParseDuration(absl::string_view text) {
  static const std::pair<absl::string_view, double> kUnits[] = {
      {"ns", 1},  {"us", 1e3}, {"ms", 1e6},
      {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  absl::string_view number = text;
  double scale = 1e9;  // a bare number is seconds
  // Longest suffix first so that "ms" is not read as "m" + "s".
  for (absl::string_view unit : {"ns", "us", "ms", "s", "m", "h"}) {
    if (absl::EndsWith(text, unit)) {
      number = text.substr(0, text.size() - unit.size());
      for (const auto& [name, factor] : kUnits) {
        if (name == unit) scale = factor;
      }
      break;
    }
  }
  double value = 0;
  if (number.empty() || !absl::SimpleAtod(number, &value) ||
      !std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(
        "not a duration (use e.g. 5s, 250ms, 1.5m, 100us)");
  }
  return nanoseconds(static_cast<int64_t>(std::llround(value * scale)));
}

absl::StatusOr<int64_t> ParseByteSize(absl::string_view text) {
  static const std::pair<absl::string_view, int64_t> kUnits[] = {
      {"KiB", int64_t{1} << 10},
      {"MiB", int64_t{1} << 20},
      {"GiB", int64_t{1} << 30},
      {"KB", 1000},
      {"MB", 1000000},
      {"GB", 1000000000},
      {"k", 1000},
      {"B", 1}};
  absl::string_view number = text;
  int64_t scale = 1;
  for (const auto& [unit, factor] : kUnits) {
    if (absl::EndsWith(text, unit)) {
      number = text.substr(0, text.size() - unit.size());
      scale = factor;
      break;
    }
  }
  double value = 0;
  if (number.empty() || !absl::SimpleAtod(number, &value) ||
      !std::isfinite(value) || value <= 0 ||
      value * static_cast<double>(scale) > 1e12) {
    return absl::InvalidArgumentError(
        "not a byte size in (0, 1e12] (use e.g. 1MiB, 64KiB, 1MB, 4096)");
  }
  return static_cast<int64_t>(std::llround(value * static_cast<double>(scale)));
}

absl::StatusOr<std::vector<int>> ParseConcurrencyRange(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        "expected start:end:step with step xK (multiply) or +K (add), "
        "e.g. 1:64:x2 or 1:16:+4");
  }
  int first = 0;
  int last = 0;
  if (!absl::SimpleAtoi(parts[0], &first) || first <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("start '", parts[0], "' must be an integer > 0"));
  }
  if (!absl::SimpleAtoi(parts[1], &last) || last < first || last > 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "end '", parts[1], "' must be an integer in [start, 4096]"));
  }
  absl::string_view step = parts[2];
  int k = 0;
  const bool multiply = !step.empty() && (step[0] == 'x' || step[0] == '*');
  const bool add = !step.empty() && step[0] == '+';
  if ((!multiply && !add) || !absl::SimpleAtoi(step.substr(1), &k) ||
      (multiply ? k < 2 : k < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "step '", step, "' must be xK with K >= 2 or +K with K >= 1"));
  }
  std::vector<int> steps;
  for (int64_t c = first; c <= last; c = multiply ? c * k : c + k) {
    steps.push_back(static_cast<int>(c));
  }
  return steps;
}

absl::StatusOr<LoadOptions> ParseLoadOptions(
    const std::vector<std::string>& args) {
  LoadOptions o;
  std::map<std::string, std::string>
      given;  // flag -> value, to catch conflicts
  std::optional<std::string> format_flag;

  // Each value flag's handler; a returned status is already worded.
  using Handler =
      std::function<absl::Status(absl::string_view flag, absl::string_view v)>;
  auto positive_int = [](auto* field) {
    return
        [field](absl::string_view flag, absl::string_view v) -> absl::Status {
          auto n = ParsePositiveInt(flag, v);
          if (!n.ok()) return n.status();
          if (*n > 1'000'000'000) return FlagError(flag, v, "is too large");
          *field = static_cast<std::remove_pointer_t<decltype(field)>>(*n);
          return absl::OkStatus();
        };
  };
  auto duration = [](nanoseconds* field, bool allow_zero) {
    return [field, allow_zero](absl::string_view flag,
                               absl::string_view v) -> absl::Status {
      auto d = ParseDuration(v);
      if (!d.ok()) return FlagError(flag, v, d.status().message());
      if (!allow_zero && d->count() == 0)
        return FlagError(flag, v, "must be > 0");
      *field = *d;
      return absl::OkStatus();
    };
  };
  auto int_list = [](std::vector<int64_t>* field, int64_t min_value) {
    return [field, min_value](absl::string_view flag,
                              absl::string_view v) -> absl::Status {
      auto list = ParseIntList(flag, v, min_value);
      if (!list.ok()) return list.status();
      *field = *std::move(list);
      return absl::OkStatus();
    };
  };
  auto byte_size = [](int64_t* field) {
    return
        [field](absl::string_view flag, absl::string_view v) -> absl::Status {
          auto n = ParseByteSize(v);
          if (!n.ok()) return FlagError(flag, v, n.status().message());
          *field = *n;
          return absl::OkStatus();
        };
  };

  const std::map<std::string, Handler, std::less<>> handlers = {
      {"--address",
       [&](auto, absl::string_view v) {
         o.address = std::string(v);
         return absl::OkStatus();
       }},
      {"--backend",
       [&](auto, absl::string_view v) {
         o.backend = std::string(v);
         return absl::OkStatus();
       }},
      {"--scenario",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         auto kind = ParseScenarioName(v);
         if (!kind.ok()) return FlagError(flag, v, kind.status().message());
         o.scenarios = {{*kind, 1}};
         return absl::OkStatus();
       }},
      {"--mix",
       [&](auto, absl::string_view v) -> absl::Status {
         auto mix = ParseMix(v);
         if (!mix.ok()) return mix.status();
         o.scenarios = *std::move(mix);
         return absl::OkStatus();
       }},
      {"--concurrency", positive_int(&o.concurrency)},
      {"--rate",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         if (!absl::SimpleAtod(v, &o.rate) || !std::isfinite(o.rate) ||
             o.rate <= 0 || o.rate > 1e7) {
           return FlagError(flag, v,
                            "must be a number of requests/s in (0, 1e7]");
         }
         return absl::OkStatus();
       }},
      {"--concurrency-range",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         auto steps = ParseConcurrencyRange(v);
         if (!steps.ok()) return FlagError(flag, v, steps.status().message());
         o.concurrency_steps = *std::move(steps);
         return absl::OkStatus();
       }},
      {"--max-in-flight", positive_int(&o.max_in_flight)},
      {"--duration", duration(&o.duration, /*allow_zero=*/false)},
      {"--requests", positive_int(&o.requests)},
      {"--warmup", duration(&o.warmup, /*allow_zero=*/true)},
      {"--timeout", duration(&o.timeout, /*allow_zero=*/false)},
      {"--connections", positive_int(&o.connections)},
      {"--x-shape", int_list(&o.x_shape, 1)},
      {"--y-shape", int_list(&o.y_shape, 1)},
      {"--axes", int_list(&o.axes, 0)},
      {"--layers", int_list(&o.layers, 1)},
      {"--batch", positive_int(&o.batch)},
      {"--bytes", byte_size(&o.bytes)},
      {"--chunk-bytes", byte_size(&o.chunk_bytes)},
      {"--transfer",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         if (v != "stream" && v != "unary") {
           return FlagError(flag, v, "must be 'stream' or 'unary'");
         }
         o.transfer_streaming = v == "stream";
         return absl::OkStatus();
       }},
      {"--format",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         if (v == "text") {
           o.format = ReportFormat::kText;
         } else if (v == "json") {
           o.format = ReportFormat::kJson;
         } else if (v == "csv") {
           o.format = ReportFormat::kCsv;
         } else {
           return FlagError(flag, v, "must be text, json or csv");
         }
         return absl::OkStatus();
       }},
      {"--output",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         if (v.empty()) return FlagError(flag, v, "needs a file name");
         o.output_path = std::string(v);
         return absl::OkStatus();
       }},
      {"--svg",
       [&](absl::string_view flag, absl::string_view v) -> absl::Status {
         if (v.empty()) return FlagError(flag, v, "needs a file name");
         o.svg_path = std::string(v);
         return absl::OkStatus();
       }},
  };

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (IsValueless(arg)) {
      if (arg == "--json" || arg == "--csv") {
        if (format_flag && *format_flag != arg) {
          return absl::InvalidArgumentError(
              absl::StrCat(arg, " conflicts with ", *format_flag));
        }
        format_flag = arg;
        o.format = arg == "--json" ? ReportFormat::kJson : ReportFormat::kCsv;
      } else {
        o.help = true;
      }
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument '", arg, "' (flags start with --)"));
    }
    const size_t eq = arg.find('=');
    std::string flag = arg.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (handlers.count(flag) != 0) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, ": missing value"));
      }
      value = args[++i];
    }
    auto handler = handlers.find(flag);
    if (handler == handlers.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", flag, " (see --help)"));
    }
    if (flag == "--format" && format_flag) {
      return absl::InvalidArgumentError(
          absl::StrCat("--format conflicts with ", *format_flag));
    }
    if (flag == "--format") format_flag = "--format";
    if (absl::Status s = handler->second(flag, value); !s.ok()) return s;
    given[flag] = value;
  }

  // Conflicts between flags that choose the same thing.
  auto conflict = [&](const char* a, const char* b) -> absl::Status {
    if (given.count(a) && given.count(b)) {
      return absl::InvalidArgumentError(
          absl::StrCat(a, " and ", b, " cannot be combined"));
    }
    return absl::OkStatus();
  };
  for (auto [a, b] : {std::pair{"--rate", "--concurrency"},
                      std::pair{"--rate", "--concurrency-range"},
                      std::pair{"--concurrency", "--concurrency-range"},
                      std::pair{"--scenario", "--mix"},
                      std::pair{"--requests", "--duration"}}) {
    if (absl::Status s = conflict(a, b); !s.ok()) return s;
  }
  if (given.count("--rate")) {
    o.mode = LoadMode::kOpenLoop;
  } else if (given.count("--concurrency-range")) {
    o.mode = LoadMode::kSweep;
  }
  if (!o.svg_path.empty() && o.mode != LoadMode::kSweep) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--svg=", o.svg_path, ": a chart needs a sweep (--concurrency-range)"));
  }
  if (given.count("--max-in-flight") && o.mode != LoadMode::kOpenLoop) {
    return absl::InvalidArgumentError(
        "--max-in-flight applies only to --rate (open loop)");
  }
  if (o.layers.size() < 2) {
    return FlagError("--layers", given["--layers"],
                     "needs at least an input and an output width");
  }
  if (o.bytes % 4 != 0) {
    return FlagError("--bytes", given["--bytes"],
                     absl::StrCat(o.bytes,
                                  " bytes is not a whole number of float32 "
                                  "elements (a multiple of 4)"));
  }
  return o;
}

std::string LoadUsage() {
  return absl::StrCat(R"(remotek-load: load tester for a RemoteK server

usage: remotek-load [--address HOST:PORT] [mode] [bound] [scenario] [output]

mode (one of):
  --concurrency N            closed loop: N workers, each with one request in flight (default 1)
  --rate R                   open loop: R requests/s at fixed intended send times; latency counts
                             from the intended time (no coordinated omission)
    --max-in-flight N        open loop worker threads, i.e. the most requests in flight (32)
  --concurrency-range A:B:S  sweep closed-loop concurrency A..B, S = xK (multiply) or +K (add)
bound (per run, per sweep step):
  --duration D               measured time (default 5s; units ns us ms s m h)
  --requests N               exactly N measured requests instead of a duration
  --warmup D                 unmeasured lead-in before the bound starts (default 0s)
scenario:
  --scenario NAME            one of: )",
                      ScenarioList(), R"( (default small_op)
  --mix NAME:W,NAME:W        pick a scenario per request by weight, e.g. small_op:5,mlp:1
  --x-shape 32,20,1 --y-shape 32,30,20 --axes 1,2      batch_dot operands (session variables)
  --layers 64,128,10 --batch 32                        mlp widths (input, hidden..., output)
  --bytes 1MiB --transfer stream|unary --chunk-bytes 1MiB   upload / download
connection:
  --backend NAME             session backend (default: the server's)
  --connections N            HTTP/2 connections shared round-robin by workers (default 1)
  --timeout D                deadline of each RPC (default 30s)
output:
  --format text|json|csv (or --json, --csv)   --output FILE   --svg FILE (sweep chart)

exit status: 0 run completed (see the report for errors), 1 setup or I/O failure, 2 bad flags
)");
}

}  // namespace remotek::load
