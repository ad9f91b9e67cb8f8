#include "engine/tensor/gemm_panel.h"

#include "engine/tensor/cpu_features.h"

namespace tq {

const PanelKernel* panel_kernel(GgmlType type) {
  if (active_isa_level() != IsaLevel::Avx512) return nullptr;
  if (const PanelKernel* k = quants::panel_kernel_legacy_avx512(type)) return k;
  if (const PanelKernel* k = quants::panel_kernel_kquants_avx512(type)) return k;
  if (const PanelKernel* k = quants::panel_kernel_q23k_avx512(type)) return k;
  return quants::panel_kernel_float_avx512(type, cpu_features().avx512bf16);
}

}  // namespace tq
