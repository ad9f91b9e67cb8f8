// F32, F16 and BF16 rows: conversion and dot products.
//
// Dot products mirror the kernels an AVX-512 build of llama.cpp uses for one row (the
// golden logits come from such a machine): ggml_vec_dot_f32/f16 with GGML_F32_STEP = 64,
// GGML_F32_EPR = 16 — four accumulators of 16 float lanes, accumulator j lane l taking
// elements 64i + 16j + l with one FMA each, reduced as (a0+a2)+(a1+a3) lane-wise and then
// by _mm512_reduce_add_ps (lane_order.h) — and ggml_vec_dot_bf16's AVX512F branch (two
// 16-lane accumulators over steps of 32, each reduced on its own and summed in double).
// Tails past the last full step follow ggml's leftover loops. F16·F16 and BF16·BF16
// products are exact in float, so FMA versus multiply-then-add makes no difference there.
// (An AVX512_BF16 CPU would have used _mm512_dpbf16_ps instead; we assume AVX512F.)
//
// Note: llama.cpp runs prompt batches (n_tokens >= 2) of F32/F16/BF16 weights through
// llamafile's tinyBLAS, which sums in one 16-lane accumulator per output; these kernels
// match its single-token path.
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "engine/tensor/lane_order.h"
#include "engine/tensor/quants.h"

namespace tq::quants {
namespace {

constexpr int kStep = 64;  // GGML_F32_STEP of an AVX-512 build
constexpr int kLanes = 16;

// ggml_vec_dot_f32/f16's main loop and reduction over the first n - n % 64 elements.
template <typename Load>
float four_accumulator_dot(int64_t np, Load load) {
  float acc[4][kLanes] = {};
  for (int64_t i = 0; i < np; i += kStep)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < kLanes; ++l) {
        const int64_t e = i + j * kLanes + l;
        acc[j][l] = std::fma(load.x(e), load.y(e), acc[j][l]);
      }
  float folded[kLanes];
  for (int l = 0; l < kLanes; ++l) folded[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
  return hsum16(folded);
}

struct F32Rows {
  const float* a;
  const float* b;
  float x(int64_t i) const { return a[i]; }
  float y(int64_t i) const { return b[i]; }
};

struct F16Rows {
  const uint16_t* a;
  const uint16_t* b;
  float x(int64_t i) const { return fp16_to_fp32(a[i]); }
  float y(int64_t i) const { return fp16_to_fp32(b[i]); }
};

}  // namespace

void to_float_f32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void from_float_f32(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

float vec_dot_f32(int64_t n, const void* vx, const void* vy) {
  const F32Rows rows{static_cast<const float*>(vx), static_cast<const float*>(vy)};
  const int64_t np = n - n % kStep;
  float sum = four_accumulator_dot(np, rows);
  // ggml's leftovers: "sumf += x[i]*y[i]" on a float, fused like its other a*b+c.
  for (int64_t i = np; i < n; ++i) sum = std::fma(rows.x(i), rows.y(i), sum);
  return sum;
}

void to_float_f16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
}

void from_float_f16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = fp32_to_fp16(src[i]);
}

float vec_dot_f16(int64_t n, const void* vx, const void* vy) {
  const F16Rows rows{static_cast<const uint16_t*>(vx), static_cast<const uint16_t*>(vy)};
  const int64_t np = n - n % kStep;
  // ggml_vec_dot_f16 sums into a double (ggml_float) after the vector reduction.
  double sum = four_accumulator_dot(np, rows);
  for (int64_t i = np; i < n; ++i) sum += static_cast<double>(rows.x(i) * rows.y(i));
  return static_cast<float>(sum);
}

void to_float_bf16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(h[i]);
}

void from_float_bf16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = fp32_to_bf16(src[i]);
}

float vec_dot_bf16(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const uint16_t*>(vx);
  const auto* y = static_cast<const uint16_t*>(vy);
  float c1[kLanes] = {}, c2[kLanes] = {};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int l = 0; l < kLanes; ++l) {
      c1[l] += bf16_to_fp32(x[i + l]) * bf16_to_fp32(y[i + l]);
      c2[l] += bf16_to_fp32(x[i + 16 + l]) * bf16_to_fp32(y[i + 16 + l]);
    }
  double sum = 0.0;
  sum += static_cast<double>(hsum16(c1));
  sum += static_cast<double>(hsum16(c2));
  for (; i < n; ++i) sum += static_cast<double>(bf16_to_fp32(x[i]) * bf16_to_fp32(y[i]));
  return static_cast<float>(sum);
}

}  // namespace tq::quants
