// Activation panels (panel_layout.h) from converted activation rows: each panel register
// is a gather of one dword from 16 token rows, so the 16×(block) transpose costs one
// vpgatherdd per 64 bytes; the integer-sum starts come from the same registers. Runs once
// per matmul; its cost is spread over every weight row.
#include <immintrin.h>

#include <cstring>

#include "engine/tensor/blocks.h"
#include "engine/tensor/panel_internal_avx512.h"
#include "engine/tensor/panel_layout.h"

namespace tq::quants::panel {
namespace {

// Lane t reads token t's row; lanes past the last token read nothing (zero).
struct TokenLanes {
  __m512i offsets;
  __mmask16 valid;
};

TokenLanes token_lanes(size_t a_stride, int64_t n_valid) {
  alignas(64) int32_t off[kTokens];
  for (int t = 0; t < kTokens; ++t)
    off[t] = static_cast<int32_t>(static_cast<size_t>(t) * a_stride);
  const auto valid = static_cast<__mmask16>(n_valid >= kTokens ? 0xFFFF : (1u << n_valid) - 1);
  return {_mm512_load_si512(off), valid};
}

inline __m512i gather_dwords(const TokenLanes& tl, const uint8_t* base) {
  return _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), tl.valid, tl.offsets, base, 1);
}

// Per token, Σ of the four bytes of each dword (ones as vpdpbusd's unsigned operand).
inline __m512i sums4(__m512i q) {
  return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(1), q);
}

// −(v << shift), i.e. −o·v for the offset o = 2^shift.
template <int kShift>
inline __m512i neg_scaled(__m512i v) {
  return _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(v, kShift));
}

// The low (or high) F16 of each gathered dword as F32.
inline __m512 halves_to_float(__m512i dwords, bool high) {
  const __m512i h = high ? _mm512_srli_epi32(dwords, 16) : dwords;
  return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(h));
}

// kShift: log2 of the weight format's offset, or -1 for formats without one.
template <typename Block, int kShift>
void pack_32(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
             uint8_t* panel) {
  constexpr bool kHasS = sizeof(Block) == sizeof(block_q8_1);
  constexpr size_t kQs = kHasS ? offsetof(block_q8_1, qs) : offsetof(block_q8_0, qs);
  const int64_t nb = n / 32;
  for (int64_t g = g0; g < g1; ++g) {
    const TokenLanes tl = token_lanes(a_stride, n_tok - g * kTokens);
    const uint8_t* rows = a + static_cast<size_t>(g * kTokens) * a_stride;
    uint8_t* out = panel + static_cast<size_t>(g) * group_bytes(Block32::kBytes, nb);
    for (int64_t b = 0; b < nb; ++b, out += Block32::kBytes) {
      const uint8_t* blk = rows + static_cast<size_t>(b) * sizeof(Block);
      __m512i start = _mm512_setzero_si512();
      for (int k = 0; k < 8; ++k) {
        const __m512i q = gather_dwords(tl, blk + kQs + 4 * k);
        _mm512_storeu_si512(out + Block32::kQ + 64 * k, q);
        __m512i start4 = _mm512_setzero_si512();
        if constexpr (kShift >= 0) start4 = neg_scaled<kShift>(sums4(q));
        _mm512_storeu_si512(out + Block32::kStart4 + 64 * k, start4);
        start = _mm512_add_epi32(start, start4);
      }
      _mm512_storeu_si512(out + Block32::kStart, start);
      const __m512i ds = gather_dwords(tl, blk);  // d (and s) in the block's first dword
      _mm512_storeu_ps(out + Block32::kD, halves_to_float(ds, false));
      _mm512_storeu_ps(out + Block32::kS, kHasS ? halves_to_float(ds, true) : _mm512_setzero_ps());
    }
  }
}

}  // namespace

size_t bytes_32(int64_t n, int64_t n_tok) {
  return group_bytes(Block32::kBytes, n / 32) * static_cast<size_t>(n_groups(n_tok));
}

size_t bytes_k(int64_t n, int64_t n_tok) {
  return group_bytes(BlockK::kBytes, n / kQK_K) * static_cast<size_t>(n_groups(n_tok));
}

void pack_q8_0_for_q8_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel) {
  pack_32<block_q8_0, 7>(n, a, a_stride, n_tok, g0, g1, panel);
}

void pack_q8_0_for_q4_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel) {
  pack_32<block_q8_0, 3>(n, a, a_stride, n_tok, g0, g1, panel);
}

void pack_q8_0_for_q5_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel) {
  pack_32<block_q8_0, 4>(n, a, a_stride, n_tok, g0, g1, panel);
}

void pack_q8_1(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
               uint8_t* panel) {
  pack_32<block_q8_1, -1>(n, a, a_stride, n_tok, g0, g1, panel);
}

void pack_q8_K(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
               uint8_t* panel) {
  const int64_t nb = n / kQK_K;
  for (int64_t g = g0; g < g1; ++g) {
    const TokenLanes tl = token_lanes(a_stride, n_tok - g * kTokens);
    const uint8_t* rows = a + static_cast<size_t>(g * kTokens) * a_stride;
    uint8_t* out = panel + static_cast<size_t>(g) * group_bytes(BlockK::kBytes, nb);
    for (int64_t b = 0; b < nb; ++b, out += BlockK::kBytes) {
      const uint8_t* blk = rows + static_cast<size_t>(b) * sizeof(block_q8_K);
      __m512i lsum[8];
      for (__m512i& l : lsum) l = _mm512_setzero_si512();
      for (int k = 0; k < 64; ++k) {
        const __m512i q = gather_dwords(tl, blk + offsetof(block_q8_K, qs) + 4 * k);
        _mm512_storeu_si512(out + BlockK::kQ + 64 * k, q);
        lsum[k % 8] = _mm512_add_epi32(lsum[k % 8], sums4(q));
      }
      for (int j = 0; j < 8; ++j) _mm512_storeu_si512(out + BlockK::kLsum + 64 * j, lsum[j]);
      _mm512_storeu_si512(out + BlockK::kD, gather_dwords(tl, blk + offsetof(block_q8_K, d)));
      for (int p = 0; p < 8; ++p) {
        const __m512i pair = gather_dwords(tl, blk + offsetof(block_q8_K, bsums) + 4 * p);
        _mm512_storeu_si512(out + BlockK::kBsum + 64 * p, pair);
        const __m512i low = _mm512_srai_epi32(_mm512_slli_epi32(pair, 16), 16);
        const __m512i high = _mm512_srai_epi32(pair, 16);
        _mm512_storeu_si512(out + BlockK::kStart + 64 * (2 * p), neg_scaled<5>(low));
        _mm512_storeu_si512(out + BlockK::kStart + 64 * (2 * p + 1), neg_scaled<5>(high));
      }
    }
  }
}

}  // namespace tq::quants::panel
