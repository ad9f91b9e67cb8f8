// Panel kernels (gemm_panel.h) for the 32-weight formats: Q8_0, Q4_0, Q5_0 against Q8_0
// activations, Q4_1, Q5_1 against Q8_1.
//
// Float order, per (row, token), as the reference vec_dot (quants_legacy.cpp):
// - Q8_0, Q4_0, Q4_1 ("chain"): one accumulator, per block acc = fma(float(Σ), d_w·d_a, acc)
//   and for Q4_1 then acc = fma(m, s_a, acc).
// - Q5_0, Q5_1 ("lanes"): eight accumulators, lane k taking the sum of elements 4k..4k+3:
//   lane_k = fma(d_w·d_a, float(Σ_k), lane_k), folded by hsum8 at the end; Q5_1 adds the
//   fma chain of m·s_a last.
// Here each of those scalars is one lane of a register of 16 tokens, so every lane sees
// the same roundings in the same order.
#include <immintrin.h>

#include <cstring>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/panel_internal_avx512.h"
#include "engine/tensor/panel_layout.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {
namespace {

using namespace panel;

inline float half(half_bits h) {
  return _cvtsh_ss(h);
}

// The stored (unsigned) weight values of one block in element order: the signed weight
// plus the format's offset, which the panel's starts take back out (panel_layout.h).
template <typename B>
struct UnpackNibbles {  // Q4_0 (offset 8), Q4_1
  using Block = B;
  static __m256i bytes(const Block& b) { return avx2::nibbles_32(b.qs); }
};
template <typename B>
struct UnpackFiveBits {  // Q5_0 (offset 16), Q5_1: the 5th bit of element j is bit j of qh
  using Block = B;
  static __m256i bytes(const Block& b) {
    return _mm256_or_si256(avx2::nibbles_32(b.qs),
                           _mm256_and_si256(avx2::bits_32(b.qh), _mm256_set1_epi8(0x10)));
  }
};
struct UnpackQ8_0 {  // q + 128
  using Block = block_q8_0;
  static __m256i bytes(const Block& b) {
    return _mm256_xor_si256(avx2::load256(b.qs), _mm256_set1_epi8(static_cast<char>(0x80)));
  }
};

template <typename Block>
constexpr bool kHasMin = sizeof(Block) == sizeof(block_q4_1) || sizeof(Block) == sizeof(block_q5_1);

// A row tile unpacked: per row and block the 32 weight values, d and m as F32.
struct Tile32 {
  int64_t nb = 0;
  const uint8_t* q = nullptr;  // [row][block][32]
  const float* d = nullptr;    // [row][block]
  const float* m = nullptr;    // [row][block]

  size_t at(int64_t r, int64_t b) const { return static_cast<size_t>(r * nb + b); }
};

template <typename U>
Tile32 unpack(const uint8_t* w, size_t ws, int64_t n_rows, int64_t nb) {
  using Block = typename U::Block;
  const size_t cells = static_cast<size_t>(n_rows * nb);
  uint8_t* mem = tile_scratch(cells * (32 + 2 * sizeof(float)));
  auto* q = mem;
  auto* d = reinterpret_cast<float*>(mem + cells * 32);
  auto* m = d + cells;
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* blocks = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws);
    const size_t i0 = static_cast<size_t>(r * nb);
    for (int64_t b = 0; b < nb; ++b) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 32 * (i0 + b)), U::bytes(blocks[b]));
      d[i0 + b] = half(blocks[b].d);
      if constexpr (kHasMin<Block>) m[i0 + b] = half(blocks[b].m);
    }
  }
  return {nb, q, d, m};
}

struct PanelBlock {
  __m512i q[8];
  __m512 d, s;
};

[[gnu::always_inline]] inline void load_block(const uint8_t* pb, PanelBlock& p, bool with_s) {
  for (int k = 0; k < 8; ++k) p.q[k] = _mm512_loadu_si512(pb + Block32::kQ + 64 * k);
  p.d = _mm512_loadu_ps(pb + Block32::kD);
  if (with_s) p.s = _mm512_loadu_ps(pb + Block32::kS);
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

// R rows × 16 tokens, one float chain per (row, token).
template <int R, bool kMin>
void chain_rows(const Tile32& t, int64_t r0, const uint8_t* gp, float* y, int64_t ys,
                int64_t n_valid, NextTilePrefetch& pf) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  PanelBlock p;
  for (int64_t b = 0; b < t.nb; ++b) {
    pf.step();
    const uint8_t* pb = gp + static_cast<size_t>(b) * Block32::kBytes;
    load_block(pb, p, kMin);
    const __m512i start = _mm512_loadu_si512(pb + Block32::kStart);
    for (int r = 0; r < R; ++r) {
      const size_t i = t.at(r0 + r, b);
      const uint8_t* w = t.q + 32 * i;
      // Two half sums keep the dependent vpdpbusd chain short; integers, so exact.
      __m512i lo = start;
      __m512i hi = _mm512_setzero_si512();
      for (int k = 0; k < 4; ++k) {
        lo = dot4(lo, w + 4 * k, p.q[k]);
        hi = dot4(hi, w + 4 * k + 16, p.q[k + 4]);
      }
      const __m512 sum = _mm512_cvtepi32_ps(_mm512_add_epi32(lo, hi));
      acc[r] = _mm512_fmadd_ps(sum, _mm512_mul_ps(_mm512_set1_ps(t.d[i]), p.d), acc[r]);
      if constexpr (kMin) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(t.m[i]), p.s, acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) store_tokens(acc[r], y + r0 + r, ys, n_valid);
}

// R rows × 16 tokens, eight float lanes per (row, token).
template <int R, bool kMin>
void lane_rows(const Tile32& t, int64_t r0, const uint8_t* gp, float* y, int64_t ys,
               int64_t n_valid, NextTilePrefetch& pf) {
  __m512 lanes[R][8], summs[R];
  for (int r = 0; r < R; ++r) {
    summs[r] = _mm512_setzero_ps();
    for (auto& l : lanes[r]) l = _mm512_setzero_ps();
  }
  PanelBlock p;
  for (int64_t b = 0; b < t.nb; ++b) {
    pf.step();
    const uint8_t* pb = gp + static_cast<size_t>(b) * Block32::kBytes;
    load_block(pb, p, kMin);
    // Fully unrolled, so that the 8·R accumulators stay in registers.
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const size_t i = t.at(r0 + r, b);
      const uint8_t* w = t.q + 32 * i;
      const __m512 d = _mm512_mul_ps(_mm512_set1_ps(t.d[i]), p.d);
      if constexpr (kMin) summs[r] = _mm512_fmadd_ps(_mm512_set1_ps(t.m[i]), p.s, summs[r]);
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        const __m512i start = _mm512_loadu_si512(pb + Block32::kStart4 + 64 * k);
        const __m512i s = dot4(start, w + 4 * k, p.q[k]);
        lanes[r][k] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(s), lanes[r][k]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    const __m512* l = lanes[r];
    // hsum8's tree, lane by lane: ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
    __m512 v = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(l[0], l[4]), _mm512_add_ps(l[2], l[6])),
                             _mm512_add_ps(_mm512_add_ps(l[1], l[5]), _mm512_add_ps(l[3], l[7])));
    if constexpr (kMin) v = _mm512_add_ps(v, summs[r]);
    store_tokens(v, y + r0 + r, ys, n_valid);
  }
}

template <typename U, bool kLanes>
void run(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* panel_data,
         int64_t n_tok, float* y, int64_t ys) {
  constexpr bool kMin = kHasMin<typename U::Block>;
  const int64_t nb = n / 32;
  const Tile32 t = unpack<U>(w, ws, n_rows, nb);
  const size_t gbytes = group_bytes(Block32::kBytes, nb);
  const int64_t passes = kLanes ? (n_rows + 1) / 2 : (n_rows + 7) / 8;
  NextTilePrefetch pf(w + static_cast<size_t>(n_rows) * ws, static_cast<size_t>(n_rows) * ws,
                      n_groups(n_tok) * passes * nb);
  for (int64_t g = 0; g < n_groups(n_tok); ++g) {
    const uint8_t* gp = panel_data + static_cast<size_t>(g) * gbytes;
    float* yg = y + g * kTokens * ys;
    const int64_t n_valid = n_tok - g * kTokens;
    int64_t r = 0;
    if constexpr (kLanes) {
      for (; r + 2 <= n_rows; r += 2) lane_rows<2, kMin>(t, r, gp, yg, ys, n_valid, pf);
      for (; r < n_rows; ++r) lane_rows<1, kMin>(t, r, gp, yg, ys, n_valid, pf);
    } else {
      for (; r + 8 <= n_rows; r += 8) chain_rows<8, kMin>(t, r, gp, yg, ys, n_valid, pf);
      for (; r + 4 <= n_rows; r += 4) chain_rows<4, kMin>(t, r, gp, yg, ys, n_valid, pf);
      for (; r < n_rows; ++r) chain_rows<1, kMin>(t, r, gp, yg, ys, n_valid, pf);
    }
  }
}

constexpr PanelKernel kQ8_0{GgmlType::Q8_0, bytes_32, pack_q8_0_for_q8_0, run<UnpackQ8_0, false>};
constexpr PanelKernel kQ4_0{GgmlType::Q8_0, bytes_32, pack_q8_0_for_q4_0,
                            run<UnpackNibbles<block_q4_0>, false>};
constexpr PanelKernel kQ5_0{GgmlType::Q8_0, bytes_32, pack_q8_0_for_q5_0,
                            run<UnpackFiveBits<block_q5_0>, true>};
constexpr PanelKernel kQ4_1{GgmlType::Q8_1, bytes_32, pack_q8_1,
                            run<UnpackNibbles<block_q4_1>, false>};
constexpr PanelKernel kQ5_1{GgmlType::Q8_1, bytes_32, pack_q8_1,
                            run<UnpackFiveBits<block_q5_1>, true>};

}  // namespace

const PanelKernel* panel_kernel_legacy_avx512(GgmlType type) {
  switch (type) {
    case GgmlType::Q8_0:
      return &kQ8_0;
    case GgmlType::Q4_0:
      return &kQ4_0;
    case GgmlType::Q5_0:
      return &kQ5_0;
    case GgmlType::Q4_1:
      return &kQ4_1;
    case GgmlType::Q5_1:
      return &kQ5_1;
    default:
      return nullptr;
  }
}

}  // namespace tq::quants
