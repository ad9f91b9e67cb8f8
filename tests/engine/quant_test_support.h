// Helpers shared by the quantisation tests: deterministic random rows, row conversion
// through the traits table, and dot products computed in double as the yardstick.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/quantize_row.h"

namespace tq::test {

inline std::vector<float> random_row(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

inline std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() >> 24);
  return v;
}

inline std::vector<uint8_t> quantize(GgmlType type, const std::vector<float>& x) {
  std::vector<uint8_t> out(row_size(type, static_cast<int64_t>(x.size())));
  type_traits(type).from_float(x.data(), out.data(), static_cast<int64_t>(x.size()));
  return out;
}

inline std::vector<float> dequantize(GgmlType type, const void* data, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  type_traits(type).to_float(data, out.data(), n);
  return out;
}

inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

inline double abs_dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += std::fabs(static_cast<double>(a[i]) * b[i]);
  return s;
}

// Checks vec_dot(w, quantize_activations(y)) two ways:
//  - against dequant(w)·dequant(yq) in double: the same quantities, so only float rounding
//    (plus, for Q8_1, the half-precision rounding of the stored s = d·Σq) may differ;
//  - against dequant(w)·y: the activation quantisation error, bounded per element by
//    |d|·(1/2 + 127·2^-11) for the Q8 formats with a half scale (rounding of q plus the
//    rounding of d to half), |d|/2 for Q8_K's float d, and |y|·2^-8 for F16/BF16.
inline void check_vec_dot(GgmlType wt, const std::vector<uint8_t>& w, const std::vector<float>& y) {
  const int64_t n = static_cast<int64_t>(y.size());
  const TypeTraits& t = type_traits(wt);
  const GgmlType at = t.vec_dot_type;
  std::vector<uint8_t> yq(activation_row_size(wt, n));
  quantize_activations(at, y.data(), yq.data(), n);
  const float got = t.vec_dot(n, w.data(), yq.data());

  const std::vector<float> wf = dequantize(wt, w.data(), n);
  const std::vector<float> yf = dequantize(at, yq.data(), n);

  double s_slack = 0.0;  // Q8_1: m·s with s rounded to half
  if (at == GgmlType::Q8_1) {
    const auto* yb = reinterpret_cast<const block_q8_1*>(yq.data());
    for (int64_t b = 0; b < n / 32; ++b) {
      half_bits m_bits;  // m follows d in both block_q4_1 and block_q5_1
      std::memcpy(&m_bits, w.data() + b * static_cast<int64_t>(t.type_size) + 2, 2);
      int qsum = 0;
      for (int j = 0; j < 32; ++j) qsum += yb[b].qs[j];
      const double exact_s = fp16_to_fp32(yb[b].d) * qsum;
      s_slack += std::fabs(fp16_to_fp32(m_bits)) *
                 (std::fabs(fp16_to_fp32(yb[b].s)) + std::fabs(exact_s)) * std::ldexp(1.0, -10);
    }
  }
  const double same = dot(wf, yf);
  EXPECT_NEAR(got, same, 1e-5 * abs_dot(wf, yf) + s_slack + 1e-30)
      << type_name(wt) << " n=" << n << ": vec_dot vs dequantised operands";

  const int64_t bs = type_traits(at).block_size;
  double bound = 0.0;
  for (int64_t b = 0; b < n / bs; ++b) {
    float amax = 0.0f;
    for (int64_t j = b * bs; j < (b + 1) * bs; ++j) amax = std::max(amax, std::fabs(y[j]));
    for (int64_t j = b * bs; j < (b + 1) * bs; ++j) {
      double e;
      switch (at) {
        case GgmlType::Q8_0:
        case GgmlType::Q8_1:
          e = amax / 127.0 * (0.5 + 127.0 / 2048.0);
          break;
        case GgmlType::Q8_K:
          e = amax / 127.0 * 0.5 * (1 + 1e-6);
          break;
        case GgmlType::F16:
          e = std::fabs(y[j]) / 2048.0 + 6e-8;
          break;
        case GgmlType::BF16:
          e = std::fabs(y[j]) / 256.0;
          break;
        default:
          e = 0.0;
      }
      bound += std::fabs(wf[j]) * e;
    }
  }
  EXPECT_NEAR(got, dot(wf, y), bound + s_slack + 1e-5 * abs_dot(wf, y) + 1e-30)
      << type_name(wt) << " n=" << n << ": vec_dot vs float activations";
}

}  // namespace tq::test
