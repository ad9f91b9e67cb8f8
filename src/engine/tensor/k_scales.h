// Group scales and mins of the K-quant blocks, unpacked to one value per 16-weight group
// (sub-block values of Q4_K/Q5_K repeated for both of their groups). Used by the SIMD
// kernels, which unpack the quants themselves but take the scales from here.
#pragma once

#include <cstdint>

#include "engine/tensor/blocks.h"

namespace tq::quants {

struct KScales {
  int16_t scale[16];
  int16_t min[16];  // zero for Q3_K/Q6_K
};

inline void k_scales(const block_q2_K& b, KScales& s) {
  for (int g = 0; g < 16; ++g) {
    s.scale[g] = static_cast<int16_t>(b.scales[g] & 0x0F);
    s.min[g] = static_cast<int16_t>(b.scales[g] >> 4);
  }
}

inline void k_scales(const block_q3_K& b, KScales& s) {
  for (int g = 0; g < 16; ++g) {
    const int low = (b.scales[g % 8] >> (4 * (g / 8))) & 0x0F;
    const int high = (b.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
    s.scale[g] = static_cast<int16_t>((low | high << 4) - 32);
    s.min[g] = 0;
  }
}

// Q4_K/Q5_K: 6-bit scale and min of sub-block j (see scale_min_k4 in quants_k.cpp).
inline void k_scales_k4(const uint8_t* q, KScales& s) {
  for (int j = 0; j < 8; ++j) {
    int sc, m;
    if (j < 4) {
      sc = q[j] & 63;
      m = q[j + 4] & 63;
    } else {
      sc = (q[j + 4] & 0x0F) | (q[j - 4] >> 6) << 4;
      m = (q[j + 4] >> 4) | (q[j] >> 6) << 4;
    }
    s.scale[2 * j] = s.scale[2 * j + 1] = static_cast<int16_t>(sc);
    s.min[2 * j] = s.min[2 * j + 1] = static_cast<int16_t>(m);
  }
}
inline void k_scales(const block_q4_K& b, KScales& s) {
  k_scales_k4(b.scales, s);
}
inline void k_scales(const block_q5_K& b, KScales& s) {
  k_scales_k4(b.scales, s);
}

inline void k_scales(const block_q6_K& b, KScales& s) {
  for (int g = 0; g < 16; ++g) {
    s.scale[g] = b.scales[g];
    s.min[g] = 0;
  }
}

}  // namespace tq::quants
