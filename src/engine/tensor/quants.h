// The row kernels behind the type-traits table (type_traits.cpp wires them; nothing else
// should call them directly). Every kernel here is the plain scalar reference, written to
// compute what ggml's reference/scalar code computes so that results agree with llama.cpp.
//
// Dispatch: SIMD variants (AVX2, AVX-512) of a vec_dot are to be declared beside the scalar
// one with the ISA as suffix (vec_dot_q4_0_q8_0_avx2 …), live in their own files compiled
// with per-function target attributes, and be tested against the scalar reference;
// type_traits.cpp picks one per type once at start-up from the CPU's features.
//
// Conventions: n counts elements and is a multiple of the type's block size; rows are
// contiguous blocks; no alignment beyond the block struct's is assumed.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tq::quants {

// Round to nearest, ties to even, via the 1.5·2^23 trick ggml's reference quantisers use
// (so our ties resolve like theirs). Valid for |x| <= 2^22.
inline int nearest_int(float x) {
  const float biased = x + 12582912.f;
  int32_t i;
  std::memcpy(&i, &biased, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

// ---- F32 / F16 / BF16 (quants_float.cpp) ----
void to_float_f32(const void* src, float* dst, int64_t n);
void from_float_f32(const float* src, void* dst, int64_t n);
float vec_dot_f32(int64_t n, const void* x, const void* y);
void to_float_f16(const void* src, float* dst, int64_t n);
void from_float_f16(const float* src, void* dst, int64_t n);
float vec_dot_f16(int64_t n, const void* x, const void* y);
void to_float_bf16(const void* src, float* dst, int64_t n);
void from_float_bf16(const float* src, void* dst, int64_t n);
float vec_dot_bf16(int64_t n, const void* x, const void* y);

// ---- Legacy weight types (quants_legacy.cpp) ----
// quantize_*_ref are ggml's reference quantisers (the ones llama-quantize uses for these
// types), reproduced bit for bit.
void dequantize_q4_0(const void* src, float* dst, int64_t n);
void quantize_q4_0_ref(const float* src, void* dst, int64_t n);
float vec_dot_q4_0_q8_0(int64_t n, const void* x, const void* y);
void dequantize_q4_1(const void* src, float* dst, int64_t n);
void quantize_q4_1_ref(const float* src, void* dst, int64_t n);
float vec_dot_q4_1_q8_1(int64_t n, const void* x, const void* y);
void dequantize_q5_0(const void* src, float* dst, int64_t n);
void quantize_q5_0_ref(const float* src, void* dst, int64_t n);
float vec_dot_q5_0_q8_0(int64_t n, const void* x, const void* y);
void dequantize_q5_1(const void* src, float* dst, int64_t n);
void quantize_q5_1_ref(const float* src, void* dst, int64_t n);
float vec_dot_q5_1_q8_1(int64_t n, const void* x, const void* y);
void dequantize_q8_0(const void* src, float* dst, int64_t n);
void quantize_q8_0_ref(const float* src, void* dst, int64_t n);
float vec_dot_q8_0_q8_0(int64_t n, const void* x, const void* y);

// ---- Activation quantisers (quants_activation.cpp) ----
// Q8_0/Q8_1 as llama.cpp's x86 CPU backend quantises activations (scale 127/amax, ties to
// even), which differs from the _ref weight quantiser only on exact rounding ties.
void quantize_q8_0_activation(const float* src, void* dst, int64_t n);
void quantize_q8_1_ref(const float* src, void* dst, int64_t n);
void quantize_q8_1_activation(const float* src, void* dst, int64_t n);
void dequantize_q8_1(const void* src, float* dst, int64_t n);
void quantize_q8_K(const float* src, void* dst, int64_t n);
void dequantize_q8_K(const void* src, float* dst, int64_t n);

// ---- K-quants (quants_k.cpp): dequantisation and dot products against Q8_K ----
void dequantize_q2_K(const void* src, float* dst, int64_t n);
float vec_dot_q2_K_q8_K(int64_t n, const void* x, const void* y);
void dequantize_q3_K(const void* src, float* dst, int64_t n);
float vec_dot_q3_K_q8_K(int64_t n, const void* x, const void* y);
void dequantize_q4_K(const void* src, float* dst, int64_t n);
float vec_dot_q4_K_q8_K(int64_t n, const void* x, const void* y);
void dequantize_q5_K(const void* src, float* dst, int64_t n);
float vec_dot_q5_K_q8_K(int64_t n, const void* x, const void* y);
void dequantize_q6_K(const void* src, float* dst, int64_t n);
float vec_dot_q6_K_q8_K(int64_t n, const void* x, const void* y);

}  // namespace tq::quants
