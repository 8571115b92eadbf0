// The factory of each scenario, one per .cc file (see each file for what its
// scenario measures). Each does the worker's untimed setup on the server;
// errors carry the server's code and message.
#ifndef REMOTEK_TOOLS_LOAD_SCENARIO_FACTORIES_H_
#define REMOTEK_TOOLS_LOAD_SCENARIO_FACTORIES_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/load/scenario.h"

namespace remotek::load {

// eager_scenarios.cc
absl::StatusOr<std::unique_ptr<Scenario>> CreateSmallOpScenario(
    const WorkerContext& context);
absl::StatusOr<std::unique_ptr<Scenario>> CreateBatchDotScenario(
    const WorkerContext& context);
// mlp_scenario.cc
absl::StatusOr<std::unique_ptr<Scenario>> CreateMlpScenario(
    const WorkerContext& context);
// transfer_scenarios.cc
absl::StatusOr<std::unique_ptr<Scenario>> CreateUploadScenario(
    const WorkerContext& context);
absl::StatusOr<std::unique_ptr<Scenario>> CreateDownloadScenario(
    const WorkerContext& context);
// churn_scenario.cc
absl::StatusOr<std::unique_ptr<Scenario>> CreateChurnScenario(
    const WorkerContext& context);
// mix_scenario.cc: picks one of `parts` per request with probability
// weight / sum(weights), from a generator seeded by the worker index.
std::unique_ptr<Scenario> CreateMixScenario(
    std::vector<std::pair<std::unique_ptr<Scenario>, int>> parts,
    int worker_index);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_SCENARIO_FACTORIES_H_
