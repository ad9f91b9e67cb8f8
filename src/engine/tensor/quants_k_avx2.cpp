// AVX2 dot products of the K-quants against Q8_K, bit-identical to the scalar references
// in quants_k.cpp. The structure follows ggml's AVX2 kernels: each 32-weight chunk is
// unpacked to unsigned bytes, multiplied with maddubs, weighted by the group scale with
// madd (one scale per 16 bytes) into eight int32 lanes; the float steps per block and the
// final folds are the ones documented in quants_k.cpp (AMX order for Q4_K/Q5_K/Q6_K, AVX2
// lane order for Q2_K/Q3_K).
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/k_scales.h"
#include "engine/tensor/quants_simd.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

// Lanes of one 32-weight chunk (groups g, g+1): scale[g] on bytes 0-15, scale[g+1] on 16-31.
// `qu` holds q + offset ≥ 0; the offset's share is taken out with a second maddubs.
inline __m256i chunk_lanes(__m256i qu, int offset, const int8_t* y, const int16_t* scale) {
  const __m256i yv = load256(y);
  __m256i p16 = _mm256_maddubs_epi16(qu, yv);
  if (offset != 0)
    p16 = _mm256_sub_epi16(p16,
                           _mm256_maddubs_epi16(_mm256_set1_epi8(static_cast<char>(offset)), yv));
  const __m256i sc = _mm256_set_m128i(_mm_set1_epi16(scale[1]), _mm_set1_epi16(scale[0]));
  return _mm256_madd_epi16(sc, p16);
}

inline __m256 fma_lanes(float d, __m256i sumi, __m256 acc) {
  return _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
}

// Functions, not namespace-scope constants: a static initialiser here would run AVX2 code
// at start-up on CPUs without it.
inline __m256i low2() {
  return _mm256_set1_epi8(3);
}
inline __m256i low4() {
  return _mm256_set1_epi8(0x0F);
}

// Selects bit `bit` of every byte of v as 0/1.
inline __m256i bit_of(__m256i v, int bit) {
  return _mm256_and_si256(_mm256_srli_epi16(v, bit), _mm256_set1_epi8(1));
}

__m256i q2_lanes(const block_q2_K& b, const int8_t* y, const KScales& s) {
  __m256i sumi = _mm256_setzero_si256();
  for (int j = 0; j < 2; ++j) {
    const __m256i bits = load256(b.qs + 32 * j);
    for (int r = 0; r < 4; ++r) {
      const int c = 4 * j + r;
      const __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * r), low2());
      sumi = _mm256_add_epi32(sumi, chunk_lanes(q, 0, y + 32 * c, s.scale + 2 * c));
    }
  }
  return sumi;
}

// Q3_K: q = low2 − 4·(hmask bit clear) = (low2 + 4·bit) − 4, so bytes low2 | bit<<2 with
// offset 4.
__m256i q3_lanes(const block_q3_K& b, const int8_t* y, const KScales& s) {
  const __m256i hbits = load256(b.hmask);
  __m256i sumi = _mm256_setzero_si256();
  for (int j = 0; j < 2; ++j) {
    const __m256i bits = load256(b.qs + 32 * j);
    for (int r = 0; r < 4; ++r) {
      const int c = 4 * j + r;
      const __m256i low = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * r), low2());
      const __m256i q = _mm256_or_si256(low, _mm256_slli_epi16(bit_of(hbits, c), 2));
      sumi = _mm256_add_epi32(sumi, chunk_lanes(q, 4, y + 32 * c, s.scale + 2 * c));
    }
  }
  return sumi;
}

// Q4_K/Q5_K: 32 bytes of qs give chunk 2j (low nibbles) and 2j+1 (high nibbles); Q5_K adds
// bit c of qh[b] as 16.
template <bool kFifthBit, typename Block>
__m256i q45_lanes(const Block& b, const uint8_t* qh, const int8_t* y, const KScales& s) {
  const __m256i hbits = kFifthBit ? load256(qh) : _mm256_setzero_si256();
  __m256i sumi = _mm256_setzero_si256();
  for (int j = 0; j < 4; ++j) {
    const __m256i bits = load256(b.qs + 32 * j);
    for (int h = 0; h < 2; ++h) {
      const int c = 2 * j + h;
      __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 4 * h), low4());
      if (kFifthBit) q = _mm256_or_si256(q, _mm256_slli_epi16(bit_of(hbits, c), 4));
      sumi = _mm256_add_epi32(sumi, chunk_lanes(q, 0, y + 32 * c, s.scale + 2 * c));
    }
  }
  return sumi;
}

// Q6_K: chunk 4j+r takes a nibble of ql (r = 0,1 low nibbles of ql[64j], ql[64j+32];
// r = 2,3 their high nibbles) and bits 2r..2r+1 of qh[32j + b]; q = value − 32.
__m256i q6_lanes(const block_q6_K& b, const int8_t* y, const KScales& s) {
  __m256i sumi = _mm256_setzero_si256();
  for (int j = 0; j < 2; ++j) {
    const __m256i ql0 = load256(b.ql + 64 * j);
    const __m256i ql1 = load256(b.ql + 64 * j + 32);
    const __m256i qh = load256(b.qh + 32 * j);
    for (int r = 0; r < 4; ++r) {
      const int c = 4 * j + r;
      const __m256i ql = (r % 2 == 0) ? ql0 : ql1;
      const __m256i low = _mm256_and_si256(_mm256_srli_epi16(ql, 4 * (r / 2)), low4());
      const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * r), low2());
      const __m256i q = _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
      sumi = _mm256_add_epi32(sumi, chunk_lanes(q, 32, y + 32 * c, s.scale + 2 * c));
    }
  }
  return sumi;
}

// Q4_K/Q5_K min products per pair of sub-blocks (as _mm_hadd_epi16 + _mm_madd_epi16).
inline void min_products(const KScales& s, const int16_t* bsums, int32_t out[4]) {
  for (int p = 0; p < 4; ++p)
    out[p] = s.min[4 * p] * (bsums[4 * p] + bsums[4 * p + 1]) +
             s.min[4 * p + 2] * (bsums[4 * p + 2] + bsums[4 * p + 3]);
}

}  // namespace

float vec_dot_q2_K_q8_K_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q2_K*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  __m256 acc = _mm256_setzero_ps();
  KScales s;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k_scales(x[i], s);
    const float d = y[i].d * fp16_to_fp32(x[i].d);
    const float dmin = -y[i].d * fp16_to_fp32(x[i].dmin);
    const __m256i mins = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.min));
    const __m256i prod = _mm256_madd_epi16(mins, load256(y[i].bsums));
    acc = fma_lanes(dmin, prod, acc);
    acc = fma_lanes(d, q2_lanes(x[i], y[i].qs, s), acc);
  }
  return hsum8(acc);
}

float vec_dot_q3_K_q8_K_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q3_K*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  __m256 acc = _mm256_setzero_ps();
  KScales s;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k_scales(x[i], s);
    acc = fma_lanes(y[i].d * fp16_to_fp32(x[i].d), q3_lanes(x[i], y[i].qs, s), acc);
  }
  return hsum8(acc);
}

// Q4_K/Q5_K/Q6_K: the AMX order of quants_k.cpp's vec_dot_k_amx — per super-block the
// lanes are folded to one exact int32, then one FMA for the quants and (Q4_K/Q5_K) one for
// the mins, into a single scalar accumulator.
namespace {

// Q4_K and Q5_K share everything but the fifth bit (Q5_K's qh).
template <typename Block, bool kFifthBit>
float vec_dot_q45_K_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const Block*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  float acc = 0.0f;
  KScales s;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k_scales(x[i], s);
    const uint8_t* qh = nullptr;
    if constexpr (kFifthBit) qh = x[i].qh;
    const int32_t sumi = hsum_i32(q45_lanes<kFifthBit>(x[i], qh, y[i].qs, s));
    acc = std::fma(static_cast<float>(sumi), y[i].d * fp16_to_fp32(x[i].d), acc);
    int32_t prod[4];
    min_products(s, y[i].bsums, prod);
    const int32_t summ = prod[0] + prod[1] + prod[2] + prod[3];
    acc = std::fma(static_cast<float>(summ), -y[i].d * fp16_to_fp32(x[i].dmin), acc);
  }
  return acc;
}

}  // namespace

float vec_dot_q4_K_q8_K_avx2(int64_t n, const void* vx, const void* vy) {
  return vec_dot_q45_K_avx2<block_q4_K, false>(n, vx, vy);
}

float vec_dot_q5_K_q8_K_avx2(int64_t n, const void* vx, const void* vy) {
  return vec_dot_q45_K_avx2<block_q5_K, true>(n, vx, vy);
}

float vec_dot_q6_K_q8_K_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q6_K*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  float acc = 0.0f;
  KScales s;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    k_scales(x[i], s);
    const int32_t sumi = hsum_i32(q6_lanes(x[i], y[i].qs, s));
    acc = std::fma(static_cast<float>(sumi), y[i].d * fp16_to_fp32(x[i].d), acc);
  }
  return acc;
}

}  // namespace tq::quants
