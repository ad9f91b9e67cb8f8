#include "rag/vector/vector_types.h"

#include "core/error.h"

namespace tq {

std::vector<float> prepare_vector(std::span<const float> v, uint32_t dim, VectorMetric metric,
                                  const std::string& what) {
  if (v.size() != dim)
    throw InputError(what + " has " + std::to_string(v.size()) + " components, the index has " +
                     std::to_string(dim) + " (was the embedding model changed?)");
  if (!all_finite(v)) throw InputError(what + " has a NaN or infinite component");
  std::vector<float> out(v.begin(), v.end());
  if (metric == VectorMetric::kCosine && !normalize(out))
    throw InputError(what + " is a zero vector: cosine similarity is undefined for it");
  return out;
}

}  // namespace tq
