// Decode kernels for two to four tokens (concurrent sequences) and the 32-weight formats
// against Q8_0 activations. Weights stream from memory once per step, so the work per
// block decides whether four tokens cost much more than one: the AVX2 tiles spend most of
// theirs folding each block's eight int32 lanes into one sum, for every token.
//
// Q8_0, Q4_0 (reference, quants_legacy.cpp: per block acc = fma(float(Σ), d_w·d_a, acc)):
// a zmm holds two consecutive blocks of one row as unsigned values (Q8_0's bytes + 128,
// Q4_0's nibbles), vpdpbusd against each token's two blocks gives 2 × 8 lanes, and eight
// such vectors fold into one vector of 16 block sums whose 128-bit quarters are blocks and
// whose lanes are tokens. The offset comes back out with the token's −o·Σa per block, and
// each quarter takes the reference's fma step for the four tokens at once, blocks in order.
// Q5_0 (eight float lanes per output): see q5_0_tokens below. Rows are read one at a time,
// a single stream per thread. Results are bit-identical to the reference dots.
#include <immintrin.h>

#include <cstring>
#include <vector>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/lane_order.h"
#include "engine/tensor/simd_avx512.h"

namespace tq::quants {
namespace {

using avx512::fold16;

// Software prefetch distance along the row (measured best for the AVX2 row kernels).
constexpr size_t kPrefetchAhead = 2048;

// Two consecutive blocks of one row as unsigned weight values; `both` false loads only the
// first (the upper half is then zero and meets zero activations).
struct UnpackQ8_0 {
  using Block = block_q8_0;
  static constexpr int kOffsetShift = 7;  // stored byte = q + 128
  static __m256i half(const Block& b) {
    return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs)),
                            _mm256_set1_epi8(static_cast<char>(0x80)));
  }
};
struct UnpackQ4_0 {
  using Block = block_q4_0;
  static constexpr int kOffsetShift = 3;  // nibble = q + 8
  static __m256i half(const Block& b) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
  }
};

template <typename U>
inline __m512i weight_pair(const typename U::Block* b, bool both) {
  const __m512i lo = _mm512_zextsi256_si512(U::half(b[0]));
  return both ? _mm512_inserti64x4(lo, U::half(b[1]), 1) : lo;
}

inline __m512i activation_pair(const block_q8_0* a, bool both) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[0].qs));
  if (!both) return _mm512_zextsi256_si512(lo);
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo),
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[1].qs)), 1);
}

// Per block, for each token: −o·Σa (the offset's share of the integer sum) and d_a.
struct alignas(16) BlockTokens {
  int32_t start[4];
  float d[4];
};

template <int kShift>
inline int32_t neg_offset_sum(const block_q8_0& a) {
  const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1),
                                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.qs)));
  __m128i r = _mm_add_epi32(_mm256_extracti128_si256(s, 1), _mm256_castsi256_si128(s));
  r = _mm_add_epi32(r, _mm_unpackhi_epi64(r, r));
  r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 1));
  return -(_mm_cvtsi128_si32(r) << kShift);
}

// acc = fma(float(Σ + start), d_w·d_a, acc) for the four tokens of one quarter.
inline __m128 chain_step(__m128 acc, __m128i sums, const BlockTokens& bt, float dw) {
  const __m128i start = _mm_load_si128(reinterpret_cast<const __m128i*>(bt.start));
  const __m128 s = _mm_cvtepi32_ps(_mm_add_epi32(sums, start));
  return _mm_fmadd_ps(s, _mm_mul_ps(_mm_set1_ps(dw), _mm_load_ps(bt.d)), acc);
}

// One row against up to four tokens (missing ones are zero). A fold covers blocks
// b..b+3: source 4·p + t is block pair p against token t, so quarter q holds block b + q
// and lane t token t.
template <typename U>
__m128 row_tokens(int64_t nb, const typename U::Block* row, const block_q8_0* const* a,
                  int64_t n_tok, const BlockTokens* bt) {
  __m128 acc = _mm_setzero_ps();
  for (int64_t b = 0; b < nb; b += 4) {
    for (size_t off = 0; off < 4 * sizeof(typename U::Block); off += 64)
      _mm_prefetch(reinterpret_cast<const char*>(row + b) + kPrefetchAhead + off, _MM_HINT_T0);
    __m512i x[8];
    for (int p = 0; p < 2; ++p) {
      const int64_t bp = b + 2 * p;
      const bool live = bp < nb, both = bp + 1 < nb;
      const __m512i wq = live ? weight_pair<U>(row + bp, both) : _mm512_setzero_si512();
      for (int t = 0; t < 4; ++t)
        x[4 * p + t] = live && t < n_tok ? _mm512_dpbusd_epi32(_mm512_setzero_si512(), wq,
                                                               activation_pair(a[t] + bp, both))
                                         : _mm512_setzero_si512();
    }
    const __m512i s = fold16(x);
    const __m128i q[4] = {_mm512_extracti32x4_epi32(s, 0), _mm512_extracti32x4_epi32(s, 1),
                          _mm512_extracti32x4_epi32(s, 2), _mm512_extracti32x4_epi32(s, 3)};
    for (int i = 0; i < 4 && b + i < nb; ++i)
      acc = chain_step(acc, q[i], bt[b + i], _cvtsh_ss(row[b + i].d));
  }
  return acc;
}

// One token streams each row once and is memory-bound; the AVX2 row kernel (a single
// prefetched stream) reads DRAM faster there than any layout that needs several rows at
// once, so this kernel serves two to four tokens, where the work per byte is the limit.
template <typename U>
void gemv(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
          int64_t n_tok, float* y, int64_t ys, GemmFn fallback) {
  using Block = typename U::Block;
  if (n_tok < 2 || n_tok > 4) {
    fallback(n, w, ws, n_rows, a, as, n_tok, y, ys);
    return;
  }
  const int64_t nb = n / kQK8_0;
  const block_q8_0* act[4];
  for (int64_t t = 0; t < n_tok; ++t)
    act[t] = reinterpret_cast<const block_q8_0*>(a + static_cast<size_t>(t) * as);
  thread_local std::vector<BlockTokens> bt_buf;
  if (bt_buf.size() < static_cast<size_t>(nb)) bt_buf.resize(static_cast<size_t>(nb));
  BlockTokens* bt = bt_buf.data();
  for (int64_t b = 0; b < nb; ++b)
    for (int t = 0; t < 4; ++t) {
      bt[b].start[t] = t < n_tok ? neg_offset_sum<U::kOffsetShift>(act[t][b]) : 0;
      bt[b].d[t] = t < n_tok ? _cvtsh_ss(act[t][b].d) : 0.0f;
    }
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* row = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws);
    alignas(16) float out[4];
    _mm_store_ps(out, row_tokens<U>(nb, row, act, n_tok, bt));
    for (int64_t t = 0; t < n_tok; ++t) y[t * ys + r] = out[t];
  }
}

// Q5_0 keeps eight float lanes per output (lane k: elements 4k..4k+3 of each block,
// lane_k = fma(d_w·d_a, float(Σ_k), lane_k), folded by hsum8 at the end). A zmm holds one
// row's block twice against two tokens' blocks, so vpdpbusd yields exactly the two
// tokens' eight lane sums and each lane takes its reference step unchanged.
struct TokenPairBlock {
  uint8_t q[64];      // token 2i's block quants, then token 2i+1's
  int32_t start[16];  // −16·Σ of each run of four, per token
  float d[16];        // d_a, eight times per token
};

// The block's 32 values (nibble + 16 · 5th bit), in both halves of a zmm: the 16 bytes
// broadcast to every 128-bit lane, the upper lane of each half shifted to its high
// nibbles, and 16 added where qh (bit j for element j) is set.
inline __m512i q5_0_values_twice(const block_q5_0& b) {
  const __m512i raw =
      _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs)));
  const __m512i nib = _mm512_and_si512(
      _mm512_srlv_epi64(raw, _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4)), _mm512_set1_epi8(0x0F));
  uint32_t qh;
  std::memcpy(&qh, b.qh, sizeof qh);
  const __mmask64 bits = static_cast<__mmask64>(qh) | static_cast<__mmask64>(qh) << 32;
  return _mm512_mask_add_epi8(nib, bits, nib, _mm512_set1_epi8(16));
}

void q5_0_rows_tokens(int64_t nb, const uint8_t* w, size_t ws, int64_t n_rows, int64_t n_pairs,
                      const TokenPairBlock* tp, int64_t n_tok, float* y, int64_t ys) {
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* row = reinterpret_cast<const block_q5_0*>(w + static_cast<size_t>(r) * ws);
    __m512 lanes[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int64_t b = 0; b < nb; ++b) {
      if ((b & 1) == 0)
        _mm_prefetch(reinterpret_cast<const char*>(row + b) + kPrefetchAhead, _MM_HINT_T0);
      const __m512i wq = q5_0_values_twice(row[b]);
      const __m512 dw = _mm512_set1_ps(_cvtsh_ss(row[b].d));
      for (int64_t i = 0; i < n_pairs; ++i) {
        const TokenPairBlock& p = tp[b * n_pairs + i];
        const __m512i s =
            _mm512_dpbusd_epi32(_mm512_loadu_si512(p.start), wq, _mm512_loadu_si512(p.q));
        lanes[i] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_loadu_ps(p.d)), _mm512_cvtepi32_ps(s),
                                   lanes[i]);
      }
    }
    for (int64_t i = 0; i < n_pairs; ++i) {
      alignas(64) float l[16];
      _mm512_store_ps(l, lanes[i]);
      for (int64_t h = 0; h < 2 && 2 * i + h < n_tok; ++h)
        y[(2 * i + h) * ys + r] = hsum8(l + 8 * h);
    }
  }
}

void q5_0_tokens(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a,
                 size_t as, int64_t n_tok, float* y, int64_t ys) {
  const int64_t nb = n / kQK5_0;
  const int64_t n_pairs = (n_tok + 1) / 2;
  thread_local std::vector<TokenPairBlock> tp_buf;
  const size_t cells = static_cast<size_t>(nb * n_pairs);
  if (tp_buf.size() < cells) tp_buf.resize(cells);
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t i = 0; i < n_pairs; ++i) {
      TokenPairBlock& p = tp_buf[static_cast<size_t>(b * n_pairs + i)];
      for (int h = 0; h < 2; ++h) {
        const int64_t t = 2 * i + h;
        __m256i q = _mm256_setzero_si256(), start = _mm256_setzero_si256();
        float d = 0.0f;
        if (t < n_tok) {
          const auto& ab = reinterpret_cast<const block_q8_0*>(a + static_cast<size_t>(t) * as)[b];
          q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab.qs));
          const __m256i sums4 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1), q);
          start = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(sums4, 4));
          d = _cvtsh_ss(ab.d);
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p.q + 32 * h), q);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p.start + 8 * h), start);
        _mm256_storeu_ps(p.d + 8 * h, _mm256_set1_ps(d));
      }
    }
  q5_0_rows_tokens(nb, w, ws, n_rows, n_pairs, tp_buf.data(), n_tok, y, ys);
}

}  // namespace

void gemm_q8_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  gemv<UnpackQ8_0>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride, gemm_q8_0_avx2);
}

void gemm_q5_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  if (n_tok < 2 || n_tok > 4) {
    gemm_q5_0_avx2(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
    return;
  }
  q5_0_tokens(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q4_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                      int64_t y_stride) {
  gemv<UnpackQ4_0>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride, gemm_q4_0_avx2);
}

}  // namespace tq::quants
