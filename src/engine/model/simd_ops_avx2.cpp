// AVX2 + FMA + F16C bodies of simd_ops.h.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "engine/model/simd_ops.h"

namespace tq::simd {

namespace {

// x rounded to the nearest half-precision value, back in float (vcvtps2ph + vcvtph2ps on
// lane 0). Written with the vector intrinsics: clang's scalar _cvtss_sh macro expands to a
// compound literal, which -Wpedantic rejects in C++.
inline float round_through_f16(float x) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(x), _MM_FROUND_TO_NEAREST_INT)));
}

float hsum(__m256 v) {
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

__m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// ggml_expf (ops.cpp) on eight lanes, the same operations in the same order; 2^n is
// applied in two halves so that results in the subnormal range round once, as ldexp does.
__m256 ggml_exp8(__m256 x) {
  const __m256 r = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
  const __m256 n = _mm256_sub_ps(z, r);
  const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                    _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
  const __m256 u = _mm256_mul_ps(b, b);
  const __m256 p = _mm256_fmadd_ps(
      _mm256_fmadd_ps(
          _mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
          _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
      u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
  // |n| <= 192 here (else selected away below): both halves are normal powers of two.
  const __m256i ni = _mm256_cvtps_epi32(
      _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-192.0f)), _mm256_set1_ps(192.0f)));
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  auto pow2 = [](__m256i e) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
  };
  const __m256 scaled = _mm256_mul_ps(_mm256_mul_ps(p, pow2(n1)), pow2(n2));
  const __m256 big =
      _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), n), _mm256_set1_ps(192.0f), _CMP_GT_OQ);
  const __m256 overflow =
      _mm256_and_ps(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_set1_ps(INFINITY));
  return _mm256_blendv_ps(scaled, overflow, big);
}

// hsum16 of lane_order.h over two halves: lanes 0..7 in lo, 8..15 in hi.
float hsum16(__m256 lo, __m256 hi) {
  return hsum(_mm256_add_ps(lo, hi));
}

__m256 round_f16(__m256 x) {
  return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

}  // namespace

void swiglu_avx2(float* gate, const float* up, int64_t n) {
  // As ops.cpp: ggml_expf on every full 16-float chunk, libm expf on the rest.
  const int64_t vec_end = n - n % 16;
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i < vec_end; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = ggml_exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, e));
    _mm256_storeu_ps(gate + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) {
    const float g = gate[i];
    const float silu = g / (1.0f + std::exp(-g));
    gate[i] = silu * up[i];
  }
}

void ggml_expf8_avx2(const float* x, float* out) {
  _mm256_storeu_ps(out, ggml_exp8(_mm256_loadu_ps(x)));
}

void attention_head_avx2(const AttentionHead& a) {
  const int32_t hd = a.head_dim;
  float* s = a.scores;
  // Q rounded through F16, as ggml converts it for the product with the F16 cache.
  float max = -INFINITY;
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const uint16_t* kj = a.k + static_cast<size_t>(j) * a.stride;
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    for (int32_t d = 0; d < hd; d += 16) {
      lo = _mm256_fmadd_ps(load_f16(kj + d), round_f16(_mm256_loadu_ps(a.q + d)), lo);
      hi = _mm256_fmadd_ps(load_f16(kj + d + 8), round_f16(_mm256_loadu_ps(a.q + d + 8)), hi);
    }
    s[j] = hsum16(lo, hi) * a.scale;
    max = std::max(max, s[j]);
  }
  const int32_t n_pad = (a.n_kv + 31) / 32 * 32;
  double sum = 0.0;
  const __m256 vmax = _mm256_set1_ps(max);
  for (int32_t c = 0; c < n_pad; c += 16) {
    __m256 e[2];
    for (int h = 0; h < 2; ++h) {
      const int32_t base = c + 8 * h;
      const __m256 idx = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(base)),
                                       _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7));
      const __m256 live =
          _mm256_cmp_ps(idx, _mm256_set1_ps(static_cast<float>(a.n_kv)), _CMP_LT_OQ);
      // Padding cells hold garbage from earlier heads: read only live ones.
      const __m256 x = _mm256_blendv_ps(vmax, _mm256_loadu_ps(s + base), live);
      e[h] = _mm256_and_ps(ggml_exp8(_mm256_sub_ps(x, vmax)), live);
      _mm256_storeu_ps(s + base, e[h]);
    }
    sum += static_cast<double>(hsum16(e[0], e[1]));
  }
  const float inv = static_cast<float>(1.0 / sum);
  // Sixteen accumulators per output dimension, position j feeding lane j % 16.
  float* lanes = a.lanes;
  std::fill(lanes, lanes + static_cast<size_t>(16) * hd, 0.0f);
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const __m256 p = _mm256_set1_ps(round_through_f16(s[j] * inv));
    const uint16_t* vj = a.v + static_cast<size_t>(j) * a.stride;
    float* lane = lanes + static_cast<size_t>(j % 16) * hd;
    for (int32_t d = 0; d < hd; d += 8)
      _mm256_storeu_ps(lane + d, _mm256_fmadd_ps(p, load_f16(vj + d), _mm256_loadu_ps(lane + d)));
  }
  // out[d] = hsum16 over the lanes: fold l[i] + l[i+8], then ((0+4)+(2+6))+((1+5)+(3+7)).
  for (int32_t d = 0; d < hd; d += 8) {
    __m256 f[8];
    for (int i = 0; i < 8; ++i)
      f[i] = _mm256_add_ps(_mm256_loadu_ps(lanes + static_cast<size_t>(i) * hd + d),
                           _mm256_loadu_ps(lanes + static_cast<size_t>(i + 8) * hd + d));
    const __m256 even = _mm256_add_ps(_mm256_add_ps(f[0], f[4]), _mm256_add_ps(f[2], f[6]));
    const __m256 odd = _mm256_add_ps(_mm256_add_ps(f[1], f[5]), _mm256_add_ps(f[3], f[7]));
    _mm256_storeu_ps(a.out + d, _mm256_add_ps(even, odd));
  }
}

void add_avx2(float* dst, const float* src, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
  for (; i < n; ++i) dst[i] += src[i];
}

}  // namespace tq::simd
