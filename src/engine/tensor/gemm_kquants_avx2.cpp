// Fast tiles for the K-quants (Q2_K … Q6_K against Q8_K) and the legacy formats with a
// minimum (Q4_1/Q5_1 against Q8_1): R weight rows × T activation rows per pass over the
// blocks (2 × 4 for prompts, 1 × 1 for decode; see gemm_any).
//
// K-quants: per super-block a row's scales (and mins) are unpacked once, and each 32-weight
// chunk once, for all T tokens. Weights enter maddubs as unsigned bytes (the format's q,
// or q plus an offset for Q3_K/Q6_K whose q is signed) against the signed Q8_K bytes; madd
// with the group scales (int16, one per 16 bytes) gives int32 lanes that stay integer for
// the whole super-block. Operand ranges: q ≤ 63 and |a| ≤ 128, so a maddubs pair stays
// below 16 130 and never saturates int16; the int32 lanes stay far below 2^31.
//
// The float steps after the exact integer sums are the reference's (see tile_k and
// tile_1), so every result is bit-identical to the type's vec_dot: the gold logits, which
// are sensitive to summation order, stay where the reference kernels put them.
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <utility>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

inline float half(half_bits h) {
  return _cvtsh_ss(h);
}

inline __m256i splat8(int v) {
  return _mm256_set1_epi8(static_cast<char>(v));
}

// Moves bit From of every byte to bit To (other bits: garbage to be masked off). The 16-bit
// shifts cannot carry a neighbouring byte's bit into position To of a byte.
template <int From, int To>
inline __m256i move_bits(__m256i v) {
  if constexpr (From <= To) {
    return _mm256_slli_epi16(v, To - From);
  } else {
    return _mm256_srli_epi16(v, From - To);
  }
}

inline __m256i shift_right(__m256i v, int count) {
  return _mm256_srl_epi16(v, _mm_cvtsi32_si128(count));
}

// What the tile needs of one row's super-block, unpacked once for all tokens.
struct RowK {
  // Group scales as int16 with the even groups in the low 128-bit lane and the odd groups
  // in the high lane, so that one in-lane shuffle (scale_of) yields chunk C's two groups
  // (2C on bytes 0-15, 2C+1 on bytes 16-31).
  __m256i scales;
  // Per group in natural order, to be madd-ed with Q8_K's bsums: the mins (Q2_K, Q4_K,
  // Q5_K) or the scales (Q6_K, whose offset costs Σ scale·32·bsum); unused for Q3_K.
  __m256i per_group;
  float d;
  float dmin;  // only with kMins
};

// In-lane byte shuffles broadcasting int16 element c of each 128-bit lane.
struct ScaleMasks {
  alignas(32) int8_t m[kQK_K / 32][32];
};
constexpr ScaleMasks make_scale_masks() {
  ScaleMasks s{};
  for (int c = 0; c < kQK_K / 32; ++c)
    for (int i = 0; i < 32; ++i) s.m[c][i] = static_cast<int8_t>(2 * c + i % 2);
  return s;
}
constexpr ScaleMasks kScaleMasks = make_scale_masks();

inline __m256i scale_of(__m256i scales, int c) {
  return _mm256_shuffle_epi8(scales, load256(kScaleMasks.m[c]));
}

// 16 int8 per-group values → int16 in RowK::scales' even/odd lane order.
inline __m256i even_odd_i16(__m128i groups_i8) {
  const __m128i eo = _mm_shuffle_epi8(
      groups_i8, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
  return _mm256_cvtepi8_epi16(eo);
}

// 8 sub-block values of 32 weights (uint8) → int16 per group (each value twice).
inline __m256i per_group_of_subblocks(__m128i sub_u8) {
  const __m128i v16 = _mm_cvtepu8_epi16(sub_u8);
  return _mm256_set_m128i(_mm_unpackhi_epi16(v16, v16), _mm_unpacklo_epi16(v16, v16));
}

// Q4_K/Q5_K: 6-bit scale and min of the 8 sub-blocks from 12 bytes. Bytes 0-3 hold the
// low 6 bits of scales 0-3 (top 2 bits: high bits of scales 4-7), bytes 4-7 the same for
// the mins, bytes 8-11 the low nibbles of scales 4-7 (low) and mins 4-7 (high).
inline void prep_k4(const uint8_t* packed, RowK& k) {
  uint32_t w[3];
  std::memcpy(w, packed, sizeof w);
  const uint32_t m6 = 0x3F3F3F3F, m4 = 0x0F0F0F0F, m2 = 0x03030303;
  const uint32_t sc_lo = w[0] & m6, min_lo = w[1] & m6;
  const uint32_t sc_hi = (w[2] & m4) | ((w[0] >> 6) & m2) << 4;
  const uint32_t min_hi = ((w[2] >> 4) & m4) | ((w[1] >> 6) & m2) << 4;
  const __m128i sc =
      _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(sc_hi), static_cast<int>(sc_lo)));
  // Both groups of chunk C are sub-block C: the same eight scales in both lanes.
  k.scales = _mm256_set_m128i(sc, sc);
  k.per_group = per_group_of_subblocks(
      _mm_set_epi32(0, 0, static_cast<int>(min_hi), static_cast<int>(min_lo)));
}

// Unpackers: the Block, prep (RowK of one super-block), chunk<K>(block, it) (weights
// 32C..32C+31, C = it·kPerIter + K, as unsigned bytes q + offset), and how the offset or mins come
// back out: kMins (Σmin·bsum with dmin), kOffsetShift (log2 of an offset taken out of the integer
// sum through bsums) or kLaneOffset (an offset taken out of every maddubs pair, as the reference
// does); kChain picks the float order (see tile_k).

struct UnpackQ2_K {
  using Block = block_q2_K;
  static constexpr bool kChain = false, kMins = true;
  [[maybe_unused]] static constexpr int kOffsetShift = 0, kLaneOffset = 0;
  static void prep(const Block& b, RowK& k) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m128i low4 = _mm_set1_epi8(0x0F);
    k.scales = even_odd_i16(_mm_and_si128(raw, low4));
    k.per_group = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), low4));
    k.d = half(b.d);
    k.dmin = half(b.dmin);
  }
  static constexpr int kPerIter = 4;
  // Chunk 4·it + K: bits 2K..2K+1 of qs[32·it + l].
  template <int K>
  static __m256i chunk(const Block& b, int it) {
    const __m256i bits = load256(b.qs + 32 * it);
    return _mm256_and_si256(_mm256_srli_epi16(bits, 2 * K), splat8(3));
  }
};

struct UnpackQ3_K {
  using Block = block_q3_K;
  static constexpr bool kChain = false, kMins = false;
  [[maybe_unused]] static constexpr int kOffsetShift = 0,
                                        kLaneOffset = 4;  // q = (low2 | hbit << 2) − 4
  // Group g: low nibble in byte g % 8 (low half for g < 8), high 2 bits in bits
  // 2·(g / 4) of byte 8 + g % 4; stored +32.
  static void prep(const Block& b, RowK& k) {
    uint32_t w[3];
    std::memcpy(w, b.scales, sizeof w);
    const uint32_t m4 = 0x0F0F0F0F, m2 = 0x03030303;
    const uint32_t g0 = (w[0] & m4) | (w[2] & m2) << 4;
    const uint32_t g4 = (w[1] & m4) | ((w[2] >> 2) & m2) << 4;
    const uint32_t g8 = ((w[0] >> 4) & m4) | ((w[2] >> 4) & m2) << 4;
    const uint32_t g12 = ((w[1] >> 4) & m4) | ((w[2] >> 6) & m2) << 4;
    const __m128i sc = _mm_sub_epi8(_mm_set_epi32(static_cast<int>(g12), static_cast<int>(g8),
                                                  static_cast<int>(g4), static_cast<int>(g0)),
                                    _mm_set1_epi8(32));
    k.scales = even_odd_i16(sc);
    k.per_group = _mm256_setzero_si256();
    k.d = half(b.d);
  }
  static constexpr int kPerIter = 4;
  // Chunk 4·it + K: bits 2K..2K+1 of qs[32·it + l], and bit 4·it + K of hmask[l] as 4.
  template <int K>
  static __m256i chunk(const Block& b, int it) {
    const __m256i low =
        _mm256_and_si256(_mm256_srli_epi16(load256(b.qs + 32 * it), 2 * K), splat8(3));
    const __m256i hm = shift_right(load256(b.hmask), 4 * it);
    return _mm256_or_si256(low, _mm256_and_si256(move_bits<K, 2>(hm), splat8(4)));
  }
};

// Q4_K/Q5_K chunk 2·it + K: the low (K = 0) or high nibbles of qs[32·it + l].
template <int K>
inline __m256i nibbles(const uint8_t* qs, int it) {
  const __m256i bits = load256(qs + 32 * it);
  return _mm256_and_si256(_mm256_srli_epi16(bits, 4 * K), splat8(0x0F));
}

struct UnpackQ4_K {
  using Block = block_q4_K;
  static constexpr bool kChain = true, kMins = true;
  static constexpr int kOffsetShift = 0, kLaneOffset = 0;
  static void prep(const Block& b, RowK& k) {
    prep_k4(b.scales, k);
    k.d = half(b.d);
    k.dmin = half(b.dmin);
  }
  static constexpr int kPerIter = 2;
  template <int K>
  static __m256i chunk(const Block& b, int it) {
    return nibbles<K>(b.qs, it);
  }
};

struct UnpackQ5_K {
  using Block = block_q5_K;
  static constexpr bool kChain = true, kMins = true;
  static constexpr int kOffsetShift = 0, kLaneOffset = 0;
  static void prep(const Block& b, RowK& k) {
    prep_k4(b.scales, k);
    k.d = half(b.d);
    k.dmin = half(b.dmin);
  }
  static constexpr int kPerIter = 2;
  // Q4_K's nibbles plus bit 2·it + K of qh[l] as 16.
  template <int K>
  static __m256i chunk(const Block& b, int it) {
    const __m256i qh = shift_right(load256(b.qh), 2 * it);
    return _mm256_or_si256(nibbles<K>(b.qs, it),
                           _mm256_and_si256(move_bits<K, 4>(qh), splat8(0x10)));
  }
};

struct UnpackQ6_K {
  using Block = block_q6_K;
  static constexpr bool kChain = true, kMins = false;
  static constexpr int kOffsetShift = 5, kLaneOffset = 0;  // q = value − 32
  static void prep(const Block& b, RowK& k) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    k.scales = even_odd_i16(raw);
    k.per_group = _mm256_cvtepi8_epi16(raw);
    k.d = half(b.d);
  }
  static constexpr int kPerIter = 4;
  // Chunk 4·it + K: a nibble of ql[64·it + l] (K = 0), ql[64·it + 32 + l] (K = 1) or their
  // high nibbles (K = 2, 3), and bits 2K..2K+1 of qh[32·it + l] as bits 4-5.
  template <int K>
  static __m256i chunk(const Block& b, int it) {
    const __m256i ql = load256(b.ql + 64 * it + 32 * (K % 2));
    const __m256i low = _mm256_and_si256(_mm256_srli_epi16(ql, 4 * (K / 2)), splat8(0x0F));
    const __m256i qh = load256(b.qh + 32 * it);
    return _mm256_or_si256(low, _mm256_and_si256(move_bits<2 * K, 4>(qh), splat8(0x30)));
  }
};

// Lane i = Σ of the eight int32 lanes of v[i] (exact: integer additions in any order).
inline __m256i fold8(const __m256i (&v)[8]) {
  // hadd works within 128-bit halves: after two rounds the low half holds the sums of
  // lanes 0-3 of v[0..3] (v[4..7] in the other vector), the high half those of lanes 4-7.
  const __m256i ab =
      _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
  const __m256i cd =
      _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
  return _mm256_add_epi32(_mm256_permute2x128_si256(ab, cd, 0x20),
                          _mm256_permute2x128_si256(ab, cd, 0x31));
}

// Decode streams the weights from memory once, and the hardware prefetchers alone kept it
// at the speed of the old row-by-row dots; a software prefetch a few super-blocks ahead
// (2 KiB measured best, with one row per tile) lets it go faster.
constexpr size_t kPrefetchBytes = 2048;

template <typename Block>
inline void prefetch_ahead(const Block* b) {
  const char* next = reinterpret_cast<const char*>(b) + kPrefetchBytes;
  for (size_t off = 0; off < sizeof(Block); off += 64) _mm_prefetch(next + off, _MM_HINT_T0);
}

// Chunk it·kPerIter + K of R rows against T tokens.
template <typename U, int R, int T, int K>
[[gnu::always_inline]] inline void step(const typename U::Block* const (&wb)[R],
                                        const RowK (&rk)[R], const block_q8_K* const (&ab)[T],
                                        int it, __m256i (&isum)[R][T]) {
  const int c = it * U::kPerIter + K;
  __m256i q[R], sc[R];
  for (int r = 0; r < R; ++r) {
    q[r] = U::template chunk<K>(*wb[r], it);
    sc[r] = scale_of(rk[r].scales, c);
  }
  for (int t = 0; t < T; ++t) {
    const __m256i aq = load256(ab[t]->qs + 32 * c);
    // Q3_K keeps the reference's int16 lanes: (q + 4)·a − 4·a per byte pair.
    __m256i off = _mm256_setzero_si256();
    if constexpr (U::kLaneOffset != 0) off = _mm256_maddubs_epi16(splat8(U::kLaneOffset), aq);
    for (int r = 0; r < R; ++r) {
      __m256i p16 = _mm256_maddubs_epi16(q[r], aq);
      if constexpr (U::kLaneOffset != 0) p16 = _mm256_sub_epi16(p16, off);
      isum[r][t] = _mm256_add_epi32(isum[r][t], _mm256_madd_epi16(p16, sc[r]));
    }
  }
  // One running sum per (row, token) in a register: left alone, GCC reassociates the
  // integer additions across chunks, which needs more registers than there are.
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) asm("" : "+x"(isum[r][t]));
}

// Chunks it·kPerIter + K for every K; forced inline (GCC left the Q6_K one out of line,
// which sent the running sums through memory and halved the speed).
template <typename U, int R, int T, int... K>
[[gnu::always_inline]] inline void steps(const typename U::Block* const (&wb)[R],
                                         const RowK (&rk)[R], const block_q8_K* const (&ab)[T],
                                         int it, __m256i (&isum)[R][T],
                                         std::integer_sequence<int, K...>) {
  (step<U, R, T, K>(wb, rk, ab, it, isum), ...);
}

// Results are bit-identical to the type's vec_dot (quants_k_avx2.cpp), whose order matches
// the llama.cpp kernels behind the gold logits; the integer part is exact in any order, so
// only the float steps need to follow the reference:
// - kChain (Q4_K, Q5_K, Q6_K): per super-block the exact integer sums, then
//   acc = fma(Σ, d_a·d, acc) and (mins) acc = fma(Σmin, −d_a·dmin, acc), one scalar
//   accumulator per (row, token).
// - otherwise (Q2_K, Q3_K): eight float lanes, acc = fma(−d_a·dmin, mins lanes, acc) then
//   acc = fma(d_a·d, lanes, acc), folded with hsum8 at the end.
template <typename U, int R, int T>
inline void tile_k(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y,
                   int64_t ys) {
  using Block = typename U::Block;
  __m256 acc[R][T];
  float chain[R][T];
  __m256 chain8 = _mm256_setzero_ps();
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) {
      acc[r][t] = _mm256_setzero_ps();
      chain[r][t] = 0.0f;
    }
  for (int64_t b = 0; b < nb; ++b) {
    const Block* wb[R];
    RowK rk[R];
    for (int r = 0; r < R; ++r) {
      wb[r] = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws) + b;
      if constexpr (T == 1) prefetch_ahead(wb[r]);
      U::prep(*wb[r], rk[r]);
    }
    const block_q8_K* ab[T];
    for (int t = 0; t < T; ++t)
      ab[t] = reinterpret_cast<const block_q8_K*>(a + static_cast<size_t>(t) * as) + b;

    __m256i isum[R][T];
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) isum[r][t] = _mm256_setzero_si256();
        // A real loop over groups of kPerIter chunks: fully unrolled, the body would need
        // more registers than there are.
#pragma GCC unroll 1
    for (int it = 0; it < kQK_K / 32 / U::kPerIter; ++it) {
      steps<U, R, T>(wb, rk, ab, it, isum, std::make_integer_sequence<int, U::kPerIter>{});
    }

    if constexpr (U::kChain && R == 2 && T == 4) {
      // The eight chains side by side in the lanes of one vector (lane 4r + t): the same
      // fma per lane as the scalar steps below, with the integer folds done together.
      __m256i sums[8], mins[8];
      for (int t = 0; t < T; ++t) {
        const __m256i bsums = load256(ab[t]->bsums);
        for (int r = 0; r < R; ++r) {
          const __m256i grp = _mm256_madd_epi16(rk[r].per_group, bsums);
          sums[4 * r + t] = isum[r][t];
          if constexpr (U::kOffsetShift != 0)
            sums[4 * r + t] = _mm256_sub_epi32(isum[r][t], _mm256_slli_epi32(grp, U::kOffsetShift));
          mins[4 * r + t] = grp;
        }
      }
      const __m256 ad = _mm256_setr_ps(ab[0]->d, ab[1]->d, ab[2]->d, ab[3]->d, ab[0]->d, ab[1]->d,
                                       ab[2]->d, ab[3]->d);
      const __m256 d =
          _mm256_setr_ps(rk[0].d, rk[0].d, rk[0].d, rk[0].d, rk[1].d, rk[1].d, rk[1].d, rk[1].d);
      chain8 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(fold8(sums)), _mm256_mul_ps(ad, d), chain8);
      if constexpr (U::kMins) {
        const __m256 dmin = _mm256_setr_ps(rk[0].dmin, rk[0].dmin, rk[0].dmin, rk[0].dmin,
                                           rk[1].dmin, rk[1].dmin, rk[1].dmin, rk[1].dmin);
        const __m256 neg_ad = _mm256_xor_ps(ad, _mm256_set1_ps(-0.0f));
        chain8 =
            _mm256_fmadd_ps(_mm256_cvtepi32_ps(fold8(mins)), _mm256_mul_ps(neg_ad, dmin), chain8);
      }
      continue;
    }
    for (int t = 0; t < T; ++t) {
      const __m256i bsums = load256(ab[t]->bsums);
      const float ad = ab[t]->d;
      for (int r = 0; r < R; ++r) {
        const __m256i grp = _mm256_madd_epi16(rk[r].per_group, bsums);
        if constexpr (U::kChain) {
          __m256i sum = isum[r][t];
          if constexpr (U::kOffsetShift != 0)
            sum = _mm256_sub_epi32(sum, _mm256_slli_epi32(grp, U::kOffsetShift));
          chain[r][t] = std::fma(static_cast<float>(hsum_i32(sum)), ad * rk[r].d, chain[r][t]);
          if constexpr (U::kMins)
            chain[r][t] =
                std::fma(static_cast<float>(hsum_i32(grp)), -ad * rk[r].dmin, chain[r][t]);
        } else {
          if constexpr (U::kMins)
            acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(-ad * rk[r].dmin), _mm256_cvtepi32_ps(grp),
                                        acc[r][t]);
          acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(ad * rk[r].d), _mm256_cvtepi32_ps(isum[r][t]),
                                      acc[r][t]);
        }
      }
    }
  }
  if constexpr (U::kChain && R == 2 && T == 4) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, chain8);
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) chain[r][t] = lanes[4 * r + t];
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) y[t * ys + r] = U::kChain ? chain[r][t] : hsum8(acc[r][t]);
}

// Q4_1/Q5_1 against Q8_1: w = d·q + m, so a block adds d·d_a·Σq·a + m·s with s = d_a·Σa.
// Float order as vec_dot: Q4_1 (kChain) one scalar chain, fma(Σ, d·d_a) then fma(m, s) per
// block; Q5_1 eight lanes plus an fma chain of the m·s terms, added at the end.
struct UnpackQ4_1 {
  using Block = block_q4_1;
  static constexpr bool kChain = true;
  static __m256i bytes(const Block& b) { return nibbles_32(b.qs); }
};
// Q5_1: the 5th bit (bit j of qh for element j) adds 16.
struct UnpackQ5_1 {
  using Block = block_q5_1;
  static constexpr bool kChain = false;
  static __m256i bytes(const Block& b) {
    return _mm256_or_si256(nibbles_32(b.qs), _mm256_and_si256(bits_32(b.qh), splat8(0x10)));
  }
};

template <typename U, int R, int T>
inline void tile_1(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y,
                   int64_t ys) {
  using Block = typename U::Block;
  __m256 acc[R][T];
  float chain[R][T];  // Q4_1: everything; Q5_1: the m·s terms
  constexpr bool kLaneChains = U::kChain && R == 2 && T == 4;
  __m256 chain8 = _mm256_setzero_ps();
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) {
      acc[r][t] = _mm256_setzero_ps();
      chain[r][t] = 0.0f;
    }
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t b = 0; b < nb; ++b) {
    __m256i aq[T];
    float ad[T], as_[T];
    for (int t = 0; t < T; ++t) {
      const auto& ab = reinterpret_cast<const block_q8_1*>(a + static_cast<size_t>(t) * as)[b];
      aq[t] = load256(ab.qs);
      ad[t] = half(ab.d);
      as_[t] = half(ab.s);
    }
    if constexpr (kLaneChains) {
      // As in tile_k: the eight chains in the lanes of one vector (lane 4r + t).
      __m256i p[8];
      float wd[R], wm[R];
      for (int r = 0; r < R; ++r) {
        const Block& wb = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws)[b];
        const __m256i q = U::bytes(wb);
        wd[r] = half(wb.d);
        wm[r] = half(wb.m);
        for (int t = 0; t < T; ++t)
          p[4 * r + t] = _mm256_madd_epi16(_mm256_maddubs_epi16(q, aq[t]), ones);
      }
      const __m256 ad8 = _mm256_setr_ps(ad[0], ad[1], ad[2], ad[3], ad[0], ad[1], ad[2], ad[3]);
      const __m256 as8 =
          _mm256_setr_ps(as_[0], as_[1], as_[2], as_[3], as_[0], as_[1], as_[2], as_[3]);
      const __m256 wd8 = _mm256_setr_ps(wd[0], wd[0], wd[0], wd[0], wd[1], wd[1], wd[1], wd[1]);
      const __m256 wm8 = _mm256_setr_ps(wm[0], wm[0], wm[0], wm[0], wm[1], wm[1], wm[1], wm[1]);
      chain8 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(fold8(p)), _mm256_mul_ps(wd8, ad8), chain8);
      chain8 = _mm256_fmadd_ps(wm8, as8, chain8);
      continue;
    }
    for (int r = 0; r < R; ++r) {
      const Block& wb = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws)[b];
      if constexpr (T == 1) prefetch_ahead(&wb);
      const __m256i q = U::bytes(wb);
      const float wd = half(wb.d), wm = half(wb.m);
      for (int t = 0; t < T; ++t) {
        const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(q, aq[t]), ones);
        if constexpr (U::kChain) {
          chain[r][t] = std::fma(static_cast<float>(hsum_i32(p)), wd * ad[t], chain[r][t]);
        } else {
          acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(wd * ad[t]), _mm256_cvtepi32_ps(p), acc[r][t]);
        }
        chain[r][t] = std::fma(wm, as_[t], chain[r][t]);
      }
    }
  }
  if constexpr (kLaneChains) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, chain8);
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) chain[r][t] = lanes[4 * r + t];
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t)
      y[t * ys + r] = U::kChain ? chain[r][t] : hsum8(acc[r][t]) + chain[r][t];
}

// Covers the n_rows × n_tok rectangle: groups of R rows (their weights stay in L1 while
// every token passes), tokens T at a time, then the edges with smaller tiles.
template <template <typename, int, int> class Tile, typename U, int R, int T>
void tokens(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, int64_t n_tok,
            float* y, int64_t ys) {
  int64_t t = 0;
  for (; t + T <= n_tok; t += T) Tile<U, R, T>::run(nb, w, ws, a + t * as, as, y + t * ys, ys);
  if constexpr (T > 1) {
    for (; t < n_tok; ++t) Tile<U, R, 1>::run(nb, w, ws, a + t * as, as, y + t * ys, ys);
  }
}

template <typename U, int R, int T>
struct TileK {
  static void run(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y,
                  int64_t ys) {
    tile_k<U, R, T>(nb, w, ws, a, as, y, ys);
  }
};
template <typename U, int R, int T>
struct Tile1 {
  static void run(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y,
                  int64_t ys) {
    tile_1<U, R, T>(nb, w, ws, a, as, y, ys);
  }
};

template <template <typename, int, int> class Tile, typename U, int R, int T>
void gemm(int64_t nb, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
          int64_t n_tok, float* y, int64_t ys) {
  int64_t r = 0;
  for (; r + R <= n_rows; r += R)
    tokens<Tile, U, R, T>(nb, w + r * ws, ws, a, as, n_tok, y + r, ys);
  for (; r < n_rows; ++r) tokens<Tile, U, 1, T>(nb, w + r * ws, ws, a, as, n_tok, y + r, ys);
}

// The other loop order: T tokens at a time outermost, all rows inside, so a tile's
// activations stay in L1 while the call's rows (at most 16 in matmul) pass from L2.
template <template <typename, int, int> class Tile, typename U, int R, int T>
void rows_of(int64_t nb, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
             float* y, int64_t ys) {
  int64_t r = 0;
  for (; r + R <= n_rows; r += R) Tile<U, R, T>::run(nb, w + r * ws, ws, a, as, y + r, ys);
  for (; r < n_rows; ++r) Tile<U, 1, T>::run(nb, w + r * ws, ws, a, as, y + r, ys);
}
template <template <typename, int, int> class Tile, typename U, int R, int T>
void gemm_tokens_outer(int64_t nb, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a,
                       size_t as, int64_t n_tok, float* y, int64_t ys) {
  int64_t t = 0;
  for (; t + T <= n_tok; t += T)
    rows_of<Tile, U, R, T>(nb, w, ws, n_rows, a + t * as, as, y + t * ys, ys);
  for (; t < n_tok; ++t) rows_of<Tile, U, R, 1>(nb, w, ws, n_rows, a + t * as, as, y + t * ys, ys);
}

// Prompts: 2 rows × 4 tokens, which measured fastest (each unpacked chunk serves four
// tokens; 8 int32 sums plus 4 activation registers leave room for the rest), tokens
// outermost (a few percent faster than rows outermost, more where n is large). Decode and
// short batches: one row at a time, rows outermost, since there the weights come from
// memory, and a single sequential stream (with prefetch) read about twice as fast as 2 or
// 4 rows side by side.
template <template <typename, int, int> class Tile, typename U>
void gemm_any(int64_t nb, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
              int64_t n_tok, float* y, int64_t ys) {
  if (n_tok >= 4) {
    gemm_tokens_outer<Tile, U, 2, 4>(nb, w, ws, n_rows, a, as, n_tok, y, ys);
  } else {
    gemm<Tile, U, 1, 1>(nb, w, ws, n_rows, a, as, n_tok, y, ys);
  }
}

}  // namespace

void gemm_q2_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<TileK, UnpackQ2_K>(n / kQK_K, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q3_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<TileK, UnpackQ3_K>(n / kQK_K, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q4_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<TileK, UnpackQ4_K>(n / kQK_K, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q5_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<TileK, UnpackQ5_K>(n / kQK_K, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q6_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<TileK, UnpackQ6_K>(n / kQK_K, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q4_1_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<Tile1, UnpackQ4_1>(n / kQK4_1, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q5_1_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm_any<Tile1, UnpackQ5_1>(n / kQK5_1, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

}  // namespace tq::quants
