// Quantisers for the activation ("vec_dot") types: Q8_0, Q8_1 and Q8_K.
//
// llama.cpp converts each activation row to the weight type's vec_dot type once and then
// runs integer dot products; to agree with it we must produce the same bytes.
//
// Q8_0 / Q8_1 on x86: llama.cpp's CPU backend does not use the _ref quantiser for
// activations but an AVX path that multiplies by id = 127/amax (not 1/d with d = amax/127)
// and rounds to nearest-even (not roundf's ties-away). The two differ only on exact ties
// or when 127/amax and 1/(amax/127) differ in the last bit and that bit decides a rounding;
// we follow the AVX path, since that is what produced the reference logits.
//
// Q8_K: llama.cpp uses quantize_row_q8_K_ref on every x86 build (there is no SIMD
// variant). It scales by the signed value of largest magnitude `max`: iscale = -127/max,
// q = nearest_int(iscale·x) clamped to 127, d = 1/iscale. The -127 (not -128) is
// deliberate in ggml (a comment there says -128 made the IQ2_XXS AVX code awkward), so q
// spans -127..127 and d is negative whenever max is positive; the product d·q is what
// matters and comes out with the right sign.
#include <algorithm>
#include <cmath>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/quants.h"

namespace tq::quants {
namespace {

float absmax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j) amax = std::max(amax, std::fabs(x[j]));
  return amax;
}

}  // namespace

void quantize_q8_0_activation(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, x += kQK8_0) {
    const float amax = absmax(x, kQK8_0);
    b[i].d = fp32_to_fp16(amax / 127.f);
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (int j = 0; j < kQK8_0; ++j) b[i].qs[j] = static_cast<int8_t>(nearest_int(x[j] * id));
  }
}

// ggml's quantize_row_q8_1_ref: roundf, id = 1/d, s = fp16(sum(q) * d) with d unrounded.
void quantize_q8_1_ref(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, x += kQK8_1) {
    const float d = absmax(x, kQK8_1) / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = fp32_to_fp16(d);
    int sum = 0;
    for (int j = 0; j < kQK8_1; ++j) {
      b[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
      sum += b[i].qs[j];
    }
    b[i].s = fp32_to_fp16(static_cast<float>(sum) * d);
  }
}

void quantize_q8_1_activation(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, x += kQK8_1) {
    const float amax = absmax(x, kQK8_1);
    const float d = amax / 127.f;
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    b[i].d = fp32_to_fp16(d);
    int sum = 0;
    for (int j = 0; j < kQK8_1; ++j) {
      b[i].qs[j] = static_cast<int8_t>(nearest_int(x[j] * id));
      sum += b[i].qs[j];
    }
    b[i].s = fp32_to_fp16(d * static_cast<float>(sum));
  }
}

void dequantize_q8_1(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q8_1*>(src);
  for (int64_t i = 0; i < n / kQK8_1; ++i, dst += kQK8_1) {
    const float d = fp16_to_fp32(b[i].d);
    for (int j = 0; j < kQK8_1; ++j) dst[j] = static_cast<float>(b[i].qs[j]) * d;
  }
}

void quantize_q8_K(const float* x, void* dst, int64_t n) {
  auto* b = static_cast<block_q8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    if (amax == 0.0f) {  // all zero (ggml leaves bsums unset here; d = 0 makes them moot)
      b[i] = block_q8_K{};
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j)
      b[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
    for (int g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j) sum += b[i].qs[16 * g + j];
      b[i].bsums[g] = static_cast<int16_t>(sum);
    }
    b[i].d = 1 / iscale;
  }
}

void dequantize_q8_K(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const block_q8_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i, dst += kQK_K)
    for (int j = 0; j < kQK_K; ++j) dst[j] = b[i].d * static_cast<float>(b[i].qs[j]);
}

}  // namespace tq::quants
