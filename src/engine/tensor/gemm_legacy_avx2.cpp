// Fast tiles for the 32-weight formats whose activations are Q8_0 (Q8_0, Q4_0, Q5_0):
// R weight rows × T activation rows per pass over the blocks, the block's integer products
// formed with ggml's sign trick (|w| as unsigned bytes, a with w's sign) so maddubs never
// saturates, and the float steps after them exactly those of the reference kernel
// (quants_legacy*.cpp), so results are bit-identical to it.
#include <immintrin.h>

#include <cmath>

#include "engine/tensor/blocks.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

// Decode reads each weight once from memory; prefetching this far ahead of the block in
// use keeps a stream going that the hardware prefetchers alone do not (measured on Zen).
constexpr size_t kPrefetchAhead = 2048;

inline float half(half_bits h) {
  return _cvtsh_ss(h);
}

// Signed int8 weights of one block, as the tile needs them: the bytes and the scale.
// Block b of each of T activation rows: the int8 values and the scale.
template <int T>
inline void load_activations(const uint8_t* a, size_t as, int64_t b, __m256i aq[T], float ad[T]) {
  for (int t = 0; t < T; ++t) {
    const auto& ab = reinterpret_cast<const block_q8_0*>(a + static_cast<size_t>(t) * as)[b];
    aq[t] = load256(ab.qs);
    ad[t] = half(ab.d);
  }
}

// lane_dot_i8(wq, aq) with |wq| computed once per weight block for all the tile's tokens.
inline __m256i lane_dot_abs(__m256i wabs, __m256i wq, __m256i aq) {
  return lane_dot_u8(wabs, _mm256_sign_epi8(aq, wq));
}

// kChain: the reference (llama.cpp's AMX kernel order) keeps one float per output and adds
// each block's whole integer sum as fma(float(sum), d_w·d_a, acc). Otherwise (Q5_0) eight
// float lanes take fma(d_w·d_a, float(lane sums), acc) and are folded by hsum8 at the end.
struct UnpackQ8_0 {
  static constexpr bool kChain = true;
  using Block = block_q8_0;
  static __m256i bytes(const Block& b) { return load256(b.qs); }
};
struct UnpackQ4_0 {
  static constexpr bool kChain = true;
  using Block = block_q4_0;
  static __m256i bytes(const Block& b) {
    return _mm256_sub_epi8(nibbles_32(b.qs), _mm256_set1_epi8(8));
  }
};
// Q5_0: nibble | 0xF0 where the 5th bit is clear is exactly nibble + 16·bit − 16 as int8.
struct UnpackQ5_0 {
  static constexpr bool kChain = false;
  using Block = block_q5_0;
  static __m256i bytes(const Block& b) {
    const __m256i high =
        _mm256_andnot_si256(bits_32(b.qh), _mm256_set1_epi8(static_cast<char>(0xF0)));
    return _mm256_or_si256(nibbles_32(b.qs), high);
  }
};

template <typename U, int R, int T>
inline void tile_lanes(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as,
                       float* y, int64_t ys) {
  using Block = typename U::Block;
  __m256 acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    __m256i aq[T];
    float ad[T];
    load_activations<T>(a, as, b, aq, ad);
    for (int r = 0; r < R; ++r) {
      const Block& wb = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws)[b];
      if constexpr (R == 1)
        _mm_prefetch(reinterpret_cast<const char*>(&wb) + kPrefetchAhead, _MM_HINT_T0);
      const __m256i wq = U::bytes(wb);
      const __m256i wabs = _mm256_sign_epi8(wq, wq);
      const float wd = half(wb.d);
      for (int t = 0; t < T; ++t) {
        const __m256i p = lane_dot_abs(wabs, wq, aq[t]);
        acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(wd * ad[t]), _mm256_cvtepi32_ps(p), acc[r][t]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) y[t * ys + r] = hsum8(acc[r][t]);
}

// Eight vectors of int32 lanes → one vector whose lane k is the sum of p[k]'s lanes.
inline __m256i sum_each(const __m256i p[8]) {
  const __m256i h0 =
      _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
  const __m256i h1 =
      _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));
  // h0 = [p0..p3 sums of the low 128 bits | p0..p3 sums of the high 128 bits], h1 likewise.
  return _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20),
                          _mm256_permute2x128_si256(h0, h1, 0x31));
}

// The reference's scalar chain for R×T ≤ 8 outputs at once: lane k = r·T + t of one float
// vector is output (r, t)'s accumulator, so every lane sees exactly the reference's steps.
template <typename U, int R, int T>
inline void tile_chain(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as,
                       float* y, int64_t ys) {
  static_assert(R * T <= 8, "one lane per output");
  using Block = typename U::Block;
  if constexpr (R == 1 && T == 1) {
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
      const auto& ab = reinterpret_cast<const block_q8_0*>(a)[b];
      const Block& wb = reinterpret_cast<const Block*>(w)[b];
      _mm_prefetch(reinterpret_cast<const char*>(&wb) + kPrefetchAhead, _MM_HINT_T0);
      const __m256i wq = U::bytes(wb);
      const __m256i p = lane_dot_i8(wq, load256(ab.qs));
      acc = std::fma(static_cast<float>(hsum_i32(p)), half(wb.d) * half(ab.d), acc);
    }
    y[0] = acc;
    return;
  } else {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      __m256i aq[T];
      float ad[T];
      load_activations<T>(a, as, b, aq, ad);
      __m256i p[8];
      float wd[R];
      for (int r = 0; r < R; ++r) {
        const Block& wb = reinterpret_cast<const Block*>(w + static_cast<size_t>(r) * ws)[b];
        if constexpr (R == 1)
          _mm_prefetch(reinterpret_cast<const char*>(&wb) + kPrefetchAhead, _MM_HINT_T0);
        const __m256i wq = U::bytes(wb);
        const __m256i wabs = _mm256_sign_epi8(wq, wq);
        wd[r] = half(wb.d);
        for (int t = 0; t < T; ++t) p[r * T + t] = lane_dot_abs(wabs, wq, aq[t]);
      }
      for (int k = R * T; k < 8; ++k) p[k] = _mm256_setzero_si256();
      // d_w·d_a per output, rounded as the reference's scalar product.
      auto d = [&](int k) { return k < R * T ? wd[k / T] * ad[k % T] : 0.0f; };
      const __m256 dv = _mm256_setr_ps(d(0), d(1), d(2), d(3), d(4), d(5), d(6), d(7));
      acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum_each(p)), dv, acc);
    }
    alignas(32) float out[8];
    _mm256_store_ps(out, acc);
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) y[t * ys + r] = out[r * T + t];
  }
}

template <typename U, int R, int T>
inline void tile(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y,
                 int64_t ys) {
  if constexpr (U::kChain) {
    tile_chain<U, R, T>(nb, w, ws, a, as, y, ys);
  } else {
    tile_lanes<U, R, T>(nb, w, ws, a, as, y, ys);
  }
}

// Covers the n_rows × n_tok rectangle. Prompts: groups of four rows (their weights stay in
// L1 while every token passes), tokens two at a time, then the edges with smaller tiles.
// Decode (up to four tokens): one row at a time with every token — a single prefetched
// stream read faster than four interleaved ones on the machine this was measured on (user
// time −35% on a 0.5B model).
template <typename U, int R>
void tokens(int64_t nb, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, int64_t n_tok,
            float* y, int64_t ys) {
  int64_t t = 0;
  for (; t + 2 <= n_tok; t += 2) tile<U, R, 2>(nb, w, ws, a + t * as, as, y + t * ys, ys);
  if (t < n_tok) tile<U, R, 1>(nb, w, ws, a + t * as, as, y + t * ys, ys);
}

template <typename U>
void gemm(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* a, size_t as,
          int64_t n_tok, float* y, int64_t ys) {
  const int64_t nb = n / kQK8_0;
  if (n_tok <= 4) {
    // Decoding one to four sequences: memory-bound, so every row is streamed once with all
    // the tokens side by side.
    for (int64_t r = 0; r < n_rows; ++r) {
      const uint8_t* wr = w + r * ws;
      switch (n_tok) {
        case 1:
          tile<U, 1, 1>(nb, wr, ws, a, as, y + r, ys);
          break;
        case 2:
          tile<U, 1, 2>(nb, wr, ws, a, as, y + r, ys);
          break;
        case 3:
          tile<U, 1, 3>(nb, wr, ws, a, as, y + r, ys);
          break;
        default:
          tile<U, 1, 4>(nb, wr, ws, a, as, y + r, ys);
          break;
      }
    }
    return;
  }
  int64_t r = 0;
  for (; r + 4 <= n_rows; r += 4) tokens<U, 4>(nb, w + r * ws, ws, a, as, n_tok, y + r, ys);
  for (; r < n_rows; ++r) tokens<U, 1>(nb, w + r * ws, ws, a, as, n_tok, y + r, ys);
}

}  // namespace

void gemm_q8_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm<UnpackQ8_0>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q4_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm<UnpackQ4_0>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

void gemm_q5_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride) {
  gemm<UnpackQ5_0>(n, w, w_stride, n_rows, a, a_stride, n_tok, y, y_stride);
}

}  // namespace tq::quants
