// The numerical building blocks of a transformer forward pass, on row-major F32
// activations ([n_tokens][width]). Each op mirrors the rounding points of llama.cpp's
// CPU backend (which activation is converted to what, where sums are kept in double) so
// that logits agree with it to about 1e-4; the comment on each says which.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/model/weights.h"

namespace tq {

class ThreadPool;

// y[t][o] = W_row(o) · x[t] for every token t. Activations are converted once per token
// to the weight type's vec_dot_type (Q8_0, Q8_1, Q8_K, F16, BF16 or F32), as ggml does.
// x: [n_tokens][W.n_in], y: [n_tokens][W.n_out].
void matmul(ThreadPool& pool, const WeightMatrix& w, const float* x, float* y, int64_t n_tokens);

// One weight matrix and where its output goes, for matmul_many.
struct MatmulTarget {
  const WeightMatrix* w;
  float* y;  // [n_tokens][w->n_out]
};
// Several products of the same input (Q, K and V; gate and up): the activations are
// converted once and all rows are shared out in a single parallel region.
void matmul_many(ThreadPool& pool, std::span<const MatmulTarget> targets, const float* x,
                 int64_t n_tokens);

// Dequantises row `id` of an embedding matrix into out[W.n_in].
void embedding_row(const WeightMatrix& w, int64_t id, float* out);

// RMSNorm over each row, then multiplied by weight (sum of squares in double, like ggml).
void rms_norm(float* x, int64_t n_tokens, int64_t width, const WeightVector& weight, float eps);
// LayerNorm (mean and variance in double), then weight and bias when given.
void layer_norm(float* x, int64_t n_tokens, int64_t width, const WeightVector& weight,
                const WeightVector& bias, float eps);

void add_bias(float* x, int64_t n_tokens, int64_t width, const WeightVector& bias);
void add_inplace(float* dst, const float* src, int64_t n);
// gate[i] = silu(gate[i]) * up[i]; the AVX2 twin when the CPU has it, else the reference.
void swiglu(float* gate, const float* up, int64_t n);
void swiglu_reference(float* gate, const float* up, int64_t n);
void gelu_inplace(float* x, int64_t n);

enum class RopeStyle {
  Normal,  // rotate adjacent pairs (x[2i], x[2i+1]): llama (GGUF permutes Q/K for this)
  Neox,    // rotate (x[i], x[i + n_rot/2]): qwen2, GPT-NeoX family
};

struct RopeParams {
  RopeStyle style = RopeStyle::Normal;
  int32_t n_rot = 0;  // rotated dimensions per head (<= head_dim)
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;              // 1/factor for linear scaling
  const float* freq_factors = nullptr;  // Llama-3.1 rope_freqs: theta_i /= factor_i
};

// Rotates each head of x ([n_tokens][n_heads * head_dim]) by its token's position.
void rope(float* x, int64_t n_tokens, int32_t n_heads, int32_t head_dim,
          std::span<const int32_t> positions, const RopeParams& p);

// exp(x) exactly as ggml_v_expf of an AVX-512 build computes it (ggml-cpu.c; within
// 1.5 ulp of expf, but not equal to it). llama.cpp's silu and attention softmax use it,
// and an ulp there can flip a later Q8 rounding, so we reproduce it bit for bit.
float ggml_expf(float x);

// In-place softmax of one row of logits with max subtraction (sum in double).
void softmax(float* x, int64_t n);

// One query head against positions 0..n_kv-1 of an F16 KV cache: softmax(q·Kᵀ·scale)·V.
struct AttentionHead {
  const float* q = nullptr;     // [head_dim]
  const uint16_t* k = nullptr;  // position j's key at k + j * stride (F16)
  const uint16_t* v = nullptr;  // same layout for values
  size_t stride = 0;            // elements between consecutive positions
  int32_t head_dim = 0;
  int32_t n_kv = 0;
  float scale = 1.0f;
  float* scores = nullptr;  // scratch: n_kv rounded up to 32 floats
  float* lanes = nullptr;   // scratch: 16 * head_dim floats
  float* out = nullptr;     // [head_dim]
};
// The AVX2 twin when the CPU has it and head_dim is a multiple of 16, else the reference.
void attention_head(const AttentionHead& a);
// llama.cpp's order (no flash attention): Q rounded to F16; KQ with one 16-lane FMA
// accumulator per score folded as _mm512_reduce_add_ps (tinyBLAS), or products summed in
// double when head_dim is not a multiple of 16 (ggml_vec_dot_f16); softmax with ggml_expf
// and 16-value chunk sums added in double over the length padded to 32; weights rounded
// to F16; KQV with 16 lane accumulators per output (position j feeds lane j mod 16).
void attention_head_reference(const AttentionHead& a);

}  // namespace tq
