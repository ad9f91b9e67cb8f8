#include "engine/sampling/penalties.h"

namespace tq {

PenaltySampler::PenaltySampler(int32_t last_n, float repeat, float frequency, float presence)
    : last_n_(last_n > 0 ? static_cast<size_t>(last_n) : 0),
      repeat_(repeat),
      frequency_(frequency),
      presence_(presence) {}

bool PenaltySampler::active() const {
  return last_n_ > 0 && (repeat_ != 1.0f || frequency_ != 0.0f || presence_ != 0.0f);
}

void PenaltySampler::accept(int32_t token) {
  if (last_n_ == 0) return;
  window_.push_back(token);
  ++counts_[token];
  if (window_.size() > last_n_) {
    auto it = counts_.find(window_.front());
    if (--it->second == 0) counts_.erase(it);
    window_.pop_front();
  }
}

void PenaltySampler::reset() {
  window_.clear();
  counts_.clear();
}

int32_t PenaltySampler::count(int32_t token) const {
  auto it = counts_.find(token);
  return it == counts_.end() ? 0 : it->second;
}

void PenaltySampler::apply(CandidateList& candidates) {
  if (!active() || counts_.empty()) return;
  auto penalise = [&](TokenCandidate& c, int32_t n) {
    c.logit = c.logit <= 0.0f ? c.logit * repeat_ : c.logit / repeat_;
    c.logit -= static_cast<float>(n) * frequency_ + presence_;
  };
  // Penalties run first, on the list fresh from the logits, where position == id: then
  // the window (≤ last_n tokens) is walked instead of hashing every vocabulary entry.
  auto items = candidates.items();
  bool by_position = true;
  for (const auto& [id, n] : counts_) {
    const auto pos = static_cast<size_t>(id);
    if (id < 0 || pos >= items.size() || items[pos].id != id) {
      by_position = false;
      break;
    }
  }
  if (by_position) {
    for (const auto& [id, n] : counts_) penalise(items[static_cast<size_t>(id)], n);
  } else {
    for (auto& c : items) {
      auto it = counts_.find(c.id);
      if (it != counts_.end()) penalise(c, it->second);
    }
  }
  candidates.mark_unsorted();
}

}  // namespace tq
