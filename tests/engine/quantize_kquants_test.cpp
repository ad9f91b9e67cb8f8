// The K-quant reference quantisers on synthetic rows: every code path decodes (with the
// independent dequantisers of engine/tensor) to within the format's precision, exact
// patterns come back nearly exactly, zero blocks stay zero, and quantising rows one by
// one equals quantising them together. Agreement with llama.cpp's bytes is checked on
// real weights in quantize_gold_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "engine/quantize/kquants.h"
#include "engine/tensor/ggml_type.h"

namespace tq {
namespace {

constexpr GgmlType kKTypes[] = {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                GgmlType::Q6_K};

std::vector<float> normal_row(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<float> round_trip(GgmlType type, const std::vector<float>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(row_size(type, n));
  weight_quantizer(type)(x.data(), q.data(), n);
  std::vector<float> y(x.size());
  type_traits(type).to_float(q.data(), y.data(), n);
  return y;
}

double rel_rmse(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0.0;
  double energy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    energy += double(x[i]) * x[i];
  }
  return std::sqrt(err / energy);
}

TEST(KQuants, GaussianRowsReconstructWithinTheFormatsPrecision) {
  // Relative RMSE on N(0,1) weights: roughly halves per extra bit. Bounds leave ~20% slack
  // over what ggml's quantisers give.
  const double bound[] = {0.42, 0.22, 0.11, 0.055, 0.03};
  const std::vector<float> x = normal_row(16 * 256, 7);
  double previous = 1.0;
  for (size_t t = 0; t < std::size(kKTypes); ++t) {
    const double e = rel_rmse(x, round_trip(kKTypes[t], x));
    std::printf("%-5s relative rmse %.5f\n", std::string(type_name(kKTypes[t])).c_str(), e);
    EXPECT_LT(e, bound[t]) << type_name(kKTypes[t]);
    EXPECT_LT(e, previous) << "more bits must mean less error";
    previous = e;
  }
}

TEST(KQuants, ExactPatternsComeBackExactly) {
  // Rows every group of which the format represents exactly with one shared scale (and
  // min): only the half-precision rounding of d/dmin remains, while a packing error would
  // show up as errors of order 0.1. Asymmetric formats: 0.1·(0..15) − 0.75 per 16 weights;
  // symmetric Q6_K: 0.05·(−8..7) per 16 weights (codes −32..28 against the largest, −0.4).
  std::vector<float> asym(512);
  std::vector<float> sym(512);
  for (size_t i = 0; i < asym.size(); ++i) {
    asym[i] = 0.1f * static_cast<float>(i % 16) - 0.75f;
    sym[i] = 0.05f * (static_cast<float>(i % 16) - 8.0f);
  }
  for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    const std::vector<float>& x = t == GgmlType::Q6_K ? sym : asym;
    const std::vector<float> y = round_trip(t, x);
    double max_err = 0.0;
    for (size_t i = 0; i < x.size(); ++i)
      max_err = std::max(max_err, std::fabs(double(x[i]) - y[i]));
    EXPECT_LT(max_err, 0.003) << type_name(t);
  }
}

TEST(KQuants, ZeroBlocksStayZero) {
  std::vector<float> x(512, 0.0f);
  for (int i = 256; i < 512; ++i)
    x[static_cast<size_t>(i)] = std::sin(0.1f * static_cast<float>(i));
  for (GgmlType t : kKTypes) {
    const std::vector<float> y = round_trip(t, x);
    for (int i = 0; i < 256; ++i)
      ASSERT_EQ(y[static_cast<size_t>(i)], 0.0f) << type_name(t) << " " << i;
    EXPECT_LT(rel_rmse(std::vector<float>(x.begin() + 256, x.end()),
                       std::vector<float>(y.begin() + 256, y.end())),
              0.45)
        << type_name(t);
  }
}

TEST(KQuants, RowsAreIndependent) {
  const std::vector<float> x = normal_row(4 * 256, 11);
  for (GgmlType t : kKTypes) {
    const size_t rs = row_size(t, 256);
    std::vector<uint8_t> together(4 * rs);
    weight_quantizer(t)(x.data(), together.data(), 4 * 256);
    std::vector<uint8_t> one(rs);
    for (size_t r = 0; r < 4; ++r) {
      weight_quantizer(t)(x.data() + r * 256, one.data(), 256);
      EXPECT_EQ(0, std::memcmp(one.data(), together.data() + r * rs, rs)) << type_name(t) << r;
    }
  }
}

TEST(KQuants, OneSidedAndOutlierRows) {
  // All-positive rows (min clamps to 0) and a row with one large outlier per block.
  std::vector<float> pos = normal_row(256, 3);
  for (auto& v : pos) v = std::fabs(v);
  std::vector<float> outlier = normal_row(256, 5);
  outlier[17] = 40.0f;
  for (GgmlType t : kKTypes) {
    EXPECT_LT(rel_rmse(pos, round_trip(t, pos)), 0.3) << type_name(t);
    const std::vector<float> y = round_trip(t, outlier);
    EXPECT_NEAR(y[17], 40.0f, 40.0f * 0.1f) << type_name(t);
  }
}

TEST(KQuants, WeightQuantizerTable) {
  EXPECT_EQ(weight_quantizer(GgmlType::Q4_K), &quantize_q4_K_ref);
  EXPECT_EQ(weight_quantizer(GgmlType::Q8_0), type_traits(GgmlType::Q8_0).from_float);
  EXPECT_EQ(weight_quantizer(GgmlType::F16), type_traits(GgmlType::F16).from_float);
}

}  // namespace
}  // namespace tq
