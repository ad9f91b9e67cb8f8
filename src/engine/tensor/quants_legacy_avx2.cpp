// AVX2 dot products of the 32-weight block formats, bit-identical to the scalar
// references in quants_legacy.cpp (and so to ggml's AVX2 kernels they both mirror).
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants_simd.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

// Shared loop of the symmetric formats: acc = fma(d_x·d_y, lanes(x_bytes, y), acc).
template <typename Block, typename Unpack>
float dot_symmetric(int64_t n, const Block* x, const block_q8_0* y, Unpack unpack) {
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const __m256 d = _mm256_set1_ps(fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
    const __m256i q = lane_dot_i8(unpack(x[i]), load256(y[i].qs));
    acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(q), acc);
  }
  return hsum8(acc);
}

// Shared loop of the formats with an offset: unsigned weights, m·s summed on the side.
template <typename Block, typename Unpack>
float dot_with_min(int64_t n, const Block* x, const block_q8_1* y, Unpack unpack) {
  __m256 acc = _mm256_setzero_ps();
  float summs = 0.0f;
  for (int64_t i = 0; i < n / kQK8_1; ++i) {
    summs = std::fma(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), summs);
    const __m256 d = _mm256_set1_ps(fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
    const __m256i q = lane_dot_u8(unpack(x[i]), load256(y[i].qs));
    acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(q), acc);
  }
  return hsum8(acc) + summs;
}

}  // namespace

float vec_dot_q8_0_q8_0_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_symmetric(n, static_cast<const block_q8_0*>(vx), static_cast<const block_q8_0*>(vy),
                       [](const block_q8_0& b) { return load256(b.qs); });
}

float vec_dot_q4_0_q8_0_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_symmetric(
      n, static_cast<const block_q4_0*>(vx), static_cast<const block_q8_0*>(vy),
      [](const block_q4_0& b) { return _mm256_sub_epi8(nibbles_32(b.qs), _mm256_set1_epi8(8)); });
}

// Q5_0: nibble | 0xF0 where the 5th bit is clear is exactly nibble + 16·bit − 16 as int8.
float vec_dot_q5_0_q8_0_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_symmetric(n, static_cast<const block_q5_0*>(vx), static_cast<const block_q8_0*>(vy),
                       [](const block_q5_0& b) {
                         const __m256i high = _mm256_andnot_si256(
                             bits_32(b.qh), _mm256_set1_epi8(static_cast<char>(0xF0)));
                         return _mm256_or_si256(nibbles_32(b.qs), high);
                       });
}

float vec_dot_q4_1_q8_1_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_with_min(n, static_cast<const block_q4_1*>(vx), static_cast<const block_q8_1*>(vy),
                      [](const block_q4_1& b) { return nibbles_32(b.qs); });
}

float vec_dot_q5_1_q8_1_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_with_min(n, static_cast<const block_q5_1*>(vx), static_cast<const block_q8_1*>(vy),
                      [](const block_q5_1& b) {
                        const __m256i high =
                            _mm256_and_si256(bits_32(b.qh), _mm256_set1_epi8(0x10));
                        return _mm256_or_si256(nibbles_32(b.qs), high);
                      });
}

}  // namespace tq::quants
