// Reference quantisers of the K-quant weight formats (Q2_K … Q6_K): what llama-quantize
// writes for these types when no importance matrix is given (ggml's
// quantize_row_q{2,3,4,5,6}_K_ref). Rows are whole super-blocks of 256 weights; the block
// layouts are those of engine/tensor/blocks.h.
#pragma once

#include <cstdint>

#include "engine/tensor/ggml_type.h"

namespace tq {

// n: elements, a multiple of 256; dst: n / 256 blocks of the type.
void quantize_q2_K_ref(const float* src, void* dst, int64_t n);
void quantize_q3_K_ref(const float* src, void* dst, int64_t n);
void quantize_q4_K_ref(const float* src, void* dst, int64_t n);
void quantize_q5_K_ref(const float* src, void* dst, int64_t n);
void quantize_q6_K_ref(const float* src, void* dst, int64_t n);

// The weight quantiser llama-quantize uses for `type` without an importance matrix: the
// K-quant ones above, and the traits table's from_float for F32/F16/BF16 and the legacy
// 32-weight formats (which already reproduce ggml's _ref quantisers). nullptr when none.
FromFloatFn weight_quantizer(GgmlType type);

}  // namespace tq
