#include "engine/tensor/quantize_row.h"

#include <string>

#include "core/error.h"
#include "engine/tensor/kernels.h"

namespace tq {

void quantize_activations(GgmlType vec_dot_type, const float* x, void* dst, int64_t n) {
  const TypeTraits& t = type_traits(vec_dot_type);
  if (n < 0 || n % t.block_size != 0)
    throw Error("quantize_activations: row of " + std::to_string(n) + " elements is not a " +
                "multiple of the " + std::string(t.name) + " block size " +
                std::to_string(t.block_size));
  switch (vec_dot_type) {
    // The table's from_float for these is the reference (weight) quantiser; activations
    // take the rounding of llama.cpp's activation path instead (see quants_activation.cpp).
    case GgmlType::Q8_0:
      activation_quantizers().q8_0(x, dst, n);
      return;
    case GgmlType::Q8_1:
      activation_quantizers().q8_1(x, dst, n);
      return;
    default:
      break;
  }
  if (t.from_float == nullptr)
    throw UnsupportedError("quantize_activations: no conversion to " + std::string(t.name));
  t.from_float(x, dst, n);
}

size_t activation_row_size(GgmlType weight_type, int64_t n) {
  return row_size(type_traits(weight_type).vec_dot_type, n);
}

}  // namespace tq
