// A weight matrix as stored in the GGUF file: rows of `n_in` elements, `n_out` rows,
// pointing into the memory mapping (never copied).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/tensor/ggml_type.h"

namespace tq {

struct GgufTensorInfo;

struct WeightMatrix {
  GgmlType type = GgmlType::F32;
  int64_t n_in = 0;   // ne[0]: row length, the contracted dimension
  int64_t n_out = 0;  // ne[1]: number of rows
  const uint8_t* data = nullptr;
  size_t row_bytes = 0;

  bool empty() const { return data == nullptr; }
  const uint8_t* row(int64_t i) const { return data + static_cast<size_t>(i) * row_bytes; }
};

// A 1-D F32 vector (norm weights, biases). Converted to F32 at load when stored as F16.
struct WeightVector {
  const float* data = nullptr;
  int64_t n = 0;
  bool empty() const { return data == nullptr; }
};

}  // namespace tq
