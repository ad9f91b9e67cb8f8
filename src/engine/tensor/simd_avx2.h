// Helpers shared by the *_avx2.cpp kernel files (include only from files compiled with
// -mavx2 -mfma -mf16c). Each mirrors a helper of ggml's x86 code so the kernels built on
// them produce the same int32 lanes and the same float reduction order (lane_order.h).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace tq::quants::avx2 {

// hsum_float_8: ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
inline float hsum8(__m256 v) {
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

// Eight int32 lanes of unsigned-by-signed byte products (lane k = bytes 4k..4k+3). The
// pairwise int16 step cannot saturate for the operand ranges our formats produce.
inline __m256i lane_dot_u8(__m256i ux, __m256i sy) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(ux, sy), _mm256_set1_epi16(1));
}

// Same for signed-by-signed bytes (|x| <= 127), via the sign trick of mul_sum_i8_pairs.
inline __m256i lane_dot_i8(__m256i x, __m256i y) {
  return lane_dot_u8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// 32 nibbles → 32 bytes: low nibbles of the 16 bytes first, then the high nibbles.
inline __m256i nibbles_32(const uint8_t* p) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// 32 bits → 32 bytes of 0xFF (bit set) or 0x00.
inline __m256i bits_32(const uint8_t* p) {
  uint32_t w;
  std::memcpy(&w, p, sizeof w);
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(w)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
  const __m256i probe = _mm256_or_si256(spread, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
  return _mm256_cmpeq_epi8(probe, _mm256_set1_epi64x(-1));
}

// Σ of eight int32 lanes. Integer addition is exact, so any fold order gives the same value;
// used where the reference kernel turns a whole block's integer sum into one float.
inline int32_t hsum_i32(__m256i v) {
  __m128i r = _mm_add_epi32(_mm256_extracti128_si256(v, 1), _mm256_castsi256_si128(v));
  r = _mm_add_epi32(r, _mm_unpackhi_epi64(r, r));
  r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 1));
  return _mm_cvtsi128_si32(r);
}

inline __m256i load256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

}  // namespace tq::quants::avx2
