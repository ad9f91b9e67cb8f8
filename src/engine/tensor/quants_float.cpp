// F32, F16 and BF16 rows: conversion and dot products.
//
// The dot products follow the kernels llama.cpp (an AVX-512 + AMX build: the source of the
// golden logits) ran for each weight type. Those are the same for one token and for a
// batch, because none of them depends on the number of activation rows:
// * F16 weights sit in ggml's AMX extra buffer; its mmq.cpp (tinygemm_kernel_avx<float,
//   ggml_fp16_t>) multiplies them with the F32 activations as they are — NOT converted to
//   F16 — in one 16-lane FMA accumulator (lane l takes elements ≡ l mod 16), folded by
//   _mm512_reduce_add_ps. Hence F16's vec_dot_type is F32 (type_traits.cpp) and
//   vec_dot_f16 takes an F32 activation row. (ggml only chose that buffer for matrices with
//   a multiple of 32 output rows; every F16 matmul we load from llama.cpp files has that.)
// * F32 weights go through llamafile's tinyBLAS (sgemm.cpp, tinyBLAS<16, __m512, __m512>):
//   the same 16-lane FMA accumulator and fold, when n is a multiple of 16; otherwise ggml
//   falls back to ggml_vec_dot_f32 (GGML_F32_STEP = 64, four 16-lane accumulators reduced
//   as (a0+a2)+(a1+a3) then _mm512_reduce_add_ps, leftovers fused onto the float sum).
// * BF16 weights meet BF16 activations in tinyBLAS<32, __m512, __m512bh> on an AVX512_BF16
//   CPU: per 32 elements one _mm512_dpbf16_ps, whose lane j adds the product of pair
//   element 2j+1 and then that of element 2j (Intel's definition; BF16·BF16 products are
//   exact in float, so each step is one rounding), folded by _mm512_reduce_add_ps. For n
//   not a multiple of 32 ggml_vec_dot_bf16's AVX512F branch applies (two 16-lane
//   accumulators over steps of 32, each reduced on its own and summed in double).
// The folds are in lane_order.h. quants_float_avx2.cpp is tested to be bit-identical.
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

}  // namespace

void to_float_f32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void from_float_f32(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

float vec_dot_f32(int64_t n, const void* vx, const void* vy) {
  const F32Rows rows{static_cast<const float*>(vx), static_cast<const float*>(vy)};
  if (n % kLanes == 0) {  // tinyBLAS
    float acc[kLanes] = {};
    for (int64_t i = 0; i < n; ++i)
      acc[i % kLanes] = std::fma(rows.x(i), rows.y(i), acc[i % kLanes]);
    return hsum16(acc);
  }
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

// F16 weights · F32 activations (the AMX buffer's tinygemm_kernel_avx); any tail past the
// last full 16 continues the lane pattern.
float vec_dot_f16(int64_t n, const void* vx, const void* vy) {
  const auto* w = static_cast<const uint16_t*>(vx);
  const auto* a = static_cast<const float*>(vy);
  float acc[kLanes] = {};
  for (int64_t i = 0; i < n; ++i)
    acc[i % kLanes] = std::fma(a[i], fp16_to_fp32(w[i]), acc[i % kLanes]);
  return hsum16(acc);
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
  if (n % 32 == 0) {  // tinyBLAS with _mm512_dpbf16_ps
    float acc[kLanes] = {};
    for (int64_t i = 0; i < n; i += 32)
      for (int j = 0; j < kLanes; ++j) {
        acc[j] += bf16_to_fp32(x[i + 2 * j + 1]) * bf16_to_fp32(y[i + 2 * j + 1]);
        acc[j] += bf16_to_fp32(x[i + 2 * j]) * bf16_to_fp32(y[i + 2 * j]);
      }
    return hsum16(acc);
  }
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
