// AVX2 dot products of the 32-weight block formats, bit-identical to the scalar
// references in quants_legacy.cpp (and so to the llama.cpp kernels they both mirror:
// the AMX mmq.cpp order for Q4_0/Q4_1/Q8_0, the AVX2 lane order for Q5_0/Q5_1).
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants_simd.h"
#include "engine/tensor/simd_avx2.h"

namespace tq::quants {

using namespace avx2;

namespace {

// Shared loop of the formats ggml runs through its AMX kernels (Q4_0, Q8_0): one scalar
// accumulator, acc = fma(float(block integer sum), d_x·d_y, acc) per block.
template <typename Block, typename Unpack>
float dot_block_chain(int64_t n, const Block* x, const block_q8_0* y, Unpack unpack) {
  float acc = 0.0f;
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const float d = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    const int32_t sumi = hsum_i32(lane_dot_i8(unpack(x[i]), load256(y[i].qs)));
    acc = std::fma(static_cast<float>(sumi), d, acc);
  }
  return acc;
}

// Shared loop of the symmetric formats on the ordinary path (Q5_0):
// acc = fma(d_x·d_y, lanes(x_bytes, y), acc).
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
  return dot_block_chain(n, static_cast<const block_q8_0*>(vx), static_cast<const block_q8_0*>(vy),
                         [](const block_q8_0& b) { return load256(b.qs); });
}

float vec_dot_q4_0_q8_0_avx2(int64_t n, const void* vx, const void* vy) {
  return dot_block_chain(
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

// Q4_1 (AMX kernel): per block the quants' FMA, then the offset's m·s FMA, one accumulator.
float vec_dot_q4_1_q8_1_avx2(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q4_1*>(vx);
  const auto* y = static_cast<const block_q8_1*>(vy);
  float acc = 0.0f;
  for (int64_t i = 0; i < n / kQK8_1; ++i) {
    const float d = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    const int32_t sumi = hsum_i32(lane_dot_u8(nibbles_32(x[i].qs), load256(y[i].qs)));
    acc = std::fma(static_cast<float>(sumi), d, acc);
    acc = std::fma(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), acc);
  }
  return acc;
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
