// Q2_K and Q3_K reference quantisers: 16 groups of 16 weights per super-block, group
// scales (and Q2_K mins) fitted per group, then quantised against one super-block scale.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "engine/quantize/kquants.h"
#include "engine/quantize/scale_search.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants.h"

namespace tq {
namespace {

using quants::nearest_int;
constexpr int kGroups = kQK_K / 16;

// Q2_K/Q3_K share the 2-bit plane layout: within each 128-weight half, byte l of the half's
// 32 bytes holds weights l, l+32, l+64, l+96 in bits 0-1, 2-3, 4-5, 6-7.
void pack_2bit(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < kQK_K; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
                                           (L[j + l + 96] << 6));
}

}  // namespace

// ggml's quantize_row_q2_K_ref: per group, an asymmetric fit weighted by |x| (absolute
// error, 16 steps around nmax−0.5); group scales and mins become 4-bit numbers against
// d = max_scale/15 and dmin = max_min/15; then every weight is re-rounded against the
// stored (half-precision) scale and min.
void quantize_q2_K_ref(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<block_q2_K*>(dst);
  const float* x = src;
  const float q4scale = 15.f;
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    uint8_t L[kQK_K];
    uint8_t aux[16];
    float weights[16];
    float scales[kGroups];
    float mins[kGroups];
    float max_scale = 0;  // the min is subtracted, so scales are non-negative
    float max_min = 0;
    for (int j = 0; j < kGroups; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = kquants::fit_scale_min(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], aux,
                                         -0.5f, 0.1f, 15, true);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    if (max_scale > 0) {
      const float iscale = q4scale / max_scale;
      for (int j = 0; j < kGroups; ++j)
        y[i].scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
      y[i].d = fp32_to_fp16(max_scale / q4scale);
    } else {
      std::memset(y[i].scales, 0, sizeof y[i].scales);
      y[i].d = fp32_to_fp16(0.f);
    }
    if (max_min > 0) {
      const float iscale = q4scale / max_min;
      for (int j = 0; j < kGroups; ++j)
        y[i].scales[j] =
            static_cast<uint8_t>(y[i].scales[j] | (nearest_int(iscale * mins[j]) << 4));
      y[i].dmin = fp32_to_fp16(max_min / q4scale);
    } else {
      y[i].dmin = fp32_to_fp16(0.f);
    }
    for (int j = 0; j < kGroups; ++j) {
      const float d = fp16_to_fp32(y[i].d) * (y[i].scales[j] & 0xF);
      if (!d) continue;  // keeps the fitted codes, as ggml does
      const float dm = fp16_to_fp32(y[i].dmin) * (y[i].scales[j] >> 4);
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearest_int((x[16 * j + ii] + dm) / d);
        L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
      }
    }
    pack_2bit(L, y[i].qs);
  }
}

// ggml's quantize_row_q3_K_ref: per group a symmetric fit refined by coordinate descent
// (codes −4..3), group scales as signed 6-bit numbers against d = max|scale|/32 (sign of
// the largest one), then every weight re-rounded against the stored scale.
void quantize_q3_K_ref(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<block_q3_K*>(dst);
  const float* x = src;
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    int8_t L[kQK_K];
    float scales[kGroups];
    float max_scale = 0;
    float amax = 0;
    for (int j = 0; j < kGroups; ++j) {
      scales[j] = kquants::fit_symmetric_refined(16, 4, x + 16 * j, L + 16 * j);
      const float a = std::fabs(scales[j]);
      if (a > amax) {
        amax = a;
        max_scale = scales[j];
      }
    }
    // Scale g: low 4 bits in the low (g < 8) or high (g >= 8) nibble of byte g % 8, high
    // 2 bits at bit 2·(g/4) of byte 8 + g % 4.
    std::memset(y[i].scales, 0, sizeof y[i].scales);
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < kGroups; ++j) {
        int8_t l = static_cast<int8_t>(nearest_int(iscale * scales[j]));
        l = static_cast<int8_t>(std::max<int>(-32, std::min<int>(31, l)) + 32);
        if (j < 8)
          y[i].scales[j] = static_cast<uint8_t>(l & 0xF);
        else
          y[i].scales[j - 8] = static_cast<uint8_t>(y[i].scales[j - 8] | ((l & 0xF) << 4));
        l = static_cast<int8_t>(l >> 4);
        y[i].scales[j % 4 + 8] =
            static_cast<uint8_t>(y[i].scales[j % 4 + 8] | (l << (2 * (j / 4))));
      }
      y[i].d = fp32_to_fp16(1 / iscale);
    } else {
      y[i].d = fp32_to_fp16(0.f);
    }
    for (int j = 0; j < kGroups; ++j) {
      const int low = j < 8 ? y[i].scales[j] & 0xF : y[i].scales[j - 8] >> 4;
      const int sc = (low | (((y[i].scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
      const float d = fp16_to_fp32(y[i].d) * sc;
      if (!d) continue;
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearest_int(x[16 * j + ii] / d);
        L[16 * j + ii] = static_cast<int8_t>(std::max(-4, std::min(3, l)) + 4);
      }
    }
    // Third bit: weight j's goes to bit j / 32 of hmask[j % 32]; the 2-bit planes keep the rest.
    std::memset(y[i].hmask, 0, sizeof y[i].hmask);
    uint8_t low_bits[kQK_K];
    for (int j = 0; j < kQK_K; ++j) {
      int l = L[j];
      if (l > 3) {
        y[i].hmask[j % 32] = static_cast<uint8_t>(y[i].hmask[j % 32] | (1 << (j / 32)));
        l -= 4;
      }
      low_bits[j] = static_cast<uint8_t>(l);
    }
    pack_2bit(low_bits, y[i].qs);
  }
}

}  // namespace tq
