// Synthetic embeddings for the vector-index tests and an exact reference search written
// independently of the code under test (plain double-precision loops, full sort).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace tq::test {

// n unit vectors around `clusters` random unit centres (Gaussian noise of `spread` per
// component), row-major. Ids are the row numbers. The centres depend on `clusters`,
// `dim` and `centre_seed` only, so queries drawn with another `seed` fall in the same
// clusters as the data.
inline std::vector<float> clustered_vectors(size_t n, size_t dim, size_t clusters, float spread,
                                            uint64_t seed, uint64_t centre_seed = 1) {
  std::mt19937_64 rng(centre_seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto unit = [dim](float* v) {
    double s = 0;
    for (size_t d = 0; d < dim; ++d) s += double{v[d]} * v[d];
    const double inv = 1.0 / std::sqrt(s);
    for (size_t d = 0; d < dim; ++d) v[d] = static_cast<float>(v[d] * inv);
  };
  std::vector<float> centres(clusters * dim);
  for (float& x : centres) x = normal(rng);
  for (size_t c = 0; c < clusters; ++c) unit(&centres[c * dim]);
  rng.seed(seed);
  std::uniform_int_distribution<size_t> pick(0, clusters - 1);
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = pick(rng);
    for (size_t d = 0; d < dim; ++d) out[i * dim + d] = centres[c * dim + d] + spread * normal(rng);
    unit(&out[i * dim]);
  }
  return out;
}

// Ids (row numbers) of the k rows with the largest inner product with `q` (cosine on
// unit vectors), or the smallest squared distance when `l2`; only rows `allowed` keeps.
template <typename Allowed>
std::vector<int64_t> reference_top_k(const std::vector<float>& rows, size_t dim, const float* q,
                                     size_t k, bool l2, Allowed allowed) {
  const size_t n = rows.size() / dim;
  std::vector<std::pair<double, int64_t>> scored;
  for (size_t i = 0; i < n; ++i) {
    if (!allowed(static_cast<int64_t>(i))) continue;
    double s = 0;
    for (size_t d = 0; d < dim; ++d) {
      const double a = rows[i * dim + d], b = q[d];
      s += l2 ? -(a - b) * (a - b) : a * b;
    }
    scored.emplace_back(-s, static_cast<int64_t>(i));
  }
  std::sort(scored.begin(), scored.end());
  std::vector<int64_t> ids;
  for (size_t i = 0; i < std::min(k, scored.size()); ++i) ids.push_back(scored[i].second);
  return ids;
}

inline std::vector<int64_t> reference_top_k(const std::vector<float>& rows, size_t dim,
                                            const float* q, size_t k, bool l2 = false) {
  return reference_top_k(rows, dim, q, k, l2, [](int64_t) { return true; });
}

// |found ∩ truth| / |truth|.
inline double overlap(const std::vector<int64_t>& found, const std::vector<int64_t>& truth) {
  size_t hit = 0;
  for (const int64_t id : truth) hit += std::count(found.begin(), found.end(), id) > 0 ? 1 : 0;
  return truth.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(truth.size());
}

}  // namespace tq::test
