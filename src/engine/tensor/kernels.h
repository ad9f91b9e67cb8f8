// Engine-internal view of the kernel dispatch (type_traits.cpp). type_traits() already
// returns the fastest bit-identical kernels for the running CPU; this header adds the two
// activation quantisers that are not table entries, and the scalar table for tests and
// benchmarks that compare variants.
#pragma once

#include "engine/tensor/ggml_type.h"

namespace tq {

struct ActivationQuantizers {
  FromFloatFn q8_0;  // llama.cpp's x86 activation rounding (quants_activation.cpp)
  FromFloatFn q8_1;
};
const ActivationQuantizers& activation_quantizers();

// The traits row with the scalar reference kernels, whatever the CPU.
const TypeTraits& scalar_type_traits(GgmlType type);

}  // namespace tq
