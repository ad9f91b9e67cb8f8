// The AVX2 element-wise and attention kernels (engine/model/fast_ops.h) against plain
// double-precision formulas of the same maths.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "engine/model/fast_ops.h"

namespace tq {
namespace {

#define REQUIRE_FAST_OPS() \
  if (!fast_ops_available()) GTEST_SKIP() << "no AVX2 (or TQ_ISA=scalar): nothing to test"

std::vector<float> randoms(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

TEST(FastOps, SwigluMatchesTheFormulaIncludingExtremes) {
  REQUIRE_FAST_OPS();
  auto gate = randoms(1003, 1, 4.0f), up = randoms(1003, 2, 1.0f);
  gate[5] = -200.0f;  // exp overflows: silu → -0
  gate[6] = 200.0f;   // exp underflows: silu → x
  gate[7] = -87.0f;
  gate[8] = 0.0f;
  auto got = gate;
  fast::swiglu_avx2(got.data(), up.data(), static_cast<int64_t>(got.size()));
  for (size_t i = 0; i < gate.size(); ++i) {
    const double g = gate[i];
    const double want = g / (1.0 + std::exp(-g)) * up[i];
    EXPECT_NEAR(got[i], want, 4e-7 * std::fabs(want) + 1e-30) << "i=" << i << " g=" << g;
  }
}

TEST(FastOps, RmsNormMatchesTheFormula) {
  REQUIRE_FAST_OPS();
  for (int64_t n : {int64_t{7}, int64_t{64}, int64_t{896}, int64_t{2051}}) {
    auto x = randoms(static_cast<size_t>(n), 3, 2.0f), w = randoms(static_cast<size_t>(n), 4, 1.0f);
    auto got = x;
    fast::rms_norm_row_avx2(got.data(), n, w.data(), 1e-5f);
    double ss = 0.0;
    for (float v : x) ss += static_cast<double>(v) * v;
    const double scale = 1.0 / std::sqrt(ss / static_cast<double>(n) + 1e-5);
    for (int64_t i = 0; i < n; ++i) {
      const double want = x[static_cast<size_t>(i)] * scale * w[static_cast<size_t>(i)];
      EXPECT_NEAR(got[static_cast<size_t>(i)], want, 2e-6 * std::fabs(want) + 1e-12) << n;
    }
  }
}

TEST(FastOps, AttentionHeadMatchesSoftmaxOfDotProducts) {
  REQUIRE_FAST_OPS();
  for (int32_t hd : {8, 64, 128}) {
    for (int32_t n_kv : {1, 3, 4, 9, 33, 200}) {
      const size_t stride = static_cast<size_t>(hd) * 3;  // other heads sit in between
      const auto kf = randoms(stride * static_cast<size_t>(n_kv), 5, 1.0f);
      const auto vf = randoms(stride * static_cast<size_t>(n_kv), 6, 1.0f);
      const auto q = randoms(static_cast<size_t>(hd), 7, 3.0f);
      std::vector<uint16_t> k(kf.size()), v(vf.size());
      for (size_t i = 0; i < kf.size(); ++i) {
        k[i] = fp32_to_fp16(kf[i]);
        v[i] = fp32_to_fp16(vf[i]);
      }
      std::vector<float> scores(static_cast<size_t>(n_kv + 8)), out(static_cast<size_t>(hd));
      AttentionHead a;
      a.q = q.data();
      a.k = k.data() + hd;  // the second head of each position
      a.v = v.data() + hd;
      a.stride = stride;
      a.head_dim = hd;
      a.n_kv = n_kv;
      a.scale = 1.0f / std::sqrt(static_cast<float>(hd));
      a.scores = scores.data();
      a.out = out.data();
      fast::attention_head_avx2(a);

      std::vector<double> s(static_cast<size_t>(n_kv));
      double max = -INFINITY;
      for (int32_t j = 0; j < n_kv; ++j) {
        double d = 0.0;
        for (int32_t i = 0; i < hd; ++i)
          d += static_cast<double>(q[static_cast<size_t>(i)]) *
               fp16_to_fp32(k[static_cast<size_t>(j) * stride + static_cast<size_t>(hd + i)]);
        s[static_cast<size_t>(j)] = d * a.scale;
        max = std::max(max, s[static_cast<size_t>(j)]);
      }
      double sum = 0.0;
      for (double& x : s) sum += (x = std::exp(x - max));
      for (int32_t i = 0; i < hd; ++i) {
        double want = 0.0;
        for (int32_t j = 0; j < n_kv; ++j)
          want += s[static_cast<size_t>(j)] / sum *
                  fp16_to_fp32(v[static_cast<size_t>(j) * stride + static_cast<size_t>(hd + i)]);
        EXPECT_NEAR(out[static_cast<size_t>(i)], want, 1e-5) << "hd " << hd << " n_kv " << n_kv;
      }
    }
  }
}

}  // namespace
}  // namespace tq
