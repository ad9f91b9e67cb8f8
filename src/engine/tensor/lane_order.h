// The float reduction orders of ggml's x86 kernels, written out for the scalar references.
// (Q4_0/Q4_1/Q8_0/Q4_K/Q5_K/Q6_K do not use these: the reference ran them through its AMX
// kernels, which keep one scalar accumulator per output; see quants_legacy.cpp/quants_k.cpp.)
//
// llama.cpp's AVX2 dot products keep eight float lanes and fold them at the end with
// hsum_float_8 (ggml-cpu-quants.c): upper 128 bits added onto the lower, then movehl,
// then movehdup, i.e. ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)). The F16/F32/BF16 dots of an
// AVX-512 build fold 16 lanes with _mm512_reduce_add_ps, which GCC and clang both lower to
// the halving tree "upper 256 onto lower 256, then as above". Float addition is not
// associative, so reproducing these trees is what makes our sums bit-identical to theirs.
#pragma once

#include <cstdint>
#include <cstring>

namespace tq::quants {

inline float hsum8(const float l[8]) {
  return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

// _mm512_reduce_add_ps.
inline float hsum16(const float l[16]) {
  float folded[8];
  for (int i = 0; i < 8; ++i) folded[i] = l[i] + l[i + 8];
  return hsum8(folded);
}

// Integer lane sums of a 32-byte product as maddubs+madd (or VNNI dpbusd) form them:
// lane k = Σ x[4k+t]·y[4k+t], t = 0..3. Exact in int32, so any evaluation order agrees.
inline void lane_sums_32(const int8_t x[32], const int8_t y[32], int32_t lanes[8]) {
  for (int k = 0; k < 8; ++k) {
    int32_t s = 0;
    for (int t = 0; t < 4; ++t) s += x[4 * k + t] * y[4 * k + t];
    lanes[k] = s;
  }
}

}  // namespace tq::quants
