// Converting activation rows for the matrix-vector kernels. The model code converts an
// activation row once to the weight type's vec_dot_type and then dots it with every weight
// row (type_traits(w).vec_dot(n, weight_row, converted)), exactly as llama.cpp does; this
// is both the fast path and the one whose rounding agrees with llama.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/tensor/ggml_type.h"

namespace tq {

// Converts n floats to `vec_dot_type` (Q8_0, Q8_1, Q8_K, F16, BF16 or F32) into dst, which
// must hold row_size(vec_dot_type, n) bytes. n must be a multiple of the type's block size
// (a programmer error otherwise: throws Error). Q8_0/Q8_1 round as llama.cpp's x86
// activation path does, which can differ from the reference weight quantiser on ties.
void quantize_activations(GgmlType vec_dot_type, const float* x, void* dst, int64_t n);

// Bytes needed for one activation row of n elements dotted with `weight_type` rows.
size_t activation_row_size(GgmlType weight_type, int64_t n);

}  // namespace tq
