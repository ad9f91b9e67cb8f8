// Exact (brute-force) nearest-neighbour search: every stored vector is scored. It is the
// reference the HNSW index's recall is measured against, and a fallback for small
// collections where a graph is not worth building.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "rag/vector/distance.h"
#include "rag/vector/vector_types.h"

namespace tq {

class ExactVectorIndex {
 public:
  ExactVectorIndex(uint32_t dim, VectorMetric metric);

  // Adds or replaces the vector of `id` (normalised for cosine). Throws InputError for a
  // wrong length, a non-finite component or (cosine) a zero vector.
  void add(int64_t id, std::span<const float> vec);
  bool remove(int64_t id);
  size_t size() const { return ids_.size(); }

  // The k best (id, score) pairs, best first; ties broken by smaller id.
  std::vector<VectorHit> search(std::span<const float> query, size_t k,
                                const VectorFilter& filter = {}) const;

 private:
  uint32_t dim_;
  VectorMetric metric_;
  std::vector<float> rows_;  // size() × dim_, row-major
  std::vector<int64_t> ids_;
  std::unordered_map<int64_t, size_t> row_of_;
};

}  // namespace tq
