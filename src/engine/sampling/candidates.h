// The working set a sampler chain narrows down: one entry per token still in the running.
// Stages reorder, rescale and drop entries; the last stage picks one id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tq {

struct TokenCandidate {
  int32_t id;
  float logit;
  float p;  // probability; meaningful only after CandidateList::softmax()
};

class CandidateList {
 public:
  // One candidate per logit, id = index. Throws tq::Error on an empty span or a NaN logit
  // (a NaN would break the strict weak ordering every sort below relies on).
  explicit CandidateList(std::span<const float> logits) { assign(logits); }
  CandidateList() = default;
  // Refills from new logits, reusing the allocation (the chain does this every token).
  void assign(std::span<const float> logits);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  TokenCandidate& operator[](size_t i) { return items_[i]; }
  const TokenCandidate& operator[](size_t i) const { return items_[i]; }
  std::span<TokenCandidate> items() { return items_; }
  std::span<const TokenCandidate> items() const { return items_; }

  // Sorted = descending logit, ties by ascending id. The tie-break makes the order a total
  // one, so the result never depends on the standard library's sort algorithm — the dist
  // sampler walks this order, and the same seed must give the same token everywhere.
  bool sorted() const { return sorted_; }
  void sort();
  // Keeps the k best-ranked entries, sorted; cheaper than sort() + truncate() for k << size.
  void keep_top(size_t k);
  // Stages that change logits non-monotonically (penalties) must call this.
  void mark_unsorted() { sorted_ = false; }

  // Fills p = softmax(logit) over the current entries (does not reorder). Throws tq::Error
  // when the largest logit is not finite (all -inf, or +inf), since no distribution exists.
  void softmax();

  float max_logit() const;
  // Keeps the first n entries (n >= size() is a no-op); preserves sortedness.
  void truncate(size_t n);

  // Keeps the entries for which keep(candidate) is true, in their current order.
  template <typename Pred>
  void retain_if(Pred keep) {
    std::erase_if(items_, [&](const TokenCandidate& c) { return !keep(c); });
    selected_.reset();
  }

  // The final stage (greedy, dist) marks its pick by position rather than dropping the
  // others, so callers can still read the distribution the pick came from. Anything that
  // reorders or drops entries clears the mark.
  void select(size_t index) { selected_ = index; }
  std::optional<size_t> selected() const { return selected_; }

 private:
  std::vector<TokenCandidate> items_;
  bool sorted_ = false;
  std::optional<size_t> selected_;
};

// Descending logit, then ascending id: the one order used everywhere.
inline bool ranks_before(const TokenCandidate& a, const TokenCandidate& b) {
  if (a.logit != b.logit) return a.logit > b.logit;
  return a.id < b.id;
}

}  // namespace tq
