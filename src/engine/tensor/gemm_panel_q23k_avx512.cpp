// Panel kernels (gemm_panel.h) for Q2_K and Q3_K. Their references (ggml's AVX2 kernels,
// quants_k.cpp) keep eight float lanes per output: lane j holds the products of elements
// 32c + 4j .. 32c + 4j + 3 of every 32-weight chunk c, each weighted by its group's scale,
// and per super-block
//   Q2_K: acc_j = fma(−d_a·dmin, float(m_j), acc_j),  m_j = Σ min·bsum over groups 2j, 2j+1
//   both: acc_j = fma(d_a·d, float(sumi_j), acc_j)
// folded by hsum8 at the end. Here every (row, lane j) is a register of 16 tokens.
//
// The group scale s is folded into the weight byte when the tile is unpacked, so sumi_j is
// one vpdpbusd chain over the eight chunks with no multiply:
//   Q2_K: s·q ∈ [0, 45]                         (s 0..15, q 0..3)
//   Q3_K: s·q + 127 ∈ [3, 255]                   (s −32..31, q −4..3)
// Q3_K's chain therefore starts from −127·(Σ of lane j's activations), the panel's lsum.
// Integer sums are exact, the float steps are the reference's, so results are
// bit-identical to vec_dot_q2_K_q8_K / vec_dot_q3_K_q8_K (gemm_test.cpp).
#include <immintrin.h>

#include <cstring>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/k_scales.h"
#include "engine/tensor/panel_internal_avx512.h"
#include "engine/tensor/panel_layout.h"

namespace tq::quants {
namespace {

using namespace panel;

// One row's super-block, unpacked.
struct Row23 {
  uint8_t w[kQK_K];     // scale·q (+127 for Q3_K), element order
  int32_t min_pair[8];  // Q2_K: int16 mins of groups 2j (low half) and 2j+1 (high half)
  float d;
  float neg_dmin;
};

inline __m256i shift_right(__m256i v, int count) {
  return _mm256_srl_epi16(v, _mm_cvtsi32_si128(count));
}

inline __m256i low_bits(__m256i v, int count, int mask) {
  return _mm256_and_si256(shift_right(v, count), _mm256_set1_epi8(static_cast<char>(mask)));
}

// Weights 32c .. 32c + 31 (c = 4·half + r): the two low bits are bits 2r..2r+1 of
// qs[32·half + l]; Q3_K's third bit is bit c of hmask[l] (clear: subtract 4).
struct UnpackQ2_K {
  using Block = block_q2_K;
  static constexpr int kOffset = 0;   // added to scale·q to make it unsigned
  static constexpr int kQOffset = 0;  // subtracted from the chunk's values to give q
  static __m256i chunk(const Block& b, int c) {
    return low_bits(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (c / 4))),
                    2 * (c % 4), 3);
  }
};

struct UnpackQ3_K {
  using Block = block_q3_K;
  static constexpr int kOffset = 127;
  static constexpr int kQOffset = 4;
  static __m256i chunk(const Block& b, int c) {  // q + 4, in 0..7
    const __m256i low = low_bits(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (c / 4))), 2 * (c % 4), 3);
    const __m256i high =
        low_bits(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask)), c, 1);
    return _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
  }
};

template <typename U>
void unpack_block(const typename U::Block& b, Row23& row) {
  KScales ks;
  k_scales(b, ks);
  for (int c = 0; c < 8; ++c) {
    // 32 weights = groups 2c and 2c + 1: products in 16 bits, one scale per half.
    const __m512i q = _mm512_sub_epi16(_mm512_cvtepu8_epi16(U::chunk(b, c)),
                                       _mm512_set1_epi16(static_cast<int16_t>(U::kQOffset)));
    const __m512i s = _mm512_inserti64x4(_mm512_set1_epi16(ks.scale[2 * c]),
                                         _mm256_set1_epi16(ks.scale[2 * c + 1]), 1);
    const __m512i w = _mm512_add_epi16(_mm512_mullo_epi16(q, s),
                                       _mm512_set1_epi16(static_cast<int16_t>(U::kOffset)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(row.w + 32 * c), _mm512_cvtepi16_epi8(w));
  }
  for (int j = 0; j < 8; ++j)
    row.min_pair[j] =
        static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(ks.min[2 * j])) |
                             static_cast<uint32_t>(static_cast<uint16_t>(ks.min[2 * j + 1])) << 16);
  row.d = _cvtsh_ss(b.d);
  if constexpr (U::kOffset == 0) row.neg_dmin = -_cvtsh_ss(b.dmin);
}

inline int32_t load_i32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// R rows × 16 tokens. The integer chains of four lanes of R rows run side by side (their
// latency would otherwise bound the loop); the float lanes wait in memory between
// super-blocks, and are folded at the end as hsum8 folds them.
template <typename U, int R>
void lane_rows(const Row23* tile, int64_t nb, int64_t r0, const uint8_t* gp, float* y, int64_t ys,
               int64_t n_valid, NextTilePrefetch& pf) {
  constexpr bool kMins = U::kOffset == 0;
  constexpr int kLanes = 4;  // lanes per pass
  __m512 acc[R][8];
  for (auto& row : acc)
    for (__m512& lane : row) lane = _mm512_setzero_ps();
  for (int64_t sb = 0; sb < nb; ++sb) {
    pf.step();
    const uint8_t* pb = gp + static_cast<size_t>(sb) * BlockK::kBytes;
    const Row23* rows[R];
    for (int r = 0; r < R; ++r) rows[r] = tile + (r0 + r) * nb + sb;
    const __m512 da = _mm512_loadu_ps(pb + BlockK::kD);
    for (int j0 = 0; j0 < 8; j0 += kLanes) {
      __m512i sumi[R][kLanes];
      for (int k = 0; k < kLanes; ++k) {
        __m512i start = _mm512_setzero_si512();
        if constexpr (!kMins) {  // −127·lsum
          const __m512i lsum = _mm512_loadu_si512(pb + BlockK::kLsum + 64 * (j0 + k));
          start = _mm512_sub_epi32(lsum, _mm512_slli_epi32(lsum, 7));
        }
        for (int r = 0; r < R; ++r) sumi[r][k] = start;
      }
      // Unrolled: GCC otherwise copies the sixteen chains between registers every chunk.
#pragma GCC unroll 8
      for (int c = 0; c < 8; ++c) {
        __m512i a[kLanes];
        for (int k = 0; k < kLanes; ++k)
          a[k] = _mm512_loadu_si512(pb + BlockK::kQ + 64 * (8 * c + j0 + k));
        for (int r = 0; r < R; ++r) {
          const uint8_t* w = rows[r]->w + 32 * c + 4 * j0;
          for (int k = 0; k < kLanes; ++k)
            sumi[r][k] =
                _mm512_dpbusd_epi32(sumi[r][k], _mm512_set1_epi32(load_i32(w + 4 * k)), a[k]);
        }
      }
      for (int r = 0; r < R; ++r) {
        const __m512 d = _mm512_mul_ps(da, _mm512_set1_ps(rows[r]->d));
        for (int k = 0; k < kLanes; ++k) {
          __m512& lane = acc[r][j0 + k];
          if constexpr (kMins) {
            const __m512i bsum = _mm512_loadu_si512(pb + BlockK::kBsum + 64 * (j0 + k));
            const __m512i m = _mm512_dpwssd_epi32(_mm512_setzero_si512(), bsum,
                                                  _mm512_set1_epi32(rows[r]->min_pair[j0 + k]));
            const __m512 dmin = _mm512_mul_ps(da, _mm512_set1_ps(rows[r]->neg_dmin));
            lane = _mm512_fmadd_ps(_mm512_cvtepi32_ps(m), dmin, lane);
          }
          lane = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi[r][k]), d, lane);
        }
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    const __m512* l = acc[r];
    const __m512 sum =
        _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(l[0], l[4]), _mm512_add_ps(l[2], l[6])),
                      _mm512_add_ps(_mm512_add_ps(l[1], l[5]), _mm512_add_ps(l[3], l[7])));
    store_tokens(sum, y + r0 + r, ys, n_valid);
  }
}

template <typename U>
void run(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* panel_data,
         int64_t n_tok, float* y, int64_t ys) {
  using Block = typename U::Block;
  const int64_t nb = n / kQK_K;
  auto* tile =
      reinterpret_cast<Row23*>(tile_scratch(sizeof(Row23) * static_cast<size_t>(n_rows * nb)));
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* blocks = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws);
    for (int64_t b = 0; b < nb; ++b) unpack_block<U>(blocks[b], tile[r * nb + b]);
  }
  const size_t gbytes = group_bytes(BlockK::kBytes, nb);
  NextTilePrefetch pf(w + static_cast<size_t>(n_rows) * ws, static_cast<size_t>(n_rows) * ws,
                      n_groups(n_tok) * ((n_rows + 3) / 4) * nb);
  for (int64_t g = 0; g < n_groups(n_tok); ++g) {
    const uint8_t* gp = panel_data + static_cast<size_t>(g) * gbytes;
    float* yg = y + g * kTokens * ys;
    const int64_t n_valid = n_tok - g * kTokens;
    int64_t r = 0;
    for (; r + 4 <= n_rows; r += 4) lane_rows<U, 4>(tile, nb, r, gp, yg, ys, n_valid, pf);
    for (; r < n_rows; ++r) lane_rows<U, 1>(tile, nb, r, gp, yg, ys, n_valid, pf);
  }
}

constexpr PanelKernel kQ2_K{GgmlType::Q8_K, bytes_k, pack_q8_K, run<UnpackQ2_K>};
constexpr PanelKernel kQ3_K{GgmlType::Q8_K, bytes_k, pack_q8_K, run<UnpackQ3_K>};

}  // namespace

const PanelKernel* panel_kernel_q23k_avx512(GgmlType type) {
  switch (type) {
    case GgmlType::Q2_K:
      return &kQ2_K;
    case GgmlType::Q3_K:
      return &kQ3_K;
    default:
      return nullptr;
  }
}

}  // namespace tq::quants
