// Small types shared by the dense-vector indexes.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "rag/vector/distance.h"

namespace tq {

// One search result. `score` is higher-is-better: the cosine similarity for kCosine
// (in [-1, 1]), minus the squared Euclidean distance for kL2.
struct VectorHit {
  int64_t id = 0;
  float score = 0;
  bool operator==(const VectorHit&) const = default;
};

// Restricts a search to ids for which it returns true (collection, access label…). It is
// called from searching threads concurrently and must not touch the index it filters.
using VectorFilter = std::function<bool(int64_t id)>;

// Best first, then smaller id: one deterministic order for equal scores.
inline bool hit_before(const VectorHit& a, const VectorHit& b) {
  return a.score != b.score ? a.score > b.score : a.id < b.id;
}

// Checks a query or stored vector and returns the copy the index works with (normalised
// for cosine). Throws InputError naming `what` when the length is not `dim`, a component
// is not finite or a cosine vector is all zeros.
std::vector<float> prepare_vector(std::span<const float> v, uint32_t dim, VectorMetric metric,
                                  const std::string& what);

}  // namespace tq
