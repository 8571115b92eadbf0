// CreateScenario: dispatch from ScenarioKind to each scenario's factory, and
// the weighted mix when --mix names several.
#include "tools/load/scenario.h"

#include "absl/strings/str_cat.h"
#include "tools/load/scenario_factories.h"

namespace remotek::load {

absl::StatusOr<std::unique_ptr<Scenario>> CreateSingleScenario(
    ScenarioKind kind, const WorkerContext& context) {
  absl::StatusOr<std::unique_ptr<Scenario>> scenario;
  switch (kind) {
    case ScenarioKind::kSmallOp:
      scenario = CreateSmallOpScenario(context);
      break;
    case ScenarioKind::kBatchDot:
      scenario = CreateBatchDotScenario(context);
      break;
    case ScenarioKind::kMlp:
      scenario = CreateMlpScenario(context);
      break;
    case ScenarioKind::kUpload:
      scenario = CreateUploadScenario(context);
      break;
    case ScenarioKind::kDownload:
      scenario = CreateDownloadScenario(context);
      break;
    case ScenarioKind::kChurn:
      scenario = CreateChurnScenario(context);
      break;
  }
  if (!scenario.ok()) {
    return absl::Status(scenario.status().code(),
                        absl::StrCat(ScenarioName(kind),
                                     " setup: ", scenario.status().message()));
  }
  return scenario;
}

absl::StatusOr<std::unique_ptr<Scenario>> CreateScenario(
    const WorkerContext& context) {
  const std::vector<WeightedScenario>& wanted = context.options->scenarios;
  if (wanted.size() == 1) return CreateSingleScenario(wanted[0].kind, context);
  std::vector<std::pair<std::unique_ptr<Scenario>, int>> parts;
  for (const WeightedScenario& w : wanted) {
    auto part = CreateSingleScenario(w.kind, context);
    if (!part.ok()) return part.status();
    parts.emplace_back(*std::move(part), w.weight);
  }
  return CreateMixScenario(std::move(parts), context.worker_index);
}

}  // namespace remotek::load
