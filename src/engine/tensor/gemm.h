// Fast matrix kernels: many weight rows against many activation rows in one call, so a
// weight block is unpacked once for several tokens and an activation block is loaded once
// for several rows (prompt processing), and weight rows stream from memory once for up to
// four tokens with a software prefetch (decode). Each computes exactly what its type's
// reference vec_dot computes, float step for float step (integer sums are exact in any
// order), so the results are bit-identical to it (tests/engine/gemm_test.cpp).
// TQ_ISA=scalar turns them off.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/tensor/cpu_features.h"
#include "engine/tensor/ggml_type.h"

namespace tq {

// y[t * y_stride + r] = row_r(w) · row_t(a) for r < n_rows, t < n_tok. Weight rows are
// w_stride bytes apart, activation rows (the weight type's vec_dot_type) a_stride bytes.
// n is the row length in elements (a whole number of blocks).
using GemmFn = void (*)(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                        const uint8_t* a, size_t a_stride, int64_t n_tok, float* y,
                        int64_t y_stride);

// The fast kernel for weights of `type` on the running CPU, or nullptr (callers then use
// the type's vec_dot row by row).
GemmFn gemm_kernel(GgmlType type);
// The kernel a given level would pick (nullptr at the scalar level or for types without
// one); tests use it to check every level the CPU can run.
GemmFn gemm_kernel_for(GgmlType type, IsaLevel level);

namespace quants {
// AVX2 + FMA + F16C (gemm_legacy_avx2.cpp, gemm_kquants_avx2.cpp).
void gemm_q8_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q4_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q5_0_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q4_1_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q5_1_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q2_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q3_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q4_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q5_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q6_K_avx2(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                    size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
// AVX-512 VNNI decode kernels for two to four tokens (gemv_legacy_avx512.cpp); other
// shapes go to the AVX2 tiles above.
void gemm_q8_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q4_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q5_0_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
// gemv_kquants_avx512.cpp: Q4_K, Q5_K, Q6_K for two to four tokens.
void gemm_q4_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q5_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
void gemm_q6_K_avx512(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                      const uint8_t* a, size_t a_stride, int64_t n_tok, float* y, int64_t y_stride);
}  // namespace quants

}  // namespace tq
