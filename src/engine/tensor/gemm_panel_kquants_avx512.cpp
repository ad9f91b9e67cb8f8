// Panel kernels (gemm_panel.h) for the K-quants whose reference keeps one float chain per
// output (Q4_K, Q5_K, Q6_K against Q8_K; see vec_dot_k_amx in quants_k.cpp). Per (row,
// token) and super-block, in integers (exact in any order):
//   sumi = Σ_groups scale_g · Σ_{e∈g} q_e·a_e          (Q6_K: q = value − 32)
//   summ = Σ_groups min_g · bsum_g                       (Q4_K/Q5_K)
// then, as the reference: acc = fma(float(sumi), d_a·d, acc) and
// acc = fma(float(summ), −d_a·dmin, acc). Each (row, token) is a lane of a register of 16
// tokens; group sums are vpdpbusd chains (Q6_K's from the panel's −32·bsum starts), the
// scales enter with vpmulld and the mins with vpdpwssd against the panel's bsum pairs.
// Q2_K and Q3_K keep eight float lanes per output in their reference: see
// gemm_panel_q23k_avx512.cpp.
#include <immintrin.h>

#include <cstring>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/k_scales.h"
#include "engine/tensor/panel_internal_avx512.h"
#include "engine/tensor/panel_layout.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {
namespace {

using namespace panel;

// One row's super-block, unpacked.
struct KRow {
  uint8_t q[kQK_K];     // stored values in element order (Q6_K: q + 32)
  int32_t scale[16];    // per scale group
  int32_t min_pair[8];  // int16 mins of groups 2p (low half) and 2p+1 (high half)
  float d;
  float neg_dmin;
};

inline __m256i shift_right(__m256i v, int count) {
  return _mm256_srl_epi16(v, _mm_cvtsi32_si128(count));
}

inline __m256i splat8(int v) {
  return _mm256_set1_epi8(static_cast<char>(v));
}

// Q4_K: 64-weight chunk c takes 32 bytes of qs, low nibbles first.
struct UnpackQ4_K {
  using Block = block_q4_K;
  static constexpr int kGroup = 32;  // one scale per 32 weights
  static constexpr bool kMins = true;
  static __m256i chunk(const Block& b, int c) {
    const __m256i bits = avx2::load256(b.qs + 32 * (c / 2));
    return _mm256_and_si256(shift_right(bits, 4 * (c % 2)), splat8(0x0F));
  }
};

// Q5_K: Q4_K's nibbles plus bit c of qh[l] as 16.
struct UnpackQ5_K {
  using Block = block_q5_K;
  static constexpr int kGroup = 32;
  static constexpr bool kMins = true;
  static __m256i chunk(const Block& b, int c) {
    const __m256i bits = avx2::load256(b.qs + 32 * (c / 2));
    const __m256i low = _mm256_and_si256(shift_right(bits, 4 * (c % 2)), splat8(0x0F));
    const __m256i hbit = _mm256_and_si256(shift_right(avx2::load256(b.qh), c), splat8(1));
    return _mm256_or_si256(low, _mm256_slli_epi16(hbit, 4));
  }
};

// Q6_K: chunk 4·h + r takes a nibble of ql[64h + 32(r % 2) + l] (high nibble for r ≥ 2)
// and bits 2r..2r+1 of qh[32h + l] as bits 4-5 (the value, q + 32).
struct UnpackQ6_K {
  using Block = block_q6_K;
  static constexpr int kGroup = 16;
  static constexpr bool kMins = false;
  static __m256i chunk(const Block& b, int c) {
    const int h = c / 4, r = c % 4;
    const __m256i ql = avx2::load256(b.ql + 64 * h + 32 * (r % 2));
    const __m256i low = _mm256_and_si256(shift_right(ql, 4 * (r / 2)), splat8(0x0F));
    const __m256i qh = shift_right(avx2::load256(b.qh + 32 * h), 2 * r);
    const __m256i high = _mm256_slli_epi16(_mm256_and_si256(qh, splat8(3)), 4);
    return _mm256_or_si256(low, high);
  }
};

template <typename U>
void unpack_block(const typename U::Block& b, KRow& k) {
  for (int c = 0; c < 8; ++c)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(k.q + 32 * c), U::chunk(b, c));
  KScales ks;
  k_scales(b, ks);
  constexpr int kStep = U::kGroup / 16;
  for (int g = 0; g < 16; g += kStep) k.scale[g / kStep] = ks.scale[g];
  if constexpr (U::kMins) {
    for (int p = 0; p < 8; ++p)
      k.min_pair[p] = static_cast<int32_t>(
          static_cast<uint32_t>(static_cast<uint16_t>(ks.min[2 * p])) |
          static_cast<uint32_t>(static_cast<uint16_t>(ks.min[2 * p + 1])) << 16);
    k.neg_dmin = -_cvtsh_ss(b.dmin);
  }
  k.d = _cvtsh_ss(b.d);
}

inline int32_t load_i32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Four weight values (broadcast) times four activation bytes of 16 tokens, added to acc.
[[gnu::always_inline]] inline __m512i dot4(__m512i acc, const uint8_t* w4, __m512i a) {
  return _mm512_dpbusd_epi32(acc, _mm512_set1_epi32(load_i32(w4)), a);
}

// R rows × 16 tokens over every super-block.
template <typename U, int R>
void chain_rows(const KRow* tile, int64_t nb, int64_t r0, const uint8_t* gp, float* y, int64_t ys,
                int64_t n_valid, NextTilePrefetch& pf) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t sb = 0; sb < nb; ++sb) {
    pf.step();
    const uint8_t* pb = gp + static_cast<size_t>(sb) * BlockK::kBytes;
    const KRow* rows[R];
    for (int r = 0; r < R; ++r) rows[r] = tile + (r0 + r) * nb + sb;
    __m512i isum[R];
    for (int r = 0; r < R; ++r) isum[r] = _mm512_setzero_si512();
    for (int c = 0; c < 8; ++c) {
      __m512i a[8];
      for (int k = 0; k < 8; ++k) a[k] = _mm512_loadu_si512(pb + BlockK::kQ + 64 * (8 * c + k));
      for (int r = 0; r < R; ++r) {
        const uint8_t* w = rows[r]->q + 32 * c;
        if constexpr (U::kGroup == 32) {
          __m512i lo = _mm512_setzero_si512();
          __m512i hi = _mm512_setzero_si512();
          for (int k = 0; k < 4; ++k) {
            lo = dot4(lo, w + 4 * k, a[k]);
            hi = dot4(hi, w + 4 * k + 16, a[k + 4]);
          }
          const __m512i s = _mm512_add_epi32(lo, hi);
          isum[r] = _mm512_add_epi32(isum[r],
                                     _mm512_mullo_epi32(s, _mm512_set1_epi32(rows[r]->scale[c])));
        } else {
          // Q6_K: each group's sum starts from the panel's −32·bsum of that group.
          __m512i g0 = _mm512_loadu_si512(pb + BlockK::kStart + 64 * (2 * c));
          __m512i g1 = _mm512_loadu_si512(pb + BlockK::kStart + 64 * (2 * c + 1));
          for (int k = 0; k < 4; ++k) {
            g0 = dot4(g0, w + 4 * k, a[k]);
            g1 = dot4(g1, w + 4 * k + 16, a[k + 4]);
          }
          isum[r] = _mm512_add_epi32(
              isum[r], _mm512_add_epi32(
                           _mm512_mullo_epi32(g0, _mm512_set1_epi32(rows[r]->scale[2 * c])),
                           _mm512_mullo_epi32(g1, _mm512_set1_epi32(rows[r]->scale[2 * c + 1]))));
        }
      }
    }
    const __m512 da = _mm512_loadu_ps(pb + BlockK::kD);
    __m512i bsum[8];
    if constexpr (U::kMins)
      for (int p = 0; p < 8; ++p) bsum[p] = _mm512_loadu_si512(pb + BlockK::kBsum + 64 * p);
    for (int r = 0; r < R; ++r) {
      const __m512 d = _mm512_mul_ps(da, _mm512_set1_ps(rows[r]->d));
      acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r]), d, acc[r]);
      if constexpr (U::kMins) {
        __m512i summ = _mm512_setzero_si512();
        for (int p = 0; p < 8; ++p)
          summ = _mm512_dpwssd_epi32(summ, bsum[p], _mm512_set1_epi32(rows[r]->min_pair[p]));
        const __m512 dmin = _mm512_mul_ps(da, _mm512_set1_ps(rows[r]->neg_dmin));
        acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(summ), dmin, acc[r]);
      }
    }
  }
  for (int r = 0; r < R; ++r) store_tokens(acc[r], y + r0 + r, ys, n_valid);
}

template <typename U>
void run(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* panel_data,
         int64_t n_tok, float* y, int64_t ys) {
  using Block = typename U::Block;
  const int64_t nb = n / kQK_K;
  auto* tile =
      reinterpret_cast<KRow*>(tile_scratch(sizeof(KRow) * static_cast<size_t>(n_rows * nb)));
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* blocks = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws);
    for (int64_t b = 0; b < nb; ++b) unpack_block<U>(blocks[b], tile[r * nb + b]);
  }
  const size_t gbytes = group_bytes(BlockK::kBytes, nb);
  NextTilePrefetch pf(w + static_cast<size_t>(n_rows) * ws, static_cast<size_t>(n_rows) * ws,
                      n_groups(n_tok) * ((n_rows + 7) / 8) * nb);
  for (int64_t g = 0; g < n_groups(n_tok); ++g) {
    const uint8_t* gp = panel_data + static_cast<size_t>(g) * gbytes;
    float* yg = y + g * kTokens * ys;
    const int64_t n_valid = n_tok - g * kTokens;
    int64_t r = 0;
    // Q6_K's two starts per chunk leave too few registers for eight rows (measured).
    constexpr int kRows = U::kGroup == 16 ? 4 : 8;
    for (; r + kRows <= n_rows; r += kRows)
      chain_rows<U, kRows>(tile, nb, r, gp, yg, ys, n_valid, pf);
    for (; r + 4 <= n_rows; r += 4) chain_rows<U, 4>(tile, nb, r, gp, yg, ys, n_valid, pf);
    for (; r < n_rows; ++r) chain_rows<U, 1>(tile, nb, r, gp, yg, ys, n_valid, pf);
  }
}

constexpr PanelKernel kQ4_K{GgmlType::Q8_K, bytes_k, pack_q8_K, run<UnpackQ4_K>};
constexpr PanelKernel kQ5_K{GgmlType::Q8_K, bytes_k, pack_q8_K, run<UnpackQ5_K>};
constexpr PanelKernel kQ6_K{GgmlType::Q8_K, bytes_k, pack_q8_K, run<UnpackQ6_K>};

}  // namespace

const PanelKernel* panel_kernel_kquants_avx512(GgmlType type) {
  switch (type) {
    case GgmlType::Q4_K:
      return &kQ4_K;
    case GgmlType::Q5_K:
      return &kQ5_K;
    case GgmlType::Q6_K:
      return &kQ6_K;
    default:
      return nullptr;
  }
}

}  // namespace tq::quants
