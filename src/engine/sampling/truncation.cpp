#include "engine/sampling/truncation.h"

#include <algorithm>
#include <cmath>

namespace tq {

TopKSampler::TopKSampler(int32_t k, size_t min_keep) : k_(k), min_keep_(min_keep) {}

void TopKSampler::apply(CandidateList& candidates) {
  if (k_ <= 0) return;
  candidates.keep_top(std::max({static_cast<size_t>(k_), min_keep_, size_t{1}}));
}

TopPSampler::TopPSampler(float p, size_t min_keep) : p_(p), min_keep_(min_keep) {}

void TopPSampler::apply(CandidateList& candidates) {
  if (p_ >= 1.0f) return;
  candidates.sort();
  candidates.softmax();
  // Double accumulation so p = 0.95 over thousands of small tails is not decided by
  // float rounding.
  const size_t floor = std::max(min_keep_, size_t{1});
  double cumulative = 0.0;
  size_t keep = candidates.size();
  for (size_t i = 0; i < candidates.size(); ++i) {
    cumulative += candidates[i].p;
    if (cumulative >= p_ && i + 1 >= floor) {
      keep = i + 1;
      break;
    }
  }
  candidates.truncate(keep);
}

MinPSampler::MinPSampler(float min_p, size_t min_keep) : min_p_(min_p), min_keep_(min_keep) {}

void MinPSampler::apply(CandidateList& candidates) {
  if (min_p_ <= 0.0f) return;
  // p_i >= min_p * p_max  ⇔  logit_i >= logit_max + log(min_p): no softmax needed.
  const float threshold = candidates.max_logit() + std::log(min_p_);
  const auto kept = static_cast<size_t>(
      std::count_if(candidates.items().begin(), candidates.items().end(),
                    [&](const TokenCandidate& c) { return c.logit >= threshold; }));
  const size_t floor = std::max(min_keep_, size_t{1});
  if (kept >= floor) {
    candidates.retain_if([&](const TokenCandidate& c) { return c.logit >= threshold; });
  } else {
    candidates.keep_top(floor);
  }
}

}  // namespace tq
