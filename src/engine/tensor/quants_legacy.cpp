// The legacy 32-weight block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): dequantisation,
// ggml's reference quantisers, and dot products against the quantised activation row.
//
// The reference quantisers reproduce ggml's quantize_row_*_ref bit for bit, including its
// choices that look odd but decide which bytes llama-quantize writes: Q4_0/Q5_0 scale by
// the *signed* value of largest magnitude (d = max / -8 so that extreme maps to q = 0 and
// the other side gets the extra level), and rounding is "add 0.5 (+offset), truncate".
//
// The dot products follow the float order of the kernel that llama.cpp (the source of our
// golden logits, an AVX-512 build on a Xeon with AMX) actually ran for each type:
//
// * Q4_0, Q4_1, Q8_0 weights live in ggml's AMX extra buffer, so every matmul with them
//   goes through ggml-cpu/amx/mmq.cpp: tinygemm_kernel_amx for batches (acc_C per block)
//   and tinygemm_kernel_vnni for one token. Both keep ONE float accumulator per output and
//   walk the blocks in order: acc = fma(float(Σ_32 q_x·q_y), d_x·d_y, acc), and for Q4_1
//   right after it acc = fma(m_x, s_y, acc). The block's integer sum is exact, so only
//   these two roundings per block matter.
// * Q5_0, Q5_1 have no AMX kernel and take the ordinary CPU path: llamafile's
//   tinyBLAS_Q0_AVX (Q5_0) or ggml_vec_dot_q5_1_q8_1 (AVX2 code). Both keep eight float
//   lanes (lane k = elements 4k..4k+3, as maddubs+madd form them), accumulate each lane
//   with one FMA by d_x·d_y per block and fold with hsum_float_8 (lane_order.h); the Q5_1
//   offset term m·s is summed separately in block order ("summs += m*s", fused as GCC's
//   -ffp-contract=fast does with -mfma) and added last.
//
// quants_legacy_avx2.cpp is tested to be bit-identical to these.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/lane_order.h"
#include "engine/tensor/quants.h"

namespace tq::quants {
namespace {

// The 5th bits of Q5_0/Q5_1 as one little-endian word (bit j belongs to element j).
uint32_t load_qh(const uint8_t qh[4]) {
  return static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 |
         static_cast<uint32_t>(qh[2]) << 16 | static_cast<uint32_t>(qh[3]) << 24;
}

void store_qh(uint8_t qh[4], uint32_t bits) {
  for (int i = 0; i < 4; ++i) qh[i] = static_cast<uint8_t>(bits >> (8 * i));
}

// The value of largest magnitude, with its sign (first one wins on ties, as in ggml).
float signed_absmax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void min_max(const float* x, int n, float& lo, float& hi) {
  lo = FLT_MAX;
  hi = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
}

// "(int8_t)(v)" in ggml: conversion truncates toward zero.
int trunc_to_int(float v) {
  return static_cast<int>(v);
}

// Weights of a 4-bit block as bytes in element order, minus `offset` (8 for Q4_0, 0 for Q4_1).
void unpack_q4(const uint8_t qs[16], int offset, int8_t out[32]) {
  for (int j = 0; j < 16; ++j) {
    out[j] = static_cast<int8_t>((qs[j] & 0x0F) - offset);
    out[j + 16] = static_cast<int8_t>((qs[j] >> 4) - offset);
  }
}

// Weights of a 5-bit block (low nibbles + the qh bit), minus `offset` (16 for Q5_0).
void unpack_q5(const uint8_t qs[16], const uint8_t qh[4], int offset, int8_t out[32]) {
  const uint32_t h = load_qh(qh);
  for (int j = 0; j < 16; ++j) {
    out[j] = static_cast<int8_t>(((qs[j] & 0x0F) | ((h >> j) & 1) << 4) - offset);
    out[j + 16] = static_cast<int8_t>(((qs[j] >> 4) | ((h >> (j + 16)) & 1) << 4) - offset);
  }
}

// One block's contribution to the eight float lanes: lane += d · (int lane sum), fused.
void accumulate_block(float d, const int8_t x[32], const int8_t y[32], float lanes[8]) {
  int32_t sums[8];
  lane_sums_32(x, y, sums);
  for (int k = 0; k < 8; ++k) lanes[k] = std::fma(d, static_cast<float>(sums[k]), lanes[k]);
}

// Σ of the 32 integer products of one block (exact).
int32_t block_sum_32(const int8_t x[32], const int8_t y[32]) {
  int32_t s = 0;
  for (int j = 0; j < 32; ++j) s += x[j] * y[j];
  return s;
}

}  // namespace

// ---------------------------------------------------------------- Q4_0

void dequantize_q4_0(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q4_0*>(src);
  for (int64_t i = 0; i < n / kQK4_0; ++i, dst += kQK4_0) {
    const float d = fp16_to_fp32(b[i].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      dst[j] = static_cast<float>((b[i].qs[j] & 0x0F) - 8) * d;
      dst[j + kQK4_0 / 2] = static_cast<float>((b[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void quantize_q4_0_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q4_0*>(dst);
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    const float d = signed_absmax(x, kQK4_0) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const int lo = std::min(15, trunc_to_int(x[j] * id + 8.5f));
      const int hi = std::min(15, trunc_to_int(x[j + kQK4_0 / 2] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

float vec_dot_q4_0_q8_0(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q4_0*>(vx);
  const auto* y = static_cast<const block_q8_0*>(vy);
  // AMX order (acc_C<block_q8_0, block_q4_0>): one accumulator, one FMA per block.
  float acc = 0.0f;
  int8_t q[32];
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    unpack_q4(x[i].qs, 8, q);
    const float d = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    acc = std::fma(static_cast<float>(block_sum_32(q, y[i].qs)), d, acc);
  }
  return acc;
}

// ---------------------------------------------------------------- Q4_1

void dequantize_q4_1(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q4_1*>(src);
  for (int64_t i = 0; i < n / kQK4_1; ++i, dst += kQK4_1) {
    const float d = fp16_to_fp32(b[i].d);
    const float m = fp16_to_fp32(b[i].m);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      dst[j] = static_cast<float>(b[i].qs[j] & 0x0F) * d + m;
      dst[j + kQK4_1 / 2] = static_cast<float>(b[i].qs[j] >> 4) * d + m;
    }
  }
}

void quantize_q4_1_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q4_1*>(dst);
  for (int64_t i = 0; i < n / kQK4_1; ++i, x += kQK4_1) {
    float lo, hi;
    min_max(x, kQK4_1, lo, hi);
    const float d = (hi - lo) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    b[i].m = fp32_to_fp16(lo);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      const int q0 = std::min(15, trunc_to_int((x[j] - lo) * id + 0.5f));
      const int q1 = std::min(15, trunc_to_int((x[j + kQK4_1 / 2] - lo) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | q1 << 4);
    }
  }
}

// Σ w·a = Σ (d_x q_x + m)(d_y q_y) = d_x d_y Σ q_x q_y + m · (d_y Σ q_y) = … + m · s.
float vec_dot_q4_1_q8_1(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q4_1*>(vx);
  const auto* y = static_cast<const block_q8_1*>(vy);
  // AMX order (acc_C<block_q8_1, block_q4_1>): per block the quants' FMA, then the
  // offset's FMA, into the same single accumulator.
  float acc = 0.0f;
  int8_t q[32];
  for (int64_t i = 0; i < n / kQK8_1; ++i) {
    unpack_q4(x[i].qs, 0, q);
    const float d = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    acc = std::fma(static_cast<float>(block_sum_32(q, y[i].qs)), d, acc);
    acc = std::fma(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), acc);
  }
  return acc;
}

// ---------------------------------------------------------------- Q5_0

void dequantize_q5_0(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q5_0*>(src);
  for (int64_t i = 0; i < n / kQK5_0; ++i, dst += kQK5_0) {
    const float d = fp16_to_fp32(b[i].d);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      const int q0 = (b[i].qs[j] & 0x0F) | static_cast<int>((qh >> j) & 1) << 4;
      const int q1 = (b[i].qs[j] >> 4) | static_cast<int>((qh >> (j + 16)) & 1) << 4;
      dst[j] = static_cast<float>(q0 - 16) * d;
      dst[j + kQK5_0 / 2] = static_cast<float>(q1 - 16) * d;
    }
  }
}

void quantize_q5_0_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q5_0*>(dst);
  for (int64_t i = 0; i < n / kQK5_0; ++i, x += kQK5_0) {
    const float d = signed_absmax(x, kQK5_0) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      const int q0 = std::min(31, trunc_to_int(x[j] * id + 16.5f));
      const int q1 = std::min(31, trunc_to_int(x[j + kQK5_0 / 2] * id + 16.5f));
      b[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | (q1 & 0x0F) << 4);
      qh |= static_cast<uint32_t>(q0 >> 4 & 1) << j;
      qh |= static_cast<uint32_t>(q1 >> 4 & 1) << (j + 16);
    }
    store_qh(b[i].qh, qh);
  }
}

float vec_dot_q5_0_q8_0(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q5_0*>(vx);
  const auto* y = static_cast<const block_q8_0*>(vy);
  float lanes[8] = {};
  int8_t q[32];
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    unpack_q5(x[i].qs, x[i].qh, 16, q);
    accumulate_block(fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d), q, y[i].qs, lanes);
  }
  return hsum8(lanes);
}

// ---------------------------------------------------------------- Q5_1

void dequantize_q5_1(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q5_1*>(src);
  for (int64_t i = 0; i < n / kQK5_1; ++i, dst += kQK5_1) {
    const float d = fp16_to_fp32(b[i].d);
    const float m = fp16_to_fp32(b[i].m);
    const uint32_t qh = load_qh(b[i].qh);
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      const int q0 = (b[i].qs[j] & 0x0F) | static_cast<int>((qh >> j) & 1) << 4;
      const int q1 = (b[i].qs[j] >> 4) | static_cast<int>((qh >> (j + 16)) & 1) << 4;
      dst[j] = static_cast<float>(q0) * d + m;
      dst[j + kQK5_1 / 2] = static_cast<float>(q1) * d + m;
    }
  }
}

void quantize_q5_1_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q5_1*>(dst);
  for (int64_t i = 0; i < n / kQK5_1; ++i, x += kQK5_1) {
    float lo, hi;
    min_max(x, kQK5_1, lo, hi);
    const float d = (hi - lo) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    b[i].m = fp32_to_fp16(lo);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      // ggml has no clamp here; (x - min) * id never reaches 31.5, so min() is a no-op
      // kept only as a guard for the nibble packing.
      const int q0 = std::min(31, trunc_to_int((x[j] - lo) * id + 0.5f));
      const int q1 = std::min(31, trunc_to_int((x[j + kQK5_1 / 2] - lo) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | (q1 & 0x0F) << 4);
      qh |= static_cast<uint32_t>(q0 >> 4 & 1) << j;
      qh |= static_cast<uint32_t>(q1 >> 4 & 1) << (j + 16);
    }
    store_qh(b[i].qh, qh);
  }
}

float vec_dot_q5_1_q8_1(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q5_1*>(vx);
  const auto* y = static_cast<const block_q8_1*>(vy);
  float lanes[8] = {};
  float summs = 0.0f;
  int8_t q[32];
  for (int64_t i = 0; i < n / kQK8_1; ++i) {
    summs = std::fma(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), summs);
    unpack_q5(x[i].qs, x[i].qh, 0, q);
    accumulate_block(fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d), q, y[i].qs, lanes);
  }
  return hsum8(lanes) + summs;
}

// ---------------------------------------------------------------- Q8_0

void dequantize_q8_0(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q8_0*>(src);
  for (int64_t i = 0; i < n / kQK8_0; ++i, dst += kQK8_0) {
    const float d = fp16_to_fp32(b[i].d);
    for (int j = 0; j < kQK8_0; ++j) dst[j] = static_cast<float>(b[i].qs[j]) * d;
  }
}

// d = amax/127, q = roundf(x / d): roundf rounds ties away from zero, as ggml's _ref does.
void quantize_q8_0_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, x += kQK8_0) {
    float amax = 0.0f;
    for (int j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    for (int j = 0; j < kQK8_0; ++j) b[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
  }
}

float vec_dot_q8_0_q8_0(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q8_0*>(vx);
  const auto* y = static_cast<const block_q8_0*>(vy);
  // AMX order (acc_C<block_q8_0, block_q8_0>): one accumulator, one FMA per block.
  float acc = 0.0f;
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const float d = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
    acc = std::fma(static_cast<float>(block_sum_32(x[i].qs, y[i].qs)), d, acc);
  }
  return acc;
}

}  // namespace tq::quants
