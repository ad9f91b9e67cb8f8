// SIMD variants of the row kernels of quants.h, each bit-identical to its scalar reference
// there (tests/engine/quant_simd_test.cpp checks every variant the CPU can run). Only
// type_traits.cpp / quantize_row.cpp pick them, once, from cpu_features(); calling one on
// a CPU without its instruction set is undefined.
#pragma once

#include <cstdint>

namespace tq::quants {

// ---- AVX2 + FMA + F16C (files *_avx2.cpp) ----
float vec_dot_q8_0_q8_0_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q4_0_q8_0_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q5_0_q8_0_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q4_1_q8_1_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q5_1_q8_1_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q2_K_q8_K_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q3_K_q8_K_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q4_K_q8_K_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q5_K_q8_K_avx2(int64_t n, const void* x, const void* y);
float vec_dot_q6_K_q8_K_avx2(int64_t n, const void* x, const void* y);
float vec_dot_f32_avx2(int64_t n, const void* x, const void* y);
float vec_dot_f16_avx2(int64_t n, const void* x, const void* y);
float vec_dot_bf16_avx2(int64_t n, const void* x, const void* y);

void quantize_q8_0_activation_avx2(const float* src, void* dst, int64_t n);
void quantize_q8_1_activation_avx2(const float* src, void* dst, int64_t n);
void quantize_q8_K_avx2(const float* src, void* dst, int64_t n);
void from_float_f16_avx2(const float* src, void* dst, int64_t n);
void from_float_bf16_avx2(const float* src, void* dst, int64_t n);

}  // namespace tq::quants
