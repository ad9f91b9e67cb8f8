// Q4_K and Q5_K reference quantisers: 8 sub-blocks of 32 weights per super-block, each
// with an asymmetric fit (scale and min), both quantised to 6 bits against the
// super-block's d and dmin. The two formats differ only in code width (4 or 5 bits), the
// search grid, and where the 5th bit goes.
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
constexpr int kSub = kQK_K / 32;

struct SearchGrid {
  int nmax;
  float rmin, rdelta;
  int nstep;
};
// ggml's quantize_row_q4_K_ref / q5_K_ref search parameters.
constexpr SearchGrid kQ4Grid{15, -1.0f, 0.1f, 20};
constexpr SearchGrid kQ5Grid{31, -0.5f, 0.1f, 15};

// The 6-bit scales and mins of the 8 sub-blocks packed into 12 bytes (the layout
// quants_k.cpp's scale_min_k4 reads back).
void pack_scales_mins(const uint8_t* ls, const uint8_t* lm, uint8_t* s) {
  for (int j = 0; j < kSub; ++j) {
    if (j < 4) {
      s[j] = ls[j];
      s[j + 4] = lm[j];
    } else {
      s[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
      s[j - 4] = static_cast<uint8_t>(s[j - 4] | ((ls[j] >> 4) << 6));
      s[j] = static_cast<uint8_t>(s[j] | ((lm[j] >> 4) << 6));
    }
  }
}

void unpack_scale_min(int j, const uint8_t* s, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = static_cast<uint8_t>((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
    m = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

// One super-block: fits, stores d/dmin/scales into the block's fields and leaves the final
// codes (0..grid.nmax) in L.
void quantize_superblock(const float* x, const SearchGrid& grid, half_bits& d_out,
                         half_bits& dmin_out, uint8_t* scales_out, uint8_t* L) {
  uint8_t aux[32];
  float weights[32];
  float scales[kSub];
  float mins[kSub];
  float max_scale = 0;  // the min is subtracted, so scales are non-negative
  float max_min = 0;
  for (int j = 0; j < kSub; ++j) {
    // Weight each value by the group's RMS plus its own magnitude: large weights matter more.
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] = kquants::fit_scale_min(32, grid.nmax, x + 32 * j, weights, L + 32 * j, &mins[j],
                                       aux, grid.rmin, grid.rdelta, grid.nstep, false);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  uint8_t ls[kSub];
  uint8_t lm[kSub];
  for (int j = 0; j < kSub; ++j) {
    // ggml stores nearest_int into a uint8_t before clamping; keep that truncation.
    ls[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
    lm[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
  }
  std::memset(scales_out, 0, kScaleSizeK);
  pack_scales_mins(ls, lm, scales_out);
  d_out = fp32_to_fp16(max_scale / 63.f);
  dmin_out = fp32_to_fp16(max_min / 63.f);

  // Re-round every weight against the scales as stored (half d times 6-bit scale).
  for (int j = 0; j < kSub; ++j) {
    uint8_t sc = 0;
    uint8_t m = 0;
    unpack_scale_min(j, scales_out, sc, m);
    const float d = fp16_to_fp32(d_out) * sc;
    if (!d) continue;  // keeps the fitted codes, as ggml does
    const float dm = fp16_to_fp32(dmin_out) * m;
    for (int ii = 0; ii < 32; ++ii) {
      const int l = nearest_int((x[32 * j + ii] + dm) / d);
      L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(grid.nmax, l)));
    }
  }
}

}  // namespace

// ggml's quantize_row_q4_K_ref. Codes: each 64-weight chunk uses 32 bytes, weights
// 64c+l in the low nibble and 64c+32+l in the high nibble of byte 32c+l.
void quantize_q4_K_ref(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<block_q4_K*>(dst);
  const float* x = src;
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    uint8_t L[kQK_K];
    quantize_superblock(x, kQ4Grid, y[i].d, y[i].dmin, y[i].scales, L);
    for (int c = 0; c < kQK_K / 64; ++c)
      for (int l = 0; l < 32; ++l)
        y[i].qs[32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + l + 32] << 4));
  }
}

// ggml's quantize_row_q5_K_ref. Low 4 bits as in Q4_K; the 5th bit of weight 64c+l goes to
// bit 2c of qh[l], that of weight 64c+32+l to bit 2c+1.
void quantize_q5_K_ref(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<block_q5_K*>(dst);
  const float* x = src;
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    uint8_t L[kQK_K];
    quantize_superblock(x, kQ5Grid, y[i].d, y[i].dmin, y[i].scales, L);
    std::memset(y[i].qh, 0, sizeof y[i].qh);
    for (int c = 0; c < kQK_K / 64; ++c) {
      for (int l = 0; l < 32; ++l) {
        int lo = L[64 * c + l];
        int hi = L[64 * c + l + 32];
        if (lo > 15) {
          lo -= 16;
          y[i].qh[l] = static_cast<uint8_t>(y[i].qh[l] | (1 << (2 * c)));
        }
        if (hi > 15) {
          hi -= 16;
          y[i].qh[l] = static_cast<uint8_t>(y[i].qh[l] | (2 << (2 * c)));
        }
        y[i].qs[32 * c + l] = static_cast<uint8_t>(lo | (hi << 4));
      }
    }
  }
}

}  // namespace tq
