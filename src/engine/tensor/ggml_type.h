// Tensor element types, numbered as in GGUF files (ggml's enum), and one traits table
// per type: block geometry, dequantisation and the dot product against the activation
// type the kernel expects (llama.cpp quantises activations the same way, which is both
// the fast path and the one that agrees with it numerically).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tq {

enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
};

// dst/src are rows of `n` elements; n must be a multiple of block_size.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of one row of this type (x) with one row of vec_dot_type (y), n elements.
using VecDotFn = float (*)(int64_t n, const void* x, const void* y);

struct TypeTraits {
  GgmlType type;
  std::string_view name;  // as llama.cpp prints it: "q4_K", "f16", …
  int64_t block_size;     // elements per block
  size_t type_size;       // bytes per block
  bool is_quantized;
  ToFloatFn to_float;      // nullptr where unsupported
  FromFloatFn from_float;  // reference quantiser (round-trip, activations); may be nullptr
  GgmlType vec_dot_type;   // what activations are converted to before vec_dot
  VecDotFn vec_dot;        // nullptr where this type is not a weight type we compute with
};

// Traits of a known type, or nullptr for a type number we do not know.
const TypeTraits* find_type_traits(uint32_t type_number);
// Traits of a type; throws UnsupportedError naming the type when it has no kernels.
const TypeTraits& type_traits(GgmlType type);

std::string_view type_name(GgmlType type);  // "unknown" for numbers we do not know
std::optional<GgmlType> type_from_name(std::string_view name);  // case-insensitive

// Bytes of a row of n elements (n a multiple of block_size).
size_t row_size(GgmlType type, int64_t n);

}  // namespace tq
