// K-quants (Q2_K … Q6_K): dequantisation and dot products against Q8_K activations.
//
// Every K-quant super-block of 256 weights decodes to the same shape: 256 small integers
// q, and per 16-weight group an integer scale and (for Q2_K/Q4_K/Q5_K) an integer min, so
// that  w = (d·scale)·q − (dmin·min).  Each format only differs in how q, scale and min
// are packed; the decode_* functions below unpack one block into that shape, and a single
// dequantiser and dot product work on the result. The float expressions are arranged
// exactly as in ggml's reference code so that dequantised values match bit for bit.
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/lane_order.h"
#include "engine/tensor/quants.h"

namespace tq::quants {
namespace {

constexpr int kGroups = kQK_K / 16;  // 16-weight groups per super-block

struct KBlock {
  float d = 0.0f;
  float dmin = 0.0f;   // 0 for the formats without mins (Q3_K, Q6_K)
  int8_t q[kQK_K];     // quantised weights, offsets already applied (Q3_K, Q6_K)
  int scale[kGroups];  // per 16-weight group
  int min[kGroups];    // per 16-weight group; 0 where the format has no mins
};

// Q4_K/Q5_K: scale and min of sub-block j (0..7, 32 weights each) as 6-bit numbers packed
// into 12 bytes: bytes 0-3 hold the low 6 bits of scales 0-3, bytes 4-7 those of mins 0-3;
// for sub-blocks 4-7 bytes 8-11 hold the low 4 bits (scale in the low nibble, min in the
// high one) and the top 2 bits of bytes 0-3 (scales) and 4-7 (mins) hold the high 2 bits.
void scale_min_k4(int j, const uint8_t* s, int& scale, int& min) {
  if (j < 4) {
    scale = s[j] & 63;
    min = s[j + 4] & 63;
  } else {
    scale = (s[j + 4] & 0x0F) | (s[j - 4] >> 6) << 4;
    min = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
  }
}

// Q2_K: q in 0..3, four per byte. Within each 128-weight half, 32 bytes of qs serve four
// runs of 32 weights, run r taking bits 2r..2r+1. scales[g]: 4-bit scale | 4-bit min << 4.
void decode(const block_q2_K& b, KBlock& k) {
  k.d = fp16_to_fp32(b.d);
  k.dmin = fp16_to_fp32(b.dmin);
  for (int half = 0; half < 2; ++half)
    for (int r = 0; r < 4; ++r)
      for (int l = 0; l < 32; ++l)
        k.q[128 * half + 32 * r + l] = static_cast<int8_t>((b.qs[32 * half + l] >> (2 * r)) & 3);
  for (int g = 0; g < kGroups; ++g) {
    k.scale[g] = b.scales[g] & 0x0F;
    k.min[g] = b.scales[g] >> 4;
  }
}

// Q3_K: low 2 bits as in Q2_K; the third bit of weight 128·half + 32·r + l is bit
// (4·half + r) of hmask[l], and a *clear* bit means subtract 4 (q in -4..3).
// Scales: 16 six-bit values, stored +32. Low 4 bits: scale g in the low (g < 8) or high
// (g >= 8) nibble of byte g % 8; high 2 bits: bits 2·(g/4)..+1 of byte 8 + g % 4.
void decode(const block_q3_K& b, KBlock& k) {
  k.d = fp16_to_fp32(b.d);
  k.dmin = 0.0f;
  for (int half = 0; half < 2; ++half)
    for (int r = 0; r < 4; ++r) {
      const int bit = 1 << (4 * half + r);
      for (int l = 0; l < 32; ++l) {
        const int low = (b.qs[32 * half + l] >> (2 * r)) & 3;
        k.q[128 * half + 32 * r + l] = static_cast<int8_t>(low - ((b.hmask[l] & bit) ? 0 : 4));
      }
    }
  for (int g = 0; g < kGroups; ++g) {
    const int low = (b.scales[g % 8] >> (4 * (g / 8))) & 0x0F;
    const int high = (b.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
    k.scale[g] = (low | high << 4) - 32;
    k.min[g] = 0;
  }
}

// Q4_K: each 64-weight chunk c uses 32 bytes of qs: low nibbles are weights 64c..64c+31
// (sub-block 2c), high nibbles weights 64c+32..64c+63 (sub-block 2c+1).
void decode(const block_q4_K& b, KBlock& k) {
  k.d = fp16_to_fp32(b.d);
  k.dmin = fp16_to_fp32(b.dmin);
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l) {
      k.q[64 * c + l] = static_cast<int8_t>(b.qs[32 * c + l] & 0x0F);
      k.q[64 * c + 32 + l] = static_cast<int8_t>(b.qs[32 * c + l] >> 4);
    }
  for (int sb = 0; sb < 8; ++sb) {
    int scale, min;
    scale_min_k4(sb, b.scales, scale, min);
    k.scale[2 * sb] = k.scale[2 * sb + 1] = scale;
    k.min[2 * sb] = k.min[2 * sb + 1] = min;
  }
}

// Q5_K: Q4_K plus a 5th bit: weight 32·s + l (sub-block s) takes bit s of qh[l].
void decode(const block_q5_K& b, KBlock& k) {
  k.d = fp16_to_fp32(b.d);
  k.dmin = fp16_to_fp32(b.dmin);
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l) {
      const int lo_bit = (b.qh[l] >> (2 * c)) & 1;
      const int hi_bit = (b.qh[l] >> (2 * c + 1)) & 1;
      k.q[64 * c + l] = static_cast<int8_t>((b.qs[32 * c + l] & 0x0F) | lo_bit << 4);
      k.q[64 * c + 32 + l] = static_cast<int8_t>((b.qs[32 * c + l] >> 4) | hi_bit << 4);
    }
  for (int sb = 0; sb < 8; ++sb) {
    int scale, min;
    scale_min_k4(sb, b.scales, scale, min);
    k.scale[2 * sb] = k.scale[2 * sb + 1] = scale;
    k.min[2 * sb] = k.min[2 * sb + 1] = min;
  }
}

// Q6_K: per 128-weight half, 64 bytes of ql (low 4 bits) and 32 of qh (high 2 bits).
// Weight 128·half + 32·r + l takes bits 2r..2r+1 of qh[l] and a nibble of ql:
// r = 0 → low nibble of ql[l], r = 1 → low of ql[l+32], r = 2 → high of ql[l],
// r = 3 → high of ql[l+32]. q = 6-bit value − 32; the 16 group scales are plain int8.
void decode(const block_q6_K& b, KBlock& k) {
  k.d = fp16_to_fp32(b.d);
  k.dmin = 0.0f;
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = b.ql + 64 * half;
    const uint8_t* qh = b.qh + 32 * half;
    int8_t* q = k.q + 128 * half;
    for (int l = 0; l < 32; ++l) {
      q[l] = static_cast<int8_t>(((ql[l] & 0x0F) | ((qh[l] >> 0) & 3) << 4) - 32);
      q[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0x0F) | ((qh[l] >> 2) & 3) << 4) - 32);
      q[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32);
      q[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32);
    }
  }
  for (int g = 0; g < kGroups; ++g) {
    k.scale[g] = b.scales[g];
    k.min[g] = 0;
  }
}

template <typename Block>
void dequantize_k(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const Block*>(src);
  KBlock k;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    decode(b[i], k);
    for (int g = 0; g < kGroups; ++g) {
      const float dl = k.d * static_cast<float>(k.scale[g]);
      const float ml = k.dmin * static_cast<float>(k.min[g]);
      for (int l = 0; l < 16; ++l) *dst++ = dl * static_cast<float>(k.q[16 * g + l]) - ml;
    }
  }
}

// The dot products mirror the llama.cpp kernels that produced our golden logits: the AMX
// kernels for Q4_K/Q5_K/Q6_K (see vec_dot_k_amx) and ggml's x86 AVX2 kernels
// (ggml_vec_dot_q*_K_q8_K in ggml-cpu-quants.c) for Q2_K/Q3_K. All five share one integer
// core: the block's 256 products are
// weighted by their 16-weight group scale and summed into eight int32 lanes, where lane k
// holds the elements e with (e / 4) % 8 == k — the lanes a 32-byte maddubs+madd (with the
// scale broadcast per 16 bytes) produces when it walks the block 32 weights at a time.
// Integer sums are exact, so only the float steps below need to follow ggml's order.
struct BlockLanes {
  int32_t sumi[8];
};

void scaled_lane_sums(const KBlock& k, const int8_t* y, BlockLanes& out) {
  for (int& s : out.sumi) s = 0;
  for (int e = 0; e < kQK_K; ++e) out.sumi[(e >> 2) & 7] += k.scale[e >> 4] * (k.q[e] * y[e]);
}

// Σ over the eight 32-weight sub-blocks of min·(bsum pair) — Q4_K/Q5_K pair the Q8_K
// group sums (_mm_hadd_epi16) and multiply by the sub-block min (_mm_madd_epi16).
int32_t sub_block_min_products(const KBlock& k, const int16_t* bsums, int32_t out[4]) {
  int32_t total = 0;
  for (int p = 0; p < 4; ++p) {
    out[p] = k.min[4 * p] * (bsums[4 * p] + bsums[4 * p + 1]) +
             k.min[4 * p + 2] * (bsums[4 * p + 2] + bsums[4 * p + 3]);
    total += out[p];
  }
  return total;
}

// Q4_K, Q5_K and Q6_K weights live in ggml's AMX extra buffer on the reference machine, so
// llama.cpp ran them through ggml-cpu/amx/mmq.cpp (tinygemm_kernel_amx for batches, whose
// scale_C/acc_C steps we follow, and tinygemm_kernel_vnni for one token, same order). Per
// output there is ONE float accumulator and, per super-block in order:
//   sumi = Σ_groups scale·Σ q·y            (exact int32)
//   acc  = fma(float(sumi), d_y·d, acc)
//   acc  = fma(float(summ), (−d_y)·dmin, acc)   Q4_K/Q5_K only, summ = Σ_sub-blocks
//                                              min·(pair of Q8_K bsums), exact int32
template <typename Block, bool kMins>
float vec_dot_k_amx(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const Block*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  KBlock k;
  BlockLanes l;
  float acc = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    decode(x[i], k);
    scaled_lane_sums(k, y[i].qs, l);
    int32_t sumi = 0;
    for (const int32_t s : l.sumi) sumi += s;
    acc = std::fma(static_cast<float>(sumi), y[i].d * k.d, acc);
    if (kMins) {
      int32_t prod[4];
      const int32_t summ = sub_block_min_products(k, y[i].bsums, prod);
      acc = std::fma(static_cast<float>(summ), -y[i].d * k.dmin, acc);
    }
  }
  return acc;
}

// Q3_K (no mins, ordinary CPU path: ggml_vec_dot_q3_K_q8_K's AVX2 code):
// acc_k = fma(d, sumi_k, acc_k), folded with hsum_float_8.
template <typename Block>
float vec_dot_k_plain(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const Block*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  KBlock k;
  BlockLanes l;
  float acc[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    decode(x[i], k);
    scaled_lane_sums(k, y[i].qs, l);
    const float d = y[i].d * k.d;
    for (int j = 0; j < 8; ++j) acc[j] = std::fma(d, static_cast<float>(l.sumi[j]), acc[j]);
  }
  return hsum8(acc);
}

}  // namespace

void dequantize_q2_K(const void* src, float* dst, int64_t n) {
  dequantize_k<block_q2_K>(src, dst, n);
}
void dequantize_q3_K(const void* src, float* dst, int64_t n) {
  dequantize_k<block_q3_K>(src, dst, n);
}
void dequantize_q4_K(const void* src, float* dst, int64_t n) {
  dequantize_k<block_q4_K>(src, dst, n);
}
void dequantize_q5_K(const void* src, float* dst, int64_t n) {
  dequantize_k<block_q5_K>(src, dst, n);
}
void dequantize_q6_K(const void* src, float* dst, int64_t n) {
  dequantize_k<block_q6_K>(src, dst, n);
}

// Q2_K: the per-16-group mins enter the same eight lanes first (lane k gets the min·bsum
// products of groups 2k and 2k+1, _mm256_madd_epi16), scaled by −d_y·dmin; then the
// quants, scaled by d_y·d.
float vec_dot_q2_K_q8_K(int64_t n, const void* vx, const void* vy) {
  const auto* x = static_cast<const block_q2_K*>(vx);
  const auto* y = static_cast<const block_q8_K*>(vy);
  KBlock k;
  BlockLanes l;
  float acc[8] = {};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    decode(x[i], k);
    const float d = y[i].d * k.d;
    const float dmin = -y[i].d * k.dmin;
    for (int j = 0; j < 8; ++j) {
      const int32_t m = k.min[2 * j] * y[i].bsums[2 * j] + k.min[2 * j + 1] * y[i].bsums[2 * j + 1];
      acc[j] = std::fma(dmin, static_cast<float>(m), acc[j]);
    }
    scaled_lane_sums(k, y[i].qs, l);
    for (int j = 0; j < 8; ++j) acc[j] = std::fma(d, static_cast<float>(l.sumi[j]), acc[j]);
  }
  return hsum8(acc);
}

float vec_dot_q3_K_q8_K(int64_t n, const void* x, const void* y) {
  return vec_dot_k_plain<block_q3_K>(n, x, y);
}

// Q4_K, Q5_K, Q6_K: the AMX order of vec_dot_k_amx above.
float vec_dot_q4_K_q8_K(int64_t n, const void* x, const void* y) {
  return vec_dot_k_amx<block_q4_K, true>(n, x, y);
}

float vec_dot_q5_K_q8_K(int64_t n, const void* x, const void* y) {
  return vec_dot_k_amx<block_q5_K, true>(n, x, y);
}

float vec_dot_q6_K_q8_K(int64_t n, const void* x, const void* y) {
  return vec_dot_k_amx<block_q6_K, false>(n, x, y);
}

}  // namespace tq::quants
