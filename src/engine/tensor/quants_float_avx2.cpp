// AVX2 versions of the F32/F16/BF16 dot products and F32→F16/BF16 row conversion,
// bit-identical to quants_float.cpp. The dots reproduce the AVX-512 kernels described
// there (AMX-buffer F16, tinyBLAS F32/BF16, ggml_vec_dot_* fallbacks): a 16-lane
// accumulator is two ymm registers (lanes 0-7, 8-15), and the _mm512_reduce_add_ps fold
// is "upper half onto lower half, then hsum_float_8".
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/quants_simd.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

constexpr int kStep = 64;

inline float hsum16(__m256 lo, __m256 hi) {
  return hsum8(_mm256_add_ps(lo, hi));
}

inline __m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load_f32(const float* p) {
  return _mm256_loadu_ps(p);
}
inline __m256 load_bf16(const uint16_t* p) {
  const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}

// Four 16-lane accumulators over steps of 64 elements (acc[2j] lanes 0-7, acc[2j+1] 8-15).
template <typename T, typename Load>
float four_accumulator_dot(int64_t np, const T* x, const T* y, Load load) {
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (int64_t i = 0; i < np; i += kStep)
    for (int r = 0; r < 8; ++r)
      acc[r] = _mm256_fmadd_ps(load(x + i + 8 * r), load(y + i + 8 * r), acc[r]);
  // (a0+a2)+(a1+a3) for each half, then the 16-lane fold.
  const __m256 lo = _mm256_add_ps(_mm256_add_ps(acc[0], acc[4]), _mm256_add_ps(acc[2], acc[6]));
  const __m256 hi = _mm256_add_ps(_mm256_add_ps(acc[1], acc[5]), _mm256_add_ps(acc[3], acc[7]));
  return hsum16(lo, hi);
}

}  // namespace

float vec_dot_f32_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const float*>(vx);
  const auto* y = static_cast<const float*>(vy);
  if (n % 16 == 0) {  // tinyBLAS: one 16-lane accumulator
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
      lo = _mm256_fmadd_ps(load_f32(x + i), load_f32(y + i), lo);
      hi = _mm256_fmadd_ps(load_f32(x + i + 8), load_f32(y + i + 8), hi);
    }
    return hsum16(lo, hi);
  }
  const int64_t np = n - n % kStep;
  float sum = four_accumulator_dot(np, x, y, load_f32);
  for (int64_t i = np; i < n; ++i) sum = std::fma(x[i], y[i], sum);
  return sum;
}

// F16 weights · F32 activations, one 16-lane accumulator (AMX buffer's F16 kernel).
float vec_dot_f16_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* w = static_cast<const uint16_t*>(vx);
  const auto* a = static_cast<const float*>(vy);
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    lo = _mm256_fmadd_ps(load_f32(a + i), load_f16(w + i), lo);
    hi = _mm256_fmadd_ps(load_f32(a + i + 8), load_f16(w + i + 8), hi);
  }
  if (i == n) return hsum16(lo, hi);
  // Tail: continue the lane pattern in scalar form, as quants_float.cpp does.
  float lanes[16];
  _mm256_storeu_ps(lanes, lo);
  _mm256_storeu_ps(lanes + 8, hi);
  for (int64_t k = i; k < n; ++k) lanes[k - i] = std::fma(a[k], fp16_to_fp32(w[k]), lanes[k - i]);
  return hsum16(_mm256_loadu_ps(lanes), _mm256_loadu_ps(lanes + 8));
}

float vec_dot_bf16_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const uint16_t*>(vx);
  const auto* y = static_cast<const uint16_t*>(vy);
  if (n % 32 == 0) {
    // _mm512_dpbf16_ps: lane j (word j of the 32-element chunk) adds the product of its
    // odd element (high half of the word, i.e. the word with the low 16 bits cleared) and
    // then that of its even element (low half shifted up). Products are exact.
    const __m256i high = _mm256_set1_epi32(static_cast<int>(0xFFFF0000u));
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 32) {
      const __m256i xw0 = load256(x + i), xw1 = load256(x + i + 16);
      const __m256i yw0 = load256(y + i), yw1 = load256(y + i + 16);
      auto odd = [&](__m256i w) { return _mm256_castsi256_ps(_mm256_and_si256(w, high)); };
      auto even = [](__m256i w) { return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)); };
      lo = _mm256_add_ps(lo, _mm256_mul_ps(odd(xw0), odd(yw0)));
      lo = _mm256_add_ps(lo, _mm256_mul_ps(even(xw0), even(yw0)));
      hi = _mm256_add_ps(hi, _mm256_mul_ps(odd(xw1), odd(yw1)));
      hi = _mm256_add_ps(hi, _mm256_mul_ps(even(xw1), even(yw1)));
    }
    return hsum16(lo, hi);
  }
  __m256 c1lo = _mm256_setzero_ps(), c1hi = _mm256_setzero_ps();
  __m256 c2lo = _mm256_setzero_ps(), c2hi = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c1lo = _mm256_add_ps(_mm256_mul_ps(load_bf16(x + i), load_bf16(y + i)), c1lo);
    c1hi = _mm256_add_ps(_mm256_mul_ps(load_bf16(x + i + 8), load_bf16(y + i + 8)), c1hi);
    c2lo = _mm256_add_ps(_mm256_mul_ps(load_bf16(x + i + 16), load_bf16(y + i + 16)), c2lo);
    c2hi = _mm256_add_ps(_mm256_mul_ps(load_bf16(x + i + 24), load_bf16(y + i + 24)), c2hi);
  }
  double sum = 0.0;
  sum += static_cast<double>(hsum16(c1lo, c1hi));
  sum += static_cast<double>(hsum16(c2lo, c2hi));
  for (; i < n; ++i) sum += static_cast<double>(bf16_to_fp32(x[i]) * bf16_to_fp32(y[i]));
  return static_cast<float>(sum);
}

// F16C rounds to nearest even, like fp32_to_fp16 (core/fp16.h).
void from_float_f16_avx2(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; ++i) h[i] = fp32_to_fp16(src[i]);
}

// Round-to-nearest-even on the top 16 bits; NaN kept quiet (ggml's GGML_FP32_TO_BF16).
void from_float_bf16_avx2(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i u = _mm256_castps_si256(_mm256_loadu_ps(src + i));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    const __m256i rounded = _mm256_srli_epi32(
        _mm256_add_epi32(u, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff))), 16);
    const __m256i abs = _mm256_and_si256(u, _mm256_set1_epi32(0x7fffffff));
    const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7f800000));
    const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(64));
    const __m256i r = _mm256_blendv_epi8(rounded, quiet, is_nan);
    // Pack the low 16 bits of the eight lanes (values fit in 16 bits, so packus is exact).
    const __m128i packed =
        _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i), packed);
  }
  for (; i < n; ++i) h[i] = fp32_to_bf16(src[i]);
}

}  // namespace tq::quants
