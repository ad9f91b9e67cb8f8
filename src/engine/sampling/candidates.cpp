#include "engine/sampling/candidates.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace tq {

void CandidateList::assign(std::span<const float> logits) {
  if (logits.empty()) throw Error("sampling: empty logits");
  items_.clear();
  sorted_ = false;
  selected_.reset();
  items_.reserve(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    if (std::isnan(logits[i]))
      throw Error("sampling: logit of token " + std::to_string(i) + " is NaN");
    items_.push_back({static_cast<int32_t>(i), logits[i], 0.0f});
  }
}

void CandidateList::sort() {
  if (sorted_) return;
  std::sort(items_.begin(), items_.end(), ranks_before);
  sorted_ = true;
  selected_.reset();
}

void CandidateList::keep_top(size_t k) {
  if (sorted_ || k >= items_.size()) {
    sort();
    truncate(k);
    return;
  }
  std::partial_sort(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(k), items_.end(),
                    ranks_before);
  items_.resize(k);
  sorted_ = true;
  selected_.reset();
}

float CandidateList::max_logit() const {
  if (sorted_ && !items_.empty()) return items_.front().logit;
  float m = -std::numeric_limits<float>::infinity();
  for (const auto& c : items_) m = std::max(m, c.logit);
  return m;
}

void CandidateList::softmax() {
  const float m = max_logit();
  if (!std::isfinite(m))
    throw Error("sampling: cannot normalise, the largest logit is " + std::to_string(m));
  // Accumulate in double: with a 150k-token vocabulary the float sum loses the tail.
  double sum = 0.0;
  for (auto& c : items_) {
    c.p = std::exp(c.logit - m);
    sum += c.p;
  }
  for (auto& c : items_) c.p = static_cast<float>(c.p / sum);
}

void CandidateList::truncate(size_t n) {
  if (n >= items_.size()) return;
  items_.resize(n);
  selected_.reset();
}

}  // namespace tq
