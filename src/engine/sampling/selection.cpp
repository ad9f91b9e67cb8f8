#include "engine/sampling/selection.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace tq {

namespace {

size_t best_position(const CandidateList& candidates) {
  if (candidates.sorted()) return 0;
  size_t best = 0;
  for (size_t i = 1; i < candidates.size(); ++i)
    if (ranks_before(candidates[i], candidates[best])) best = i;
  return best;
}

}  // namespace

TemperatureSampler::TemperatureSampler(float temperature) : temperature_(temperature) {}

void TemperatureSampler::apply(CandidateList& candidates) {
  // A tiny positive temperature would overflow logit / T to ±inf and leave softmax with
  // inf - inf; in that limit the distribution is the argmax anyway.
  float largest = 0.0f;
  for (const auto& c : candidates.items())
    if (std::isfinite(c.logit)) largest = std::max(largest, std::fabs(c.logit));
  if (temperature_ <= 0.0f || largest > temperature_ * std::numeric_limits<float>::max()) {
    const TokenCandidate best = candidates[best_position(candidates)];
    candidates.retain_if([&](const TokenCandidate& c) { return c.id == best.id; });
    return;
  }
  // Dividing by a positive number keeps the order, so a sorted list stays sorted.
  for (auto& c : candidates.items()) c.logit /= temperature_;
}

void GreedySampler::apply(CandidateList& candidates) {
  if (candidates.empty()) throw Error("sampling: no candidate left to pick from");
  candidates.select(best_position(candidates));
}

DistSampler::DistSampler(uint64_t seed) : seed_(seed) {
  restart();
}

void DistSampler::reset() {
  restart();
}

// Shared by the constructor and reset() (a virtual call from a constructor would not
// dispatch, so both go through this non-virtual function).
void DistSampler::restart() {
  seed_in_use_ = seed_;
  if (seed_ == kRandomSeed) {
    std::random_device device;
    seed_in_use_ = (static_cast<uint64_t>(device()) << 32) | device();
  }
  std::seed_seq seq{static_cast<uint32_t>(seed_in_use_ & 0xffffffffu),
                    static_cast<uint32_t>(seed_in_use_ >> 32)};
  engine_.seed(seq);
}

void DistSampler::apply(CandidateList& candidates) {
  if (candidates.empty()) throw Error("sampling: no candidate left to pick from");
  candidates.softmax();
  double total = 0.0;
  for (const auto& c : candidates.items()) total += c.p;
  const double u = static_cast<double>(engine_()) * 0x1p-32;
  const double target = u * total;
  double cumulative = 0.0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    cumulative += candidates[i].p;
    if (cumulative > target) {
      candidates.select(i);
      return;
    }
  }
  // Only reachable through rounding with u close to 1: take the last token with mass.
  size_t last = candidates.size() - 1;
  while (last > 0 && candidates[last].p == 0.0f) --last;
  candidates.select(last);
}

}  // namespace tq
