// Q6_K reference quantiser (16 groups of 16 weights, symmetric 6-bit codes, 8-bit signed
// group scales against one half-precision d), and the table of weight quantisers.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "engine/quantize/kquants.h"
#include "engine/quantize/scale_search.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants.h"

namespace tq {

using quants::nearest_int;

// ggml's quantize_row_q6_K_ref: per group a symmetric fit weighted by x² (codes −32..31),
// group scales as int8 against d = max|scale|/128 (sign of the largest), then every weight
// re-rounded against the stored scale. Codes: within each 128-weight half, weights l,
// l+32, l+64, l+96 share ql[l] / ql[l+32] (low nibbles) and qh[l] (2 high bits each).
void quantize_q6_K_ref(const float* src, void* dst, int64_t n) {
  constexpr int kGroups = kQK_K / 16;
  auto* y = static_cast<block_q6_K*>(dst);
  const float* x = src;
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    int8_t L[kQK_K];
    float scales[kGroups];
    float max_scale = 0;
    float max_abs_scale = 0;
    for (int g = 0; g < kGroups; ++g) {
      scales[g] = kquants::fit_symmetric(16, 32, x + 16 * g, L + 16 * g);
      const float a = std::fabs(scales[g]);
      if (a > max_abs_scale) {
        max_abs_scale = a;
        max_scale = scales[g];
      }
    }
    if (max_abs_scale < kquants::kGroupMaxEps) {
      std::memset(&y[i], 0, sizeof y[i]);
      y[i].d = fp32_to_fp16(0.f);
      continue;
    }
    const float iscale = -128.f / max_scale;
    y[i].d = fp32_to_fp16(1 / iscale);
    for (int g = 0; g < kGroups; ++g)
      y[i].scales[g] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[g])));
    for (int g = 0; g < kGroups; ++g) {
      const float d = fp16_to_fp32(y[i].d) * y[i].scales[g];
      if (!d) continue;  // keeps the fitted codes, as ggml does
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearest_int(x[16 * g + ii] / d);
        L[16 * g + ii] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
      }
    }
    uint8_t* ql = y[i].ql;
    uint8_t* qh = y[i].qh;
    for (int h = 0; h < kQK_K; h += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = L[h + l];
        const int q2 = L[h + l + 32];
        const int q3 = L[h + l + 64];
        const int q4 = L[h + l + 96];
        ql[l] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
        ql[l + 32] = static_cast<uint8_t>((q2 & 0xF) | ((q4 & 0xF) << 4));
        qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                     ((q4 >> 4) << 6));
      }
    }
  }
}

FromFloatFn weight_quantizer(GgmlType type) {
  switch (type) {
    case GgmlType::Q2_K:
      return quantize_q2_K_ref;
    case GgmlType::Q3_K:
      return quantize_q3_K_ref;
    case GgmlType::Q4_K:
      return quantize_q4_K_ref;
    case GgmlType::Q5_K:
      return quantize_q5_K_ref;
    case GgmlType::Q6_K:
      return quantize_q6_K_ref;
    default: {
      const TypeTraits* t = find_type_traits(static_cast<uint32_t>(type));
      return t ? t->from_float : nullptr;
    }
  }
}

}  // namespace tq
