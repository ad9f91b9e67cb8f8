// The AVX2 attention and element-wise kernels (engine/model/simd_ops.h) against their
// scalar references in ops.cpp, compared by bits: they promise the same float operations
// in the same order, which is what keeps the gold logits whatever the CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "engine/model/ops.h"
#include "engine/model/simd_ops.h"
#include "engine/tensor/cpu_features.h"

namespace tq {
namespace {

#define REQUIRE_AVX2_OPS() \
  if (!avx2_ops_available()) GTEST_SKIP() << "no AVX2 (or TQ_ISA=scalar): nothing to compare"

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

std::vector<float> randoms(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

TEST(SimdOps, GgmlExpfOnEightLanesIsBitIdentical) {
  REQUIRE_AVX2_OPS();
  std::vector<float> x = randoms(4096, 1, 30.0f);
  // Edges: overflow, the subnormal range (ldexp rounding), underflow to 0, exact zero.
  for (float v : {-200.0f, 200.0f, 88.7f, 89.0f, -87.0f, -90.0f, -95.5f, -103.0f, -104.0f, -150.0f,
                  0.0f, -0.0f, 1e-8f, -1e-8f, 192.5f * 0.6931f, -133.1f})
    x.push_back(v);
  while (x.size() % 8) x.push_back(0.5f);
  std::vector<float> got(x.size());
  for (size_t i = 0; i < x.size(); i += 8) simd::ggml_expf8_avx2(x.data() + i, got.data() + i);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(bits(got[i]), bits(ggml_expf(x[i]))) << "x=" << x[i];
}

TEST(SimdOps, SwigluIsBitIdenticalIncludingTheLibmTail) {
  REQUIRE_AVX2_OPS();
  for (int64_t n : {int64_t{5}, int64_t{16}, int64_t{1003}, int64_t{5632}}) {
    auto gate = randoms(static_cast<size_t>(n), 2, 4.0f);
    const auto up = randoms(static_cast<size_t>(n), 3, 1.0f);
    if (n > 8) gate[1] = -200.0f, gate[2] = 200.0f, gate[3] = 0.0f;
    auto want = gate, got = gate;
    swiglu_reference(want.data(), up.data(), n);
    simd::swiglu_avx2(got.data(), up.data(), n);
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(bits(got[static_cast<size_t>(i)]), bits(want[static_cast<size_t>(i)]))
          << "n=" << n << " i=" << i;
  }
}

TEST(SimdOps, AttentionHeadIsBitIdentical) {
  REQUIRE_AVX2_OPS();
  for (int32_t hd : {16, 64, 128}) {
    for (int32_t n_kv : {1, 3, 15, 16, 17, 33, 200}) {
      const size_t stride = static_cast<size_t>(hd) * 3;  // other heads sit in between
      const auto kf = randoms(stride * static_cast<size_t>(n_kv), 5, 1.0f);
      const auto vf = randoms(stride * static_cast<size_t>(n_kv), 6, 1.0f);
      const auto q = randoms(static_cast<size_t>(hd), 7, 3.0f);
      std::vector<uint16_t> k(kf.size()), v(vf.size());
      for (size_t i = 0; i < kf.size(); ++i) {
        k[i] = fp32_to_fp16(kf[i]);
        v[i] = fp32_to_fp16(vf[i]);
      }
      auto run = [&](int isa) {  // 0 reference, 1 AVX2, 2 AVX-512
        // Scratch pre-filled with garbage: neither may read what it did not write.
        std::vector<float> scores(static_cast<size_t>((n_kv + 31) / 32 * 32), 1e30f);
        std::vector<float> lanes(static_cast<size_t>(16 * hd), -3.0f);
        std::vector<float> out(static_cast<size_t>(hd));
        AttentionHead a;
        a.q = q.data();
        a.k = k.data() + hd;  // the second head of each position
        a.v = v.data() + hd;
        a.stride = stride;
        a.head_dim = hd;
        a.n_kv = n_kv;
        a.scale = 1.0f / std::sqrt(static_cast<float>(hd));
        a.scores = scores.data();
        a.lanes = lanes.data();
        a.out = out.data();
        if (isa == 2) {
          simd::attention_head_avx512(a);
        } else if (isa == 1) {
          simd::attention_head_avx2(a);
        } else {
          attention_head_reference(a);
        }
        return out;
      };
      const auto want = run(0), got = run(1);
      for (int32_t i = 0; i < hd; ++i)
        ASSERT_EQ(bits(got[static_cast<size_t>(i)]), bits(want[static_cast<size_t>(i)]))
            << "hd " << hd << " n_kv " << n_kv << " dim " << i;
      if (cpu_features().has_avx512_set()) {
        const auto got512 = run(2);
        for (int32_t i = 0; i < hd; ++i)
          ASSERT_EQ(bits(got512[static_cast<size_t>(i)]), bits(want[static_cast<size_t>(i)]))
              << "avx512: hd " << hd << " n_kv " << n_kv << " dim " << i;
      }

      // And it is attention: softmax of scaled dot products, weighted sum of values.
      std::vector<double> s(static_cast<size_t>(n_kv));
      double max = -INFINITY, sum = 0.0;
      for (int32_t j = 0; j < n_kv; ++j) {
        double d = 0.0;
        for (int32_t i = 0; i < hd; ++i)
          d += static_cast<double>(q[static_cast<size_t>(i)]) *
               fp16_to_fp32(k[static_cast<size_t>(j) * stride + static_cast<size_t>(hd + i)]);
        s[static_cast<size_t>(j)] = d / std::sqrt(static_cast<double>(hd));
        max = std::max(max, s[static_cast<size_t>(j)]);
      }
      for (double& x : s) sum += (x = std::exp(x - max));
      for (int32_t i = 0; i < hd; ++i) {
        double o = 0.0;
        for (int32_t j = 0; j < n_kv; ++j)
          o += s[static_cast<size_t>(j)] / sum *
               fp16_to_fp32(v[static_cast<size_t>(j) * stride + static_cast<size_t>(hd + i)]);
        EXPECT_NEAR(got[static_cast<size_t>(i)], o, 2e-3) << "hd " << hd << " n_kv " << n_kv;
      }
    }
  }
}

}  // namespace
}  // namespace tq
