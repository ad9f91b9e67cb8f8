// Vectorised versions of the per-element and attention steps of ops.h / decoder.cpp, used
// when the CPU has AVX2 (fast_ops_avx2.cpp). Like the gemm kernels they keep their own
// float order (eight lanes, a polynomial exp), so they agree with the reference ops to
// float rounding rather than bit for bit; TQ_ISA=scalar or exact numerics (numerics.h)
// keep the reference path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tq {

// True when the fast versions below may be called: AVX2+FMA+F16C, TQ_ISA allows it and
// numerics() is Fast.
bool fast_ops_available();

// One query head against positions 0..n_kv-1 of an F16 cache: softmax(q·K^T · scale) · V.
struct AttentionHead {
  const float* q = nullptr;     // [head_dim]
  const uint16_t* k = nullptr;  // position j's key at k + j * stride (F16)
  const uint16_t* v = nullptr;  // same layout for values
  size_t stride = 0;            // elements between consecutive positions
  int32_t head_dim = 0;         // a multiple of 8
  int32_t n_kv = 0;
  float scale = 1.0f;
  float* scores = nullptr;  // scratch, at least n_kv rounded up to 8 floats
  float* out = nullptr;     // [head_dim]
};

namespace fast {
void attention_head_avx2(const AttentionHead& a);
// gate[i] = silu(gate[i]) * up[i]
void swiglu_avx2(float* gate, const float* up, int64_t n);
// x = x / rms(x) * weight (weight may be null), one row.
void rms_norm_row_avx2(float* x, int64_t n, const float* weight, float eps);
void add_avx2(float* dst, const float* src, int64_t n);
}  // namespace fast

}  // namespace tq
