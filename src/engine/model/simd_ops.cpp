#include "engine/model/simd_ops.h"

#include "engine/tensor/cpu_features.h"

namespace tq {

bool avx2_ops_available() {
  // active_isa_level() never exceeds what cpu_features() reports.
  static const bool cpu_can = active_isa_level() != IsaLevel::Scalar;
  return cpu_can;
}

bool avx512_ops_available() {
  static const bool cpu_can = active_isa_level() == IsaLevel::Avx512;
  return cpu_can;
}

}  // namespace tq
