#include "engine/tensor/gemm.h"

#include "engine/tensor/cpu_features.h"
#include "engine/tensor/numerics.h"

namespace tq {

GemmFn gemm_kernel(GgmlType type) {
  // AVX-512 machines run the AVX2 kernels until they have their own.
  if (active_isa_level() == IsaLevel::Scalar || numerics() == Numerics::Exact) return nullptr;
  switch (type) {
    case GgmlType::Q8_0:
      return quants::gemm_q8_0_avx2;
    case GgmlType::Q4_0:
      return quants::gemm_q4_0_avx2;
    case GgmlType::Q5_0:
      return quants::gemm_q5_0_avx2;
    default:
      return nullptr;
  }
}

}  // namespace tq
