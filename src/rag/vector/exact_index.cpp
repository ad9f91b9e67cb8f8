#include "rag/vector/exact_index.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace tq {

ExactVectorIndex::ExactVectorIndex(uint32_t dim, VectorMetric metric) : dim_(dim), metric_(metric) {
  if (dim == 0) throw InputError("vector index: dimension must be at least 1");
}

void ExactVectorIndex::add(int64_t id, std::span<const float> vec) {
  const std::vector<float> v = prepare_vector(vec, dim_, metric_, "vector " + std::to_string(id));
  if (const auto it = row_of_.find(id); it != row_of_.end()) {
    std::copy(v.begin(), v.end(), rows_.begin() + static_cast<ptrdiff_t>(it->second * dim_));
    return;
  }
  row_of_.emplace(id, ids_.size());
  ids_.push_back(id);
  rows_.insert(rows_.end(), v.begin(), v.end());
}

bool ExactVectorIndex::remove(int64_t id) {
  const auto it = row_of_.find(id);
  if (it == row_of_.end()) return false;
  // Swap-remove: move the last row into the hole.
  const size_t row = it->second;
  const size_t last = ids_.size() - 1;
  if (row != last) {
    std::memcpy(&rows_[row * dim_], &rows_[last * dim_], dim_ * sizeof(float));
    ids_[row] = ids_[last];
    row_of_[ids_[row]] = row;
  }
  row_of_.erase(it);
  ids_.pop_back();
  rows_.resize(ids_.size() * dim_);
  return true;
}

std::vector<VectorHit> ExactVectorIndex::search(std::span<const float> query, size_t k,
                                                const VectorFilter& filter) const {
  const std::vector<float> q = prepare_vector(query, dim_, metric_, "query vector");
  std::vector<VectorHit> hits;
  if (k == 0) return hits;
  hits.reserve(std::min(k, ids_.size()) + 1);
  // A bounded min-heap on the worst kept hit: one pass, no full sort of n scores.
  const auto worse_on_top = [](const VectorHit& a, const VectorHit& b) { return hit_before(a, b); };
  for (size_t row = 0; row < ids_.size(); ++row) {
    if (filter && !filter(ids_[row])) continue;
    const VectorHit hit{ids_[row], similarity(metric_, q.data(), &rows_[row * dim_], dim_)};
    if (hits.size() < k) {
      hits.push_back(hit);
      std::push_heap(hits.begin(), hits.end(), worse_on_top);
    } else if (hit_before(hit, hits.front())) {
      std::pop_heap(hits.begin(), hits.end(), worse_on_top);
      hits.back() = hit;
      std::push_heap(hits.begin(), hits.end(), worse_on_top);
    }
  }
  std::sort(hits.begin(), hits.end(), hit_before);
  return hits;
}

}  // namespace tq
