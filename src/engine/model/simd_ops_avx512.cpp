// AVX-512 body of attention_head (simd_ops.h): sixteen lanes are the reference's own
// sixteen accumulators (ops.cpp: KQ folds a 16-lane FMA accumulator as
// _mm512_reduce_add_ps does, softmax sums 16-value chunks, KQV keeps 16 lanes per output),
// so each step is one instruction where the AVX2 twin needs two, with the same roundings
// in the same order: results are bit-identical (tests/engine/simd_ops_test.cpp).
#include <immintrin.h>

#include <algorithm>
#include <cmath>

// GCC 12 reports the deliberately undefined pass-through operand inside avx512fintrin.h's
// unmasked casts/extracts as used uninitialised once they are inlined here (a known false
// positive: the operand is never read).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "engine/model/simd_ops.h"

namespace tq::simd {

namespace {

// x rounded to the nearest half-precision value, back in float (vcvtps2ph + vcvtph2ps on
// lane 0). Written with the vector intrinsics: clang's scalar _cvtss_sh macro expands to a
// compound literal, which -Wpedantic rejects in C++.
inline float round_through_f16(float x) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(x), _MM_FROUND_TO_NEAREST_INT)));
}

// hsum16 of lane_order.h: upper 256 bits onto the lower, then
// ((f0+f4)+(f2+f6)) + ((f1+f5)+(f3+f7)).
float hsum16(__m512 v) {
  const __m256 f = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(f, 1), _mm256_castps256_ps128(f));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

__m512 load_f16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// ggml_expf (ops.cpp) on sixteen lanes, the operations of simd_ops_avx2.cpp's ggml_exp8.
__m512 ggml_exp16(__m512 x) {
  const __m512 r = _mm512_set1_ps(0x1.8p23f);
  const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
  const __m512 n = _mm512_sub_ps(z, r);
  const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                    _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), x));
  const __m512 u = _mm512_mul_ps(b, b);
  const __m512 p = _mm512_fmadd_ps(
      _mm512_fmadd_ps(
          _mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
          _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
      u, _mm512_fmadd_ps(_mm512_set1_ps(0x1.ffffecp-1f), b, _mm512_set1_ps(1.0f)));
  // 2^n in two halves so that subnormal results round once, as ldexp does.
  const __m512i ni = _mm512_cvtps_epi32(
      _mm512_min_ps(_mm512_max_ps(n, _mm512_set1_ps(-192.0f)), _mm512_set1_ps(192.0f)));
  const __m512i n1 = _mm512_srai_epi32(ni, 1);
  const __m512i n2 = _mm512_sub_epi32(ni, n1);
  auto pow2 = [](__m512i e) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(e, _mm512_set1_epi32(127)), 23));
  };
  const __m512 scaled = _mm512_mul_ps(_mm512_mul_ps(p, pow2(n1)), pow2(n2));
  const __mmask16 big = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(192.0f), _CMP_GT_OQ);
  const __mmask16 positive = _mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_GT_OQ);
  const __m512 overflow = _mm512_maskz_mov_ps(positive, _mm512_set1_ps(INFINITY));
  return _mm512_mask_blend_ps(big, scaled, overflow);
}

}  // namespace

void attention_head_avx512(const AttentionHead& a) {
  const int32_t hd = a.head_dim;
  const int32_t n_chunks = hd / 16;
  float* s = a.scores;
  // Q rounded through F16 once (ggml converts it for the product with the F16 cache).
  __m512 qh[32];
  for (int32_t c = 0; c < n_chunks; ++c)
    qh[c] =
        _mm512_cvtph_ps(_mm512_cvtps_ph(_mm512_loadu_ps(a.q + 16 * c), _MM_FROUND_TO_NEAREST_INT));
  float max = -INFINITY;
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const uint16_t* kj = a.k + static_cast<size_t>(j) * a.stride;
    __m512 acc = _mm512_setzero_ps();
    for (int32_t c = 0; c < n_chunks; ++c) acc = _mm512_fmadd_ps(load_f16(kj + 16 * c), qh[c], acc);
    s[j] = hsum16(acc) * a.scale;
    max = std::max(max, s[j]);
  }
  const int32_t n_pad = (a.n_kv + 31) / 32 * 32;
  double sum = 0.0;
  const __m512 vmax = _mm512_set1_ps(max);
  for (int32_t c = 0; c < n_pad; c += 16) {
    const int32_t live_n = std::clamp(a.n_kv - c, 0, 16);
    const auto live = static_cast<__mmask16>((1u << live_n) - 1);
    // Padding cells hold garbage from earlier heads: read only live ones.
    const __m512 x = _mm512_mask_loadu_ps(vmax, live, s + c);
    const __m512 e = _mm512_maskz_mov_ps(live, ggml_exp16(_mm512_sub_ps(x, vmax)));
    _mm512_storeu_ps(s + c, e);
    sum += static_cast<double>(hsum16(e));
  }
  const float inv = static_cast<float>(1.0 / sum);
  // Sixteen accumulators per output dimension, position j feeding lane j % 16.
  float* lanes = a.lanes;
  std::fill(lanes, lanes + static_cast<size_t>(16) * hd, 0.0f);
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const __m512 p = _mm512_set1_ps(round_through_f16(s[j] * inv));
    const uint16_t* vj = a.v + static_cast<size_t>(j) * a.stride;
    float* lane = lanes + static_cast<size_t>(j % 16) * hd;
    for (int32_t d = 0; d < hd; d += 16)
      _mm512_storeu_ps(lane + d, _mm512_fmadd_ps(p, load_f16(vj + d), _mm512_loadu_ps(lane + d)));
  }
  // out[d] = hsum16 over the lanes: fold l[i] + l[i+8], then ((0+4)+(2+6))+((1+5)+(3+7)).
  for (int32_t d = 0; d < hd; d += 16) {
    __m512 f[8];
    for (int i = 0; i < 8; ++i)
      f[i] = _mm512_add_ps(_mm512_loadu_ps(lanes + static_cast<size_t>(i) * hd + d),
                           _mm512_loadu_ps(lanes + static_cast<size_t>(i + 8) * hd + d));
    const __m512 even = _mm512_add_ps(_mm512_add_ps(f[0], f[4]), _mm512_add_ps(f[2], f[6]));
    const __m512 odd = _mm512_add_ps(_mm512_add_ps(f[1], f[5]), _mm512_add_ps(f[3], f[7]));
    _mm512_storeu_ps(a.out + d, _mm512_add_ps(even, odd));
  }
}

}  // namespace tq::simd
