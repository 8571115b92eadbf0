// --mix: each request is one of several scenarios, picked at random with
// probability weight / sum(weights). The generator is seeded by the worker
// index, so a run's sequence of picks is reproducible.
#include <random>

#include "tools/load/scenario_factories.h"

namespace remotek::load {
namespace {

class MixScenario : public Scenario {
 public:
  MixScenario(std::vector<std::pair<std::unique_ptr<Scenario>, int>> parts,
              int worker_index)
      : parts_(std::move(parts)), generator_(0x5eed0000u + worker_index) {
    int total = 0;
    for (const auto& [scenario, weight] : parts_) {
      total += weight;
      cumulative_.push_back(total);
    }
    pick_ = std::uniform_int_distribution<int>(0, total - 1);
  }

  RequestOutcome RunOnce() override {
    const int ticket = pick_(generator_);
    size_t i = 0;
    while (ticket >= cumulative_[i]) ++i;
    return parts_[i].first->RunOnce();
  }

 private:
  std::vector<std::pair<std::unique_ptr<Scenario>, int>> parts_;
  std::vector<int> cumulative_;
  std::mt19937_64 generator_;
  std::uniform_int_distribution<int> pick_;
};

}  // namespace

std::unique_ptr<Scenario> CreateMixScenario(
    std::vector<std::pair<std::unique_ptr<Scenario>, int>> parts,
    int worker_index) {
  return std::make_unique<MixScenario>(std::move(parts), worker_index);
}

}  // namespace remotek::load
