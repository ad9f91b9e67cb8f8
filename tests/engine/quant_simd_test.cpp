// Every SIMD kernel the running CPU can execute against its scalar reference, on random
// blocks, odd block counts and extreme values. The promise is bit-identity (both mirror
// the same llama.cpp kernel), so floats are compared by their bits and bytes by memcmp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/cpu_features.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/quants.h"
#include "engine/tensor/quants_simd.h"

namespace tq {
namespace {

using namespace quants;

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

bool skip_without_avx2() {
  return !cpu_features().has_avx2_set();
}

#define REQUIRE_AVX2()                                                  \
  if (skip_without_avx2())                                              \
  GTEST_SKIP() << "CPU lacks AVX2+FMA+F16C; AVX2 kernels not testable " \
                  "here"

// Random bytes for a row of `type`, then the fields that must be sane are overwritten: half
// scales become finite halves of moderate size, int8 quants avoid -128 (outside every
// quantiser's range, and where ggml's sign trick itself overflows), Q8_K bsums match qs.
std::vector<uint8_t> random_row(GgmlType type, int64_t blocks, std::mt19937& rng,
                                float scale = 1.0f) {
  const TypeTraits& t = type_traits(type);
  std::vector<uint8_t> v(t.type_size * static_cast<size_t>(blocks));
  for (auto& b : v) b = static_cast<uint8_t>(rng() >> 24);
  std::uniform_real_distribution<float> u(-scale, scale);
  auto half_at = [&](uint8_t* p) {
    const uint16_t h = fp32_to_fp16(u(rng));
    std::memcpy(p, &h, 2);
  };
  auto fix_i8 = [](uint8_t* p, int n) {
    for (int i = 0; i < n; ++i)
      if (p[i] == 0x80) p[i] = 0x81;
  };
  for (int64_t i = 0; i < blocks; ++i) {
    uint8_t* b = v.data() + t.type_size * static_cast<size_t>(i);
    switch (type) {
      case GgmlType::Q4_0:
      case GgmlType::Q5_0:
        half_at(b);
        break;
      case GgmlType::Q4_1:
      case GgmlType::Q5_1:
      case GgmlType::Q4_K:
      case GgmlType::Q5_K:
        half_at(b);
        half_at(b + 2);
        break;
      case GgmlType::Q8_0:
        half_at(b);
        fix_i8(b + 2, 32);
        break;
      case GgmlType::Q8_1:
        half_at(b);
        half_at(b + 2);
        fix_i8(b + 4, 32);
        break;
      case GgmlType::Q2_K:
        half_at(b + 80);
        half_at(b + 82);
        break;
      case GgmlType::Q3_K:
        half_at(b + 108);
        break;
      case GgmlType::Q6_K:
        half_at(b + 208);
        break;
      case GgmlType::Q8_K: {
        auto* k = reinterpret_cast<block_q8_K*>(b);
        k->d = u(rng) / 127.0f;
        fix_i8(reinterpret_cast<uint8_t*>(k->qs), kQK_K);
        for (int g = 0; g < 16; ++g) {
          int s = 0;
          for (int j = 0; j < 16; ++j) s += k->qs[16 * g + j];
          k->bsums[g] = static_cast<int16_t>(s);
        }
        break;
      }
      case GgmlType::F16:
        for (size_t j = 0; j < t.type_size; j += 2) half_at(b + j);
        break;
      case GgmlType::BF16: {
        const uint16_t h = fp32_to_bf16(u(rng));
        std::memcpy(b, &h, 2);
        break;
      }
      case GgmlType::F32: {
        const float f = u(rng);
        std::memcpy(b, &f, 4);
        break;
      }
      default:
        break;
    }
  }
  return v;
}

struct DotCase {
  GgmlType weight;
  VecDotFn scalar;
  VecDotFn simd;
};

const DotCase kAvx2Dots[] = {
    {GgmlType::Q8_0, vec_dot_q8_0_q8_0, vec_dot_q8_0_q8_0_avx2},
    {GgmlType::Q4_0, vec_dot_q4_0_q8_0, vec_dot_q4_0_q8_0_avx2},
    {GgmlType::Q5_0, vec_dot_q5_0_q8_0, vec_dot_q5_0_q8_0_avx2},
    {GgmlType::Q4_1, vec_dot_q4_1_q8_1, vec_dot_q4_1_q8_1_avx2},
    {GgmlType::Q5_1, vec_dot_q5_1_q8_1, vec_dot_q5_1_q8_1_avx2},
    {GgmlType::Q2_K, vec_dot_q2_K_q8_K, vec_dot_q2_K_q8_K_avx2},
    {GgmlType::Q3_K, vec_dot_q3_K_q8_K, vec_dot_q3_K_q8_K_avx2},
    {GgmlType::Q4_K, vec_dot_q4_K_q8_K, vec_dot_q4_K_q8_K_avx2},
    {GgmlType::Q5_K, vec_dot_q5_K_q8_K, vec_dot_q5_K_q8_K_avx2},
    {GgmlType::Q6_K, vec_dot_q6_K_q8_K, vec_dot_q6_K_q8_K_avx2},
    {GgmlType::F32, vec_dot_f32, vec_dot_f32_avx2},
    {GgmlType::F16, vec_dot_f16, vec_dot_f16_avx2},
    {GgmlType::BF16, vec_dot_bf16, vec_dot_bf16_avx2},
};

TEST(QuantSimd, Avx2VecDotsBitIdenticalToScalar) {
  REQUIRE_AVX2();
  std::mt19937 rng(1234);
  for (const DotCase& c : kAvx2Dots) {
    const TypeTraits& wt = type_traits(c.weight);
    const bool per_element = wt.block_size == 1;
    // Odd block counts; for the float types element counts around the 64-element step.
    const std::vector<int64_t> counts =
        per_element ? std::vector<int64_t>{1, 15, 31, 32, 63, 64, 65, 127, 200, 896, 4101}
                    : std::vector<int64_t>{1, 2, 3, 7, 17, 33};
    for (const int64_t blocks : counts)
      for (int rep = 0; rep < 20; ++rep) {
        const float scale = rep % 5 == 4 ? 60000.0f / 127 : 1.0f;  // large halves too
        const auto x = random_row(c.weight, blocks, rng, scale);
        const auto y = random_row(wt.vec_dot_type,
                                  blocks * wt.block_size / type_traits(wt.vec_dot_type).block_size,
                                  rng, scale);
        const int64_t n = blocks * wt.block_size;
        const float want = c.scalar(n, x.data(), y.data());
        const float got = c.simd(n, x.data(), y.data());
        ASSERT_EQ(bits(want), bits(got))
            << wt.name << " n=" << n << " rep=" << rep << ": scalar " << want << " vs avx2 " << got;
      }
  }
}

// Activation rows with the cases that decide rounding: exact .5 ties after scaling, zeros,
// a block of zeros, signed largest-magnitude ties, huge and tiny magnitudes.
std::vector<float> activation_row(int64_t n, std::mt19937& rng, int flavour) {
  std::normal_distribution<float> g(0.0f, flavour == 1 ? 1e-30f : (flavour == 2 ? 1e30f : 1.0f));
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& f : v) f = g(rng);
  if (flavour == 3) {  // multiples of amax/127·0.5 produce exact ties
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<float>(static_cast<int>(i % 255) - 127) * 0.5f;
  }
  if (flavour == 4 && n >= 64) {
    for (int i = 0; i < 32; ++i) v[static_cast<size_t>(i)] = 0.0f;
    v[40] = 3.0f;
    v[41] = -3.0f;  // equal magnitude, opposite sign: the first one sets Q8_K's sign
  }
  return v;
}

TEST(QuantSimd, Avx2ActivationQuantisersByteIdentical) {
  REQUIRE_AVX2();
  struct Q {
    const char* name;
    FromFloatFn scalar;
    FromFloatFn simd;
    GgmlType type;
  };
  const Q cases[] = {
      {"q8_0", quantize_q8_0_activation, quantize_q8_0_activation_avx2, GgmlType::Q8_0},
      {"q8_1", quantize_q8_1_activation, quantize_q8_1_activation_avx2, GgmlType::Q8_1},
      {"q8_K", quantize_q8_K, quantize_q8_K_avx2, GgmlType::Q8_K},
      {"f16", from_float_f16, from_float_f16_avx2, GgmlType::F16},
      {"bf16", from_float_bf16, from_float_bf16_avx2, GgmlType::BF16},
  };
  std::mt19937 rng(99);
  for (const Q& q : cases) {
    const int64_t bs = type_traits(q.type).block_size;
    for (const int64_t blocks : {1, 3, 5, 9})
      for (int flavour = 0; flavour < 5; ++flavour) {
        const int64_t n = (bs == 1 ? 257 : bs) * blocks;
        auto x = activation_row(n, rng, flavour);
        if (bs == 1 && flavour == 2) {  // overflow to inf, NaN kept quiet
          x[3] = std::numeric_limits<float>::infinity();
          x[5] = std::numeric_limits<float>::quiet_NaN();
        }
        std::vector<uint8_t> want(row_size(q.type, n)), got(want.size());
        q.scalar(x.data(), want.data(), n);
        q.simd(x.data(), got.data(), n);
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size()))
            << q.name << " blocks=" << blocks << " flavour=" << flavour;
      }
  }
}

TEST(QuantSimd, DispatchPicksAvailableLevel) {
  const std::string isa(active_isa());
  EXPECT_TRUE(isa == "scalar" || isa == "avx2" || isa == "avx512") << isa;
  if (isa == "avx512") {
    EXPECT_TRUE(cpu_features().has_avx512_set());
  }
  if (isa == "avx2") {
    EXPECT_TRUE(cpu_features().has_avx2_set());
  }
}

// The AVX-512 kernels are matrix kernels (gemm.h decode kernels, gemm_panel.h prompt
// kernels), compared with the reference bit for bit in GemmKernel.*; the row dots stay the
// AVX2 ones. Here: the avx512 level hands out the AVX-512 kernels for the types that have
// them.
TEST(QuantSimd, Avx512Kernels) {
  if (!cpu_features().has_avx512_set())
    GTEST_SKIP() << "CPU lacks AVX-512 F/BW/VL/DQ/VNNI; AVX-512 kernels not testable here";
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q8_0, IsaLevel::Avx512), gemm_q8_0_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q4_0, IsaLevel::Avx512), gemm_q4_0_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q5_0, IsaLevel::Avx512), gemm_q5_0_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q4_K, IsaLevel::Avx512), gemm_q4_K_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q5_K, IsaLevel::Avx512), gemm_q5_K_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q6_K, IsaLevel::Avx512), gemm_q6_K_avx512);
  EXPECT_EQ(gemm_kernel_for(GgmlType::Q8_0, IsaLevel::Avx2), gemm_q8_0_avx2);
  for (GgmlType t :
       {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q4_1, GgmlType::Q5_1}) {
    const PanelKernel* k = panel_kernel_legacy_avx512(t);
    ASSERT_NE(k, nullptr) << type_name(t);
    EXPECT_EQ(k->activation_type, type_traits(t).vec_dot_type) << type_name(t);
  }
  for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    const PanelKernel* k = panel_kernel_kquants_avx512(t);
    ASSERT_NE(k, nullptr) << type_name(t);
    EXPECT_EQ(k->activation_type, GgmlType::Q8_K) << type_name(t);
  }
  for (GgmlType t : {GgmlType::Q2_K, GgmlType::Q3_K}) {
    const PanelKernel* k = panel_kernel_q23k_avx512(t);
    ASSERT_NE(k, nullptr) << type_name(t);
    EXPECT_EQ(k->activation_type, GgmlType::Q8_K) << type_name(t);
  }
  for (GgmlType t : {GgmlType::F16, GgmlType::BF16}) {
    const PanelKernel* k = panel_kernel_float_avx512(t, /*has_bf16=*/true);
    ASSERT_NE(k, nullptr) << type_name(t);
    EXPECT_EQ(k->activation_type, type_traits(t).vec_dot_type) << type_name(t);
  }
  // vdpbf16ps needs AVX512_BF16; without it BF16 keeps the row dots.
  EXPECT_EQ(panel_kernel_float_avx512(GgmlType::BF16, /*has_bf16=*/false), nullptr);
  if (active_isa_level() == IsaLevel::Avx512)
    EXPECT_NE(panel_kernel(GgmlType::Q4_K), nullptr);
  else
    EXPECT_EQ(panel_kernel(GgmlType::Q4_K), nullptr);
}

}  // namespace
}  // namespace tq
