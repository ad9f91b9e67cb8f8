#include "rag/vector/distance.h"

#include <cmath>
#include <cstdlib>
#include <string_view>

#if defined(__x86_64__)
#include <immintrin.h>
#define TQ_VECTOR_X86 1
#endif

namespace tq {
namespace {

// Eight partial sums break the loop-carried dependency so the additions pipeline (and
// vectorise); the order of float additions differs from a naive loop by rounding only.
float dot_scalar(const float* a, const float* b, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float l2_scalar(const float* a, const float* b, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t j = 0; j < 8; ++j) {
      const float d = a[i + j] - b[i + j];
      acc[j] += d * d;
    }
  float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

#ifdef TQ_VECTOR_X86
__attribute__((target("avx2,fma"))) float hsum256(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v);
  const __m128 hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Two 8-lane accumulators: enough to hide FMA latency on 384-d rows without spilling.
__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8)
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float sum = hsum256(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

__attribute__((target("avx2,fma"))) float l2_avx2(const float* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
  }
  float sum = hsum256(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}
#endif

using Kernel = float (*)(const float*, const float*, size_t);

struct Kernels {
  Kernel dot = dot_scalar;
  Kernel l2 = l2_scalar;
  const char* name = "scalar";
};

Kernels pick_kernels() {
  Kernels k;
#ifdef TQ_VECTOR_X86
  const char* isa = std::getenv("TQ_ISA");
  const bool forced_scalar = isa != nullptr && std::string_view(isa) == "scalar";
  __builtin_cpu_init();
  if (!forced_scalar && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    k.dot = dot_avx2;
    k.l2 = l2_avx2;
    k.name = "avx2";
  }
#endif
  return k;
}

// A function-local static: initialised once, thread-safely, on first use.
const Kernels& kernels() {
  static const Kernels k = pick_kernels();
  return k;
}

}  // namespace

const char* metric_name(VectorMetric metric) {
  switch (metric) {
    case VectorMetric::kCosine:
      return "cosine";
    case VectorMetric::kL2:
      return "l2";
  }
  return "unknown";
}

float dot_product(const float* a, const float* b, size_t n) {
  return kernels().dot(a, b, n);
}

float squared_l2(const float* a, const float* b, size_t n) {
  return kernels().l2(a, b, n);
}

float similarity(VectorMetric metric, const float* query, const float* stored, size_t n) {
  return metric == VectorMetric::kCosine ? dot_product(query, stored, n)
                                         : -squared_l2(query, stored, n);
}

bool all_finite(std::span<const float> v) {
  for (const float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

bool normalize(std::span<float> v) {
  // Summed in double: a 4096-d vector of large components must not overflow to inf.
  double sq = 0;
  for (const float x : v) sq += static_cast<double>(x) * x;
  if (!(sq > 0) || !std::isfinite(sq)) return false;
  const double inv = 1.0 / std::sqrt(sq);
  for (float& x : v) x = static_cast<float>(x * inv);
  return true;
}

const char* distance_kernel_name() {
  return kernels().name;
}

}  // namespace tq
