#include "engine/model/fast_ops.h"

#include "engine/tensor/cpu_features.h"
#include "engine/tensor/numerics.h"

namespace tq {

bool fast_ops_available() {
  // active_isa_level() never exceeds what cpu_features() reports.
  static const bool cpu_can = active_isa_level() != IsaLevel::Scalar;
  return cpu_can && numerics() == Numerics::Fast;
}

}  // namespace tq
