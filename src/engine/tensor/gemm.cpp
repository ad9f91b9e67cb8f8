#include "engine/tensor/gemm.h"

#include "engine/tensor/cpu_features.h"

namespace tq {

GemmFn gemm_kernel(GgmlType type) {
  return gemm_kernel_for(type, active_isa_level());
}

GemmFn gemm_kernel_for(GgmlType type, IsaLevel level) {
  if (level == IsaLevel::Scalar) return nullptr;
  if (level == IsaLevel::Avx512) {
    if (type == GgmlType::Q8_0) return quants::gemm_q8_0_avx512;
    if (type == GgmlType::Q4_0) return quants::gemm_q4_0_avx512;
    if (type == GgmlType::Q5_0) return quants::gemm_q5_0_avx512;
    if (type == GgmlType::Q4_K) return quants::gemm_q4_K_avx512;
    if (type == GgmlType::Q5_K) return quants::gemm_q5_K_avx512;
    if (type == GgmlType::Q6_K) return quants::gemm_q6_K_avx512;
  }
  // Every kernel below repeats its reference's float steps exactly (gemm_test.cpp checks
  // bits), so they change speed only.
  switch (type) {
    case GgmlType::Q8_0:
      return quants::gemm_q8_0_avx2;
    case GgmlType::Q4_0:
      return quants::gemm_q4_0_avx2;
    case GgmlType::Q5_0:
      return quants::gemm_q5_0_avx2;
    case GgmlType::Q4_1:
      return quants::gemm_q4_1_avx2;
    case GgmlType::Q5_1:
      return quants::gemm_q5_1_avx2;
    case GgmlType::Q2_K:
      return quants::gemm_q2_K_avx2;
    case GgmlType::Q3_K:
      return quants::gemm_q3_K_avx2;
    case GgmlType::Q4_K:
      return quants::gemm_q4_K_avx2;
    case GgmlType::Q5_K:
      return quants::gemm_q5_K_avx2;
    case GgmlType::Q6_K:
      return quants::gemm_q6_K_avx2;
    default:
      return nullptr;
  }
}

}  // namespace tq
