// AVX2 + FMA + F16C bodies of fast_ops.h.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "engine/model/fast_ops.h"

namespace tq::fast {

namespace {

float hsum(__m256 v) {
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

// e^x for eight lanes: x = n·ln2 + b with |b| <= ln2/2 (ln2 split in two parts so the
// reduction is exact enough), a degree-5 polynomial for e^b, then 2^n built in the
// exponent field. Within about 2 ulp of expf; underflows to 0 below about -87.3 and
// overflows to +inf above 88.7, which is what softmax and silu need.
__m256 exp8(__m256 x) {
  // Clamped first so that ±inf never meets the reduction (inf − inf is NaN); a NaN input
  // passes (max/min return their second operand when it is NaN).
  x = _mm256_min_ps(_mm256_set1_ps(89.0f), _mm256_max_ps(_mm256_set1_ps(-88.5f), x));
  const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
  __m256 n = _mm256_sub_ps(z, shifter);
  const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                    _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
  const __m256 u = _mm256_mul_ps(b, b);
  const __m256 p = _mm256_fmadd_ps(
      _mm256_fmadd_ps(
          _mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
          _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
      u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
  // 2^n: n clamped to [-127, 128] gives a zero exponent field (so 0) at the bottom and
  // the infinity pattern at the top; NaN inputs stay NaN through p.
  n = _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(128.0f));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 scale = _mm256_castsi256_ps(bits);
  // p·2^n where 2^n is +inf (n = 128) must stay inf, and where it is 0 must stay 0.
  return _mm256_mul_ps(p, scale);
}

__m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

}  // namespace

void attention_head_avx2(const AttentionHead& a) {
  const int32_t hd = a.head_dim;
  float* s = a.scores;
  // Scores q·k_j, four positions at a time so four dot chains run side by side.
  float max = -INFINITY;
  int32_t j = 0;
  for (; j + 4 <= a.n_kv; j += 4) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    const uint16_t* k0 = a.k + static_cast<size_t>(j) * a.stride;
    for (int32_t d = 0; d < hd; d += 8) {
      const __m256 qv = _mm256_loadu_ps(a.q + d);
      for (int c = 0; c < 4; ++c)
        acc[c] = _mm256_fmadd_ps(load_f16(k0 + static_cast<size_t>(c) * a.stride + d), qv, acc[c]);
    }
    for (int c = 0; c < 4; ++c) {
      s[j + c] = hsum(acc[c]) * a.scale;
      max = std::max(max, s[j + c]);
    }
  }
  for (; j < a.n_kv; ++j) {
    __m256 acc = _mm256_setzero_ps();
    const uint16_t* kj = a.k + static_cast<size_t>(j) * a.stride;
    for (int32_t d = 0; d < hd; d += 8)
      acc = _mm256_fmadd_ps(load_f16(kj + d), _mm256_loadu_ps(a.q + d), acc);
    s[j] = hsum(acc) * a.scale;
    max = std::max(max, s[j]);
  }
  // Softmax numerators; padding lanes get -inf, whose exp is 0.
  const int32_t n_pad = (a.n_kv + 7) / 8 * 8;
  for (int32_t i = a.n_kv; i < n_pad; ++i) s[i] = -INFINITY;
  const __m256 vmax = _mm256_set1_ps(max);
  __m256 vsum = _mm256_setzero_ps();
  for (int32_t i = 0; i < n_pad; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + i), vmax));
    _mm256_storeu_ps(s + i, e);
    vsum = _mm256_add_ps(vsum, e);
  }
  const float inv = 1.0f / hsum(vsum);
  // Weighted sum of values, 64 output dimensions (eight registers) per pass over the
  // positions.
  for (int32_t d0 = 0; d0 < hd; d0 += 64) {
    const int32_t nv = std::min<int32_t>(8, (hd - d0) / 8);
    __m256 acc[8];
    for (int c = 0; c < 8; ++c) acc[c] = _mm256_setzero_ps();
    for (int32_t jj = 0; jj < a.n_kv; ++jj) {
      const __m256 p = _mm256_set1_ps(s[jj]);
      const uint16_t* vj = a.v + static_cast<size_t>(jj) * a.stride + d0;
      for (int c = 0; c < nv; ++c) acc[c] = _mm256_fmadd_ps(p, load_f16(vj + 8 * c), acc[c]);
    }
    const __m256 vinv = _mm256_set1_ps(inv);
    for (int c = 0; c < nv; ++c) _mm256_storeu_ps(a.out + d0 + 8 * c, _mm256_mul_ps(acc[c], vinv));
  }
}

void swiglu_avx2(float* gate, const float* up, int64_t n) {
  int64_t i = 0;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, e));
    _mm256_storeu_ps(gate + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void rms_norm_row_avx2(float* x, int64_t n, const float* weight, float eps) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
    acc1 = _mm256_fmadd_ps(b, b, acc1);
  }
  float sum = hsum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += x[i] * x[i];
  const float scale = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
  const __m256 vs = _mm256_set1_ps(scale);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vs);
    if (weight != nullptr) v = _mm256_mul_ps(v, _mm256_loadu_ps(weight + i));
    _mm256_storeu_ps(x + i, v);
  }
  for (; i < n; ++i) x[i] = x[i] * scale * (weight != nullptr ? weight[i] : 1.0f);
}

void add_avx2(float* dst, const float* src, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
  for (; i < n; ++i) dst[i] += src[i];
}

}  // namespace tq::fast
