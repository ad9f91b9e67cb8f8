// AVX2 twins of the per-element and attention steps of ops.h (simd_ops_avx2.cpp). Each
// repeats its reference's float operations in the same order (the vector lanes hold
// independent elements or the reference's own lane accumulators), so results are
// bit-identical to ops.cpp's scalar code: tests/engine/simd_ops_test.cpp compares bits.
#pragma once

#include <cstdint>

#include "engine/model/ops.h"

namespace tq {

// True when the functions below may be called: AVX2+FMA+F16C and TQ_ISA allows it.
bool avx2_ops_available();
// True when attention_head_avx512 may be called: the avx512 level is active.
bool avx512_ops_available();

namespace simd {
// attention_head_reference for head_dim a multiple of 16 (at most 512).
void attention_head_avx2(const AttentionHead& a);
void attention_head_avx512(const AttentionHead& a);  // simd_ops_avx512.cpp
// Eight ggml_expf at once.
void ggml_expf8_avx2(const float* x, float* out);
// gate[i] = silu(gate[i]) * up[i], as ops.cpp's swiglu.
void swiglu_avx2(float* gate, const float* up, int64_t n);
void add_avx2(float* dst, const float* src, int64_t n);
}  // namespace simd

}  // namespace tq
