// Decode kernels for two to four tokens (concurrent sequences) and the K-quants whose
// reference keeps one float chain per output: Q4_K, Q5_K, Q6_K against Q8_K
// (vec_dot_k_amx in quants_k.cpp: per super-block acc = fma(float(sumi), d_a·d, acc) and
// acc = fma(float(summ), −d_a·dmin, acc)).
//
// One row at a time (a single stream from memory), a zmm holds 64 weights — two 32-weight
// chunks — as unsigned values; vpdpbusd against each token's 64 activation bytes gives 16
// lanes of four-product sums (each below 2^15), and vpdpwssd multiplies them by their
// group's scale (held as int16 with a zero high half) into the token's integer sum.
// Mins (Q4_K/Q5_K) and Q6_K's offset of 32 are vpdpwssd of the weights' per-group values
// with the Q8_K bsums. Eight vectors (four tokens' sums, four tokens' mins) fold into one
// (avx512::fold16), whose quarters give the four tokens' sumi and summ
// side by side for the reference's float steps.
#include <immintrin.h>

#include <cstring>

// GCC 12 reports the deliberately undefined pass-through operand inside avx512fintrin.h's
// unmasked permute/insert as used uninitialised once they are inlined here (a known false
// positive: the operand is never read).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <vector>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/simd_avx512.h"

namespace tq::quants {
namespace {

using avx512::fold16;

constexpr size_t kPrefetchAhead = 2048;

inline __m512i zmm_of(__m256i lo, __m256i hi) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

inline __m256i srl16(__m256i v, int count) {
  return _mm256_srl_epi16(v, _mm_cvtsi32_si128(count));
}

// The four chunk pairs of one super-block as unsigned values, and per pair the int16
// scale of each of its 16 four-weight lanes. `per_group` holds, per Q8_K bsum pair p, the
// int16 pair that multiplies (bsum[2p], bsum[2p+1]): the mins (Q4_K/Q5_K) or −32·scale
// (Q6_K, whose stored values are q + 32).
struct SuperBlock {
  __m512i q[4];
  __m512i scale[4];
  __m256i per_group;
  float d;
  float neg_dmin;
};

// Q4_K/Q5_K: the 6-bit scales and mins of the eight sub-blocks from their 12 bytes
// (scale_min_k4 in quants_k.cpp): bytes 0-3 hold the low 6 bits of scales 0-3 (top 2 bits:
// high bits of scales 4-7), bytes 4-7 the same for the mins, bytes 8-11 the low nibbles of
// scales 4-7 (low) and mins 4-7 (high). Chunk pair j takes sub-block 2j's scale in lanes
// 0-7 and 2j+1's in lanes 8-15; the mins pair per bsum pair p is (min_p, min_p).
template <typename Block>
void k4_scales(const Block& b, SuperBlock& s) {
  uint32_t w[3];
  std::memcpy(w, b.scales, sizeof w);
  const uint32_t m6 = 0x3F3F3F3F, m4 = 0x0F0F0F0F, m2 = 0x03030303;
  const uint32_t sc_lo = w[0] & m6, min_lo = w[1] & m6;
  const uint32_t sc_hi = (w[2] & m4) | ((w[0] >> 6) & m2) << 4;
  const uint32_t min_hi = ((w[2] >> 4) & m4) | ((w[1] >> 6) & m2) << 4;
  const __m512i sc = _mm512_zextsi256_si512(
      _mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, static_cast<int>(sc_hi), static_cast<int>(sc_lo))));
  const __m512i pick = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  for (int j = 0; j < 4; ++j)
    s.scale[j] = _mm512_permutexvar_epi32(_mm512_add_epi32(pick, _mm512_set1_epi32(2 * j)), sc);
  const __m256i mins =
      _mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, static_cast<int>(min_hi), static_cast<int>(min_lo)));
  s.per_group = _mm256_or_si256(mins, _mm256_slli_epi32(mins, 16));
  s.d = _cvtsh_ss(b.d);
  s.neg_dmin = -_cvtsh_ss(b.dmin);
}

struct UnpackQ4_K {
  using Block = block_q4_K;
  static constexpr bool kMins = true;
  // Pair j: the low nibbles of qs[32j..32j+31] (chunk 2j), then their high nibbles.
  static void unpack(const Block& b, SuperBlock& s) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int j = 0; j < 4; ++j) {
      const __m256i bits = load256(b.qs + 32 * j);
      s.q[j] = zmm_of(_mm256_and_si256(bits, m4), _mm256_and_si256(srl16(bits, 4), m4));
    }
    k4_scales(b, s);
  }
};

struct UnpackQ5_K {
  using Block = block_q5_K;
  static constexpr bool kMins = true;
  // Q4_K's nibbles plus bit c of qh[l] as 16 for chunk c.
  static void unpack(const Block& b, SuperBlock& s) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    const __m256i qh = load256(b.qh);
    for (int j = 0; j < 4; ++j) {
      const __m256i bits = load256(b.qs + 32 * j);
      const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(srl16(qh, 2 * j), one), 4);
      const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(srl16(qh, 2 * j + 1), one), 4);
      s.q[j] = zmm_of(_mm256_or_si256(_mm256_and_si256(bits, m4), h0),
                      _mm256_or_si256(_mm256_and_si256(srl16(bits, 4), m4), h1));
    }
    k4_scales(b, s);
  }
};

struct UnpackQ6_K {
  using Block = block_q6_K;
  static constexpr bool kMins = false;
  // Pair j covers chunks 2j, 2j+1 of half h = j / 2: the low (j even) or high nibbles of
  // ql[64h..64h+63], with bits 4(j % 2)..+1 and +2..+3 of qh[32h + l] as bits 4-5.
  static void unpack(const Block& b, SuperBlock& s) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m256i m2 = _mm256_set1_epi8(3);
    for (int j = 0; j < 4; ++j) {
      const int h = j / 2, shift = 4 * (j % 2);
      const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
      const __m512i low = _mm512_and_si512(_mm512_srl_epi16(ql, _mm_cvtsi32_si128(shift)), m4);
      const __m256i qh = load256(b.qh + 32 * h);
      const __m512i high = zmm_of(_mm256_slli_epi16(_mm256_and_si256(srl16(qh, shift), m2), 4),
                                  _mm256_slli_epi16(_mm256_and_si256(srl16(qh, shift + 2), m2), 4));
      s.q[j] = _mm512_or_si512(low, high);
    }
    // Lanes 4i..4i+3 of pair j belong to group 4j + i; scales as int16 with zero high half.
    const __m512i all =
        _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    const __m512i low16 = _mm512_set1_epi32(0xFFFF);
    for (int j = 0; j < 4; ++j) {
      const __m512i idx =
          _mm512_add_epi32(_mm512_set1_epi32(4 * j),
                           _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
      s.scale[j] = _mm512_and_si512(_mm512_permutexvar_epi32(idx, all), low16);
    }
    // −32·scale per group, paired as the bsums are.
    const __m512i neg32 = _mm512_mullo_epi32(all, _mm512_set1_epi32(-32));
    s.per_group = _mm512_cvtepi32_epi16(neg32);  // 16 int16 = 8 pairs
    s.d = _cvtsh_ss(b.d);
    s.neg_dmin = 0.0f;
  }
};

template <typename U>
__m128 row_tokens(int64_t nb, const typename U::Block* row, const block_q8_K* const* a,
                  int64_t n_tok, const float* da) {
  __m128 acc = _mm_setzero_ps();
  SuperBlock s;
  for (int64_t b = 0; b < nb; ++b) {
    for (size_t off = 0; off < sizeof(typename U::Block); off += 64)
      _mm_prefetch(reinterpret_cast<const char*>(row + b) + kPrefetchAhead + off, _MM_HINT_T0);
    U::unpack(row[b], s);
    __m512i x[8];
    for (int t = 0; t < 4; ++t) {
      if (t >= n_tok) {
        x[t] = x[4 + t] = _mm512_setzero_si512();
        continue;
      }
      const block_q8_K& ab = a[t][b];
      __m512i isum = _mm512_setzero_si512();
      for (int j = 0; j < 4; ++j) {
        const __m512i p =
            _mm512_dpbusd_epi32(_mm512_setzero_si512(), s.q[j], _mm512_loadu_si512(ab.qs + 64 * j));
        isum = _mm512_dpwssd_epi32(isum, p, s.scale[j]);
      }
      const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab.bsums));
      const __m256i grp = _mm256_dpwssd_epi32(_mm256_setzero_si256(), bsums, s.per_group);
      if constexpr (U::kMins) {
        x[t] = isum;
        x[4 + t] = _mm512_zextsi256_si512(grp);
      } else {
        x[t] = _mm512_add_epi32(isum, _mm512_zextsi256_si512(grp));
        x[4 + t] = _mm512_setzero_si512();
      }
    }
    const __m512i f = fold16(x);
    const __m128i sumi =
        _mm_add_epi32(_mm512_extracti32x4_epi32(f, 0), _mm512_extracti32x4_epi32(f, 1));
    acc = _mm_fmadd_ps(_mm_cvtepi32_ps(sumi), _mm_mul_ps(_mm_load_ps(da + 4 * b), _mm_set1_ps(s.d)),
                       acc);
    if constexpr (U::kMins) {
      const __m128i summ = _mm512_extracti32x4_epi32(f, 2);
      acc = _mm_fmadd_ps(_mm_cvtepi32_ps(summ),
                         _mm_mul_ps(_mm_load_ps(da + 4 * b), _mm_set1_ps(s.neg_dmin)), acc);
    }
  }
  return acc;
}

template <typename U>
void gemv(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
          int64_t n_tok, float* y, int64_t ys, GemmFn fallback) {
  using Block = typename U::Block;
  if (n_tok < 2 || n_tok > 4) {
    fallback(n, w, ws, n_rows, a, as, n_tok, y, ys);
    return;
  }
  const int64_t nb = n / kQK_K;
  const block_q8_K* act[4];
  for (int64_t t = 0; t < n_tok; ++t)
    act[t] = reinterpret_cast<const block_q8_K*>(a + static_cast<size_t>(t) * as);
  // Per super-block, the four tokens' d (zero for missing tokens).
  struct alignas(16) TokenScales {
    float d[4];
  };
  thread_local std::vector<TokenScales> da_buf;
  if (da_buf.size() < static_cast<size_t>(nb)) da_buf.resize(static_cast<size_t>(nb));
  for (int64_t b = 0; b < nb; ++b)
    for (int t = 0; t < 4; ++t)
      da_buf[static_cast<size_t>(b)].d[t] = t < n_tok ? act[t][b].d : 0.0f;
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* row = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws);
    alignas(16) float out[4];
    _mm_store_ps(out, row_tokens<U>(nb, row, act, n_tok, da_buf.data()->d));
    for (int64_t t = 0; t < n_tok; ++t) y[t * ys + r] = out[t];
  }
}

}  // namespace

void gemm_q4_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  gemv<UnpackQ4_K>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride, gemm_q4_K_avx2);
}

void gemm_q5_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  gemv<UnpackQ5_K>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride, gemm_q5_K_avx2);
}

void gemm_q6_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  gemv<UnpackQ6_K>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride, gemm_q6_K_avx2);
}

}  // namespace tq::quants
