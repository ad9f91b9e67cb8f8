// Prompt-sized matrix products on AVX-512 VNNI: weight rows against an activation panel.
//
// The row-dot kernels (gemm.h) reduce each (row, token) product inside one register and
// must fold lanes at every block whose float step the reference takes on the whole block
// sum. Here the sixteen lanes of a register are sixteen *tokens* instead: a panel holds
// the activations of 16 tokens interleaved four bytes at a time (panel_layout.h), so one
// vpdpbusd of four weight bytes broadcast against a panel register adds those four
// products for all 16 tokens, and a block's sum for 16 tokens is a chain of vpdpbusd with
// no horizontal step. The float steps after the exact integer sums are the reference's,
// lane by lane, so results stay bit-identical to the type's vec_dot (gemm_test.cpp).
//
// vpdpbusd multiplies unsigned by signed bytes: the weights are the unsigned side (each
// format's stored value, the weight plus an offset), so each integer sum starts from
// −offset·Σa, which the panel holds per token. The panel is built once per matmul (its
// cost is spread over every weight row); the weights of a row tile are unpacked once
// (spread over every token).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/tensor/ggml_type.h"

namespace tq {

inline constexpr int64_t kPanelTokens = 16;  // tokens per panel group (one zmm of int32)

// Bytes of the panel for n_tok activation rows of n elements of `activation_type`.
using PanelBytesFn = size_t (*)(int64_t n, int64_t n_tok);
// Packs token groups [g0, g1) of n_tok rows (activation_type, a_stride bytes apart) into
// `panel`; groups are independent, so callers may pack them in parallel.
using PanelPackFn = void (*)(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok,
                             int64_t g0, int64_t g1, uint8_t* panel);
// y[t * y_stride + r] = row_r(w) · token t, for r < n_rows and t < n_tok.
using PanelGemmFn = void (*)(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows,
                             const uint8_t* panel, int64_t n_tok, float* y, int64_t y_stride);

struct PanelKernel {
  GgmlType activation_type;  // the weight type's vec_dot_type, which pack() reads
  PanelBytesFn panel_bytes;
  PanelPackFn pack;  // kernels with the same pack function can share one panel
  PanelGemmFn run;
  // Row lengths (elements) the kernel takes must be a multiple of this (BF16: 32; the
  // reference takes another path for other lengths).
  int64_t row_multiple = 1;
};

// Batches below this many tokens use gemm_kernel() instead: a partly filled panel group
// wastes lanes, and the weight unpacking is spread over fewer tokens.
inline constexpr int64_t kPanelMinTokens = 8;

// The panel kernel for weights of `type` on the running CPU (AVX-512 level only), or
// nullptr.
const PanelKernel* panel_kernel(GgmlType type);

namespace quants {
// AVX-512 F/BW/VL/DQ + VNNI: the 32-weight formats (gemm_panel_legacy_avx512.cpp) and the
// single-chain K-quants (gemm_panel_kquants_avx512.cpp); nullptr for other types.
const PanelKernel* panel_kernel_legacy_avx512(GgmlType type);
const PanelKernel* panel_kernel_kquants_avx512(GgmlType type);
// Q2_K and Q3_K, whose references keep eight float lanes (gemm_panel_q23k_avx512.cpp).
const PanelKernel* panel_kernel_q23k_avx512(GgmlType type);
// F16 and, with AVX512_BF16, BF16 (gemm_panel_float_avx512.cpp).
const PanelKernel* panel_kernel_float_avx512(GgmlType type, bool has_bf16);
}  // namespace quants

}  // namespace tq
