// Quantised block layouts of the GGUF/ggml formats, byte for byte as they sit in a file.
// Every struct is a plain aggregate of byte-sized arrays and 16/32-bit fields whose natural
// alignment already yields the file layout (no padding), which the static_asserts pin down.
// Halves are stored as raw IEEE binary16 bits; convert with tq::fp16_to_fp32.
//
// Naming follows ggml (block_q4_0, …) on purpose: these are the format's own names and
// keeping them makes every kernel easy to check against the format description.
#pragma once

#include <cstdint>

namespace tq {

using half_bits = uint16_t;  // IEEE binary16, little-endian in files

// ---- Legacy formats: blocks of 32 weights, one scale (and offset) per block. ----
inline constexpr int kQK4_0 = 32;
inline constexpr int kQK4_1 = 32;
inline constexpr int kQK5_0 = 32;
inline constexpr int kQK5_1 = 32;
inline constexpr int kQK8_0 = 32;
inline constexpr int kQK8_1 = 32;

// Q4_0 — 4.5 bits/weight. w = d * (q - 8), q in 0..15. Element j of the block sits in the
// low nibble of qs[j] for j < 16 and in the high nibble of qs[j-16] for j >= 16.
struct block_q4_0 {
  half_bits d;
  uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(block_q4_0) == sizeof(half_bits) + kQK4_0 / 2, "q4_0 layout");

// Q4_1 — 5 bits/weight. w = d * q + m, q in 0..15; same nibble order as Q4_0.
struct block_q4_1 {
  half_bits d;
  half_bits m;
  uint8_t qs[kQK4_1 / 2];
};
static_assert(sizeof(block_q4_1) == 2 * sizeof(half_bits) + kQK4_1 / 2, "q4_1 layout");

// Q5_0 — 5.5 bits/weight. w = d * (q - 16), q in 0..31: low 4 bits as in Q4_0, the 5th bit
// of element j is bit j of the little-endian 32-bit word qh.
struct block_q5_0 {
  half_bits d;
  uint8_t qh[4];
  uint8_t qs[kQK5_0 / 2];
};
static_assert(sizeof(block_q5_0) == sizeof(half_bits) + 4 + kQK5_0 / 2, "q5_0 layout");

// Q5_1 — 6 bits/weight. w = d * q + m, q in 0..31; bits as in Q5_0.
struct block_q5_1 {
  half_bits d;
  half_bits m;
  uint8_t qh[4];
  uint8_t qs[kQK5_1 / 2];
};
static_assert(sizeof(block_q5_1) == 2 * sizeof(half_bits) + 4 + kQK5_1 / 2, "q5_1 layout");

// Q8_0 — 8.5 bits/weight. w = d * q, q in -127..127. Also the activation type of Q4_0,
// Q5_0 and Q8_0 weights.
struct block_q8_0 {
  half_bits d;
  int8_t qs[kQK8_0];
};
static_assert(sizeof(block_q8_0) == sizeof(half_bits) + kQK8_0, "q8_0 layout");

// Q8_1 — 9 bits/weight; activation type of Q4_1/Q5_1. s = d * sum(qs) lets the dot
// product add the weight block's offset m as m * s instead of per element.
struct block_q8_1 {
  half_bits d;
  half_bits s;
  int8_t qs[kQK8_1];
};
static_assert(sizeof(block_q8_1) == 2 * sizeof(half_bits) + kQK8_1, "q8_1 layout");

// ---- K-quants: super-blocks of 256 weights split into 16 or 8 sub-blocks whose scales
// (and mins) are themselves quantised against the super-block's d (and dmin). ----
inline constexpr int kQK_K = 256;
inline constexpr int kScaleSizeK = 12;  // 6-bit scales and mins of Q4_K/Q5_K

// Q2_K — 2.625 bits/weight. 16 sub-blocks of 16; scales[i] holds the 4-bit scale (low
// nibble) and 4-bit min (high nibble) of sub-block i. w = d*sc*q - dmin*m, q in 0..3.
struct block_q2_K {
  uint8_t scales[kQK_K / 16];
  uint8_t qs[kQK_K / 4];
  half_bits d;
  half_bits dmin;
};
static_assert(sizeof(block_q2_K) == 2 * sizeof(half_bits) + kQK_K / 16 + kQK_K / 4, "q2_K layout");

// Q3_K — 3.4375 bits/weight. 16 sub-blocks of 16 with 6-bit signed scales (stored +32)
// packed in 12 bytes; low 2 bits of q in qs, the 3rd bit in hmask; q in -4..3.
struct block_q3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];
  half_bits d;
};
static_assert(sizeof(block_q3_K) == sizeof(half_bits) + kQK_K / 4 + kQK_K / 8 + 12, "q3_K layout");

// Q4_K — 4.5 bits/weight. 8 sub-blocks of 32 with 6-bit scales and mins packed in 12 bytes.
// w = d*sc*q - dmin*m, q in 0..15.
struct block_q4_K {
  half_bits d;
  half_bits dmin;
  uint8_t scales[kScaleSizeK];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(block_q4_K) == 2 * sizeof(half_bits) + kScaleSizeK + kQK_K / 2, "q4_K layout");

// Q5_K — 5.5 bits/weight. Q4_K plus a 5th bit per weight in qh; q in 0..31.
struct block_q5_K {
  half_bits d;
  half_bits dmin;
  uint8_t scales[kScaleSizeK];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(block_q5_K) == 2 * sizeof(half_bits) + kScaleSizeK + kQK_K / 8 + kQK_K / 2,
              "q5_K layout");

// Q6_K — 6.5625 bits/weight. 16 sub-blocks of 16 with 8-bit signed scales; the low 4 bits
// of q in ql, the high 2 in qh; w = d * scale * (q - 32).
struct block_q6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  half_bits d;
};
static_assert(sizeof(block_q6_K) == sizeof(half_bits) + kQK_K / 16 + 3 * kQK_K / 4, "q6_K layout");

// Q8_K — activation type of every K-quant (9.125 bits/weight). Float scale; bsums[j] is
// the sum of qs[16j .. 16j+15], which the dot products use for the min/offset terms.
struct block_q8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(block_q8_K) == sizeof(float) + kQK_K + kQK_K / 16 * sizeof(int16_t),
              "q8_K layout");

}  // namespace tq
