// Helpers shared by the *_avx512.cpp kernel files (include only from files compiled with
// the AVX-512 flags; see src/engine/CMakeLists.txt).
#pragma once

#include <immintrin.h>

namespace tq::quants::avx512 {

// Eight vectors of two 8-lane int32 groups (lanes 0-7, 8-15) → one vector of the 16 group
// sums: source v, group g lands in quarter 2·(v / 4) + g at position v % 4. 21 instructions
// for 16 sums, where one horizontal sum each would take about five. Integer additions, so
// exact in any order.
inline __m512i fold16(const __m512i (&x)[8]) {
  __m512i u[4], w[2];
  // Per 128-bit quarter: [x0+x2, y0+y2, x1+x3, y1+y3] of each source pair (x, y).
  for (int i = 0; i < 4; ++i)
    u[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(x[2 * i], x[2 * i + 1]),
                            _mm512_unpackhi_epi32(x[2 * i], x[2 * i + 1]));
  // Per quarter: the quarter's sum of each of four sources.
  for (int i = 0; i < 2; ++i)
    w[i] = _mm512_add_epi32(_mm512_unpacklo_epi64(u[2 * i], u[2 * i + 1]),
                            _mm512_unpackhi_epi64(u[2 * i], u[2 * i + 1]));
  // A group is two quarters: add quarters (0, 1) and (2, 3) of both.
  return _mm512_add_epi32(_mm512_shuffle_i32x4(w[0], w[1], 0x88),
                          _mm512_shuffle_i32x4(w[0], w[1], 0xDD));
}

}  // namespace tq::quants::avx512
