// AVX2 activation quantisers, byte-identical to quants_activation.cpp. Q8_0/Q8_1 are the
// AVX2 path of ggml's quantize_row_q8_0/q8_1 (the scalar reference was written from it);
// Q8_K vectorises quantize_row_q8_K_ref, which is what llama.cpp runs on x86.
#include <algorithm>
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants.h"
#include "engine/tensor/quants_simd.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

inline __m256 abs_ps(__m256 v) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// Rounds 32 floats (ties to even) and packs them to int8 in element order; returns the
// four int32 vectors' sum through `sum` (used for Q8_1's s).
inline __m256i round_pack_32(const float* x, __m256 scale, int* sum) {
  __m256i v[4];
  for (int k = 0; k < 4; ++k)
    v[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * k), scale),
                                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  if (sum != nullptr) {
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(v[0], v[1]), _mm256_add_epi32(v[2], v[3]));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_unpackhi_epi64(t, t));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 1));
    *sum = _mm_cvtsi128_si32(t);
  }
  const __m256i p16a = _mm256_packs_epi32(v[0], v[1]);
  const __m256i p16b = _mm256_packs_epi32(v[2], v[3]);
  const __m256i p8 = _mm256_packs_epi16(p16a, p16b);
  // packs work per 128-bit half; this permutation restores element order.
  return _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline float absmax_32(const float* x) {
  __m256 m = abs_ps(_mm256_loadu_ps(x));
  for (int k = 1; k < 4; ++k) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + 8 * k)));
  return hmax8(m);
}

}  // namespace

void quantize_q8_0_activation_avx2(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, x += kQK8_0) {
    const float amax = absmax_32(x);
    b[i].d = fp32_to_fp16(amax / 127.f);
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(b[i].qs),
                        round_pack_32(x, _mm256_set1_ps(id), nullptr));
  }
}

void quantize_q8_1_activation_avx2(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, x += kQK8_1) {
    const float amax = absmax_32(x);
    const float d = amax / 127.f;
    b[i].d = fp32_to_fp16(d);
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    int sum = 0;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(b[i].qs),
                        round_pack_32(x, _mm256_set1_ps(id), &sum));
    b[i].s = fp32_to_fp16(d * static_cast<float>(sum));
  }
}

// quantize_row_q8_K_ref: scale by the signed value of largest magnitude (first one on ties),
// clamp at 127, and store per-16 sums.
void quantize_q8_K_avx2(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < kQK_K; j += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + j)));
    const float amax = hmax8(m);
    if (amax == 0.0f || std::isnan(amax)) {  // NaN: leave it to the reference
      quantize_q8_K(x, &b[i], kQK_K);
      continue;
    }
    const __m256 target = _mm256_set1_ps(amax);
    float max = 0.0f;
    for (int j = 0; j < kQK_K; j += 8) {
      const int hit =
          _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(_mm256_loadu_ps(x + j)), target, _CMP_EQ_OQ));
      if (hit != 0) {
        max = x[j + __builtin_ctz(static_cast<unsigned>(hit))];
        break;
      }
    }
    const float iscale = -127.f / max;
    const __m256 scale = _mm256_set1_ps(iscale);
    const __m256i top = _mm256_set1_epi32(127);
    for (int j = 0; j < kQK_K; j += 32) {
      __m256i v[4];
      for (int k = 0; k < 4; ++k) {
        const __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * k), scale),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        v[k] = _mm256_min_epi32(_mm256_cvtps_epi32(r), top);
      }
      const __m256i p8 =
          _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
      const __m256i q = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(b[i].qs + j), q);
      // bsums of the two 16-element groups: widen to int16 and add pairwise.
      const __m256i w0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(q));
      const __m256i w1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1));
      const __m256i s0 = _mm256_madd_epi16(w0, _mm256_set1_epi16(1));
      const __m256i s1 = _mm256_madd_epi16(w1, _mm256_set1_epi16(1));
      alignas(32) int32_t t0[8], t1[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(t0), s0);
      _mm256_store_si256(reinterpret_cast<__m256i*>(t1), s1);
      int g0 = 0, g1 = 0;
      for (int k = 0; k < 8; ++k) {
        g0 += t0[k];
        g1 += t1[k];
      }
      b[i].bsums[j / 16] = static_cast<int16_t>(g0);
      b[i].bsums[j / 16 + 1] = static_cast<int16_t>(g1);
    }
    b[i].d = 1 / iscale;
  }
}

}  // namespace tq::quants
