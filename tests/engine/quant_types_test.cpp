// The traits table and the unquantised types: block geometry agrees with the packed
// structs, every weight type is wired to the activation type llama.cpp pairs it with, and
// F32/F16/BF16 conversions and dot products.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/quantize_row.h"
#include "quant_test_support.h"

namespace tq {
namespace {

TEST(QuantTypes, StructSizesMatchTraits) {
  struct Want {
    GgmlType type;
    int64_t block;
    size_t bytes;
  };
  const Want want[] = {
      {GgmlType::Q4_0, 32, sizeof(block_q4_0)},  {GgmlType::Q4_1, 32, sizeof(block_q4_1)},
      {GgmlType::Q5_0, 32, sizeof(block_q5_0)},  {GgmlType::Q5_1, 32, sizeof(block_q5_1)},
      {GgmlType::Q8_0, 32, sizeof(block_q8_0)},  {GgmlType::Q8_1, 32, sizeof(block_q8_1)},
      {GgmlType::Q2_K, 256, sizeof(block_q2_K)}, {GgmlType::Q3_K, 256, sizeof(block_q3_K)},
      {GgmlType::Q4_K, 256, sizeof(block_q4_K)}, {GgmlType::Q5_K, 256, sizeof(block_q5_K)},
      {GgmlType::Q6_K, 256, sizeof(block_q6_K)}, {GgmlType::Q8_K, 256, sizeof(block_q8_K)},
  };
  for (const Want& w : want) {
    EXPECT_EQ(type_traits(w.type).block_size, w.block) << type_name(w.type);
    EXPECT_EQ(type_traits(w.type).type_size, w.bytes) << type_name(w.type);
  }
  // The sizes ggml's format fixes, spelled out once more.
  EXPECT_EQ(sizeof(block_q4_0), 18u);
  EXPECT_EQ(sizeof(block_q4_1), 20u);
  EXPECT_EQ(sizeof(block_q5_0), 22u);
  EXPECT_EQ(sizeof(block_q5_1), 24u);
  EXPECT_EQ(sizeof(block_q8_0), 34u);
  EXPECT_EQ(sizeof(block_q8_1), 36u);
  EXPECT_EQ(sizeof(block_q2_K), 84u);
  EXPECT_EQ(sizeof(block_q3_K), 110u);
  EXPECT_EQ(sizeof(block_q4_K), 144u);
  EXPECT_EQ(sizeof(block_q5_K), 176u);
  EXPECT_EQ(sizeof(block_q6_K), 210u);
  EXPECT_EQ(sizeof(block_q8_K), 292u);
}

TEST(QuantTypes, WeightTypesHaveKernelsAndTheirActivationType) {
  struct Pair {
    GgmlType weight, activation;
  };
  // F16 weights meet F32 activations, as in llama.cpp's AMX-buffer F16 kernel
  // (quants_float.cpp).
  for (const Pair p : {Pair{GgmlType::F32, GgmlType::F32}, Pair{GgmlType::F16, GgmlType::F32},
                       Pair{GgmlType::BF16, GgmlType::BF16}, Pair{GgmlType::Q4_0, GgmlType::Q8_0},
                       Pair{GgmlType::Q4_1, GgmlType::Q8_1}, Pair{GgmlType::Q5_0, GgmlType::Q8_0},
                       Pair{GgmlType::Q5_1, GgmlType::Q8_1}, Pair{GgmlType::Q8_0, GgmlType::Q8_0},
                       Pair{GgmlType::Q2_K, GgmlType::Q8_K}, Pair{GgmlType::Q3_K, GgmlType::Q8_K},
                       Pair{GgmlType::Q4_K, GgmlType::Q8_K}, Pair{GgmlType::Q5_K, GgmlType::Q8_K},
                       Pair{GgmlType::Q6_K, GgmlType::Q8_K}}) {
    const TypeTraits& t = type_traits(p.weight);
    EXPECT_EQ(t.vec_dot_type, p.activation) << t.name;
    EXPECT_NE(t.to_float, nullptr) << t.name;
    EXPECT_NE(t.vec_dot, nullptr) << t.name;
    EXPECT_NE(type_traits(p.activation).from_float, nullptr) << t.name;
    EXPECT_EQ(activation_row_size(p.weight, 512), row_size(p.activation, 512));
  }
}

TEST(QuantTypes, QuantizeActivationsRejectsPartialBlocks) {
  std::vector<float> x(48, 1.0f);
  std::vector<uint8_t> out(1024);
  EXPECT_THROW(quantize_activations(GgmlType::Q8_0, x.data(), out.data(), 48), Error);
  EXPECT_THROW(quantize_activations(GgmlType::Q8_K, x.data(), out.data(), 48), Error);
  EXPECT_NO_THROW(quantize_activations(GgmlType::F16, x.data(), out.data(), 48));
}

TEST(QuantTypes, HalfAndBfloatDecodeKnownBits) {
  const uint16_t f16[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555, 0x8000};
  const float f16_want[] = {1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), 0.333251953125f, -0.0f};
  const auto f = test::dequantize(GgmlType::F16, f16, 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(f[i], f16_want[i]) << i;
  EXPECT_TRUE(std::signbit(f[5]));

  const uint16_t bf16[] = {0x3F80, 0xC040, 0x4049, 0x0000};
  const float bf16_want[] = {1.0f, -3.0f, 3.140625f, 0.0f};
  const auto b = test::dequantize(GgmlType::BF16, bf16, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b[i], bf16_want[i]) << i;
}

TEST(QuantTypes, FloatRowsRoundTrip) {
  const auto x = test::random_row(37, 3, 10.0f);
  const auto f32 = test::quantize(GgmlType::F32, x);
  EXPECT_EQ(test::dequantize(GgmlType::F32, f32.data(), 37), x);
  const auto f16 = test::dequantize(GgmlType::F16, test::quantize(GgmlType::F16, x).data(), 37);
  const auto bf16 = test::dequantize(GgmlType::BF16, test::quantize(GgmlType::BF16, x).data(), 37);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(f16[i], fp16_to_fp32(fp32_to_fp16(x[i])));
    EXPECT_NEAR(f16[i], x[i], std::fabs(x[i]) / 2048.0f);
    EXPECT_NEAR(bf16[i], x[i], std::fabs(x[i]) / 256.0f);
  }
}

TEST(QuantTypes, FloatDotProducts) {
  for (int64_t n : {1, 7, 256, 1001}) {
    const auto y = test::random_row(n, 17 + static_cast<uint32_t>(n));
    for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16}) {
      const auto w = test::quantize(t, test::random_row(n, 3 + static_cast<uint32_t>(n)));
      test::check_vec_dot(t, w, y);
    }
  }
}

}  // namespace
}  // namespace tq
