// Vector arithmetic for dense retrieval: the dot product and squared Euclidean distance
// every search (graph or exact) spends its time in, and normalisation for cosine.
//
// Kernels are chosen once at start-up: AVX2+FMA where the CPU has it, otherwise a plain
// loop with eight independent partial sums (which the compiler keeps in SSE registers).
// TQ_ISA=scalar forces the plain loop, as it does for the engine's kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tq {

// How vectors are compared. Cosine stores and queries unit vectors and ranks by inner
// product; L2 ranks by squared Euclidean distance. The numeric values are written into
// index files: never renumber them.
enum class VectorMetric : uint32_t { kCosine = 1, kL2 = 2 };

const char* metric_name(VectorMetric metric);

float dot_product(const float* a, const float* b, size_t n);
float squared_l2(const float* a, const float* b, size_t n);

// "Higher is better" score of a stored vector for a query: the inner product (cosine
// similarity for unit vectors) or minus the squared distance.
float similarity(VectorMetric metric, const float* query, const float* stored, size_t n);

// Scales v to unit length in place. Returns false (and leaves v alone) when v has a
// zero, infinite or NaN norm: such a vector has no direction.
bool normalize(std::span<float> v);

// True when every component is finite.
bool all_finite(std::span<const float> v);

// Which kernel set is in use ("avx2" or "scalar"), for bench reports.
const char* distance_kernel_name();

}  // namespace tq
