// Legacy block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): hand-built blocks decoded by hand,
// ggml's reference quantisers at their rounding boundaries, round-trip error bounds and
// dot products against quantised activations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/fp16.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/quantize_row.h"
#include "quant_test_support.h"

namespace tq {
namespace {

constexpr half_bits kHalf1 = 0x3C00, kHalf0_5 = 0x3800, kHalf0_25 = 0x3400, kHalf0_125 = 0x3000,
                    kHalf2 = 0x4000, kHalfMinus1 = 0xBC00, kHalf10 = 0x4900;

template <typename Block>
std::vector<float> decode(GgmlType type, const Block& b) {
  return test::dequantize(type, &b, 32);
}

TEST(QuantLegacy, DequantizeQ4_0ByHand) {
  block_q4_0 b{};
  b.d = kHalf0_5;
  std::memset(b.qs, 0x88, sizeof b.qs);  // every q = 8 → 0
  b.qs[0] = 0x1F;                        // element 0: 15, element 16: 1
  b.qs[15] = 0x80;                       // element 15: 0, element 31: 8
  const auto y = decode(GgmlType::Q4_0, b);
  EXPECT_EQ(y[0], 3.5f);    // (15 - 8) * 0.5
  EXPECT_EQ(y[16], -3.5f);  // (1 - 8) * 0.5
  EXPECT_EQ(y[15], -4.0f);  // (0 - 8) * 0.5
  EXPECT_EQ(y[31], 0.0f);
  EXPECT_EQ(y[7], 0.0f);
}

TEST(QuantLegacy, DequantizeQ4_1ByHand) {
  block_q4_1 b{};
  b.d = kHalf0_25;
  b.m = kHalfMinus1;
  b.qs[3] = 0xA2;  // element 3: 2, element 19: 10
  const auto y = decode(GgmlType::Q4_1, b);
  EXPECT_EQ(y[3], -0.5f);  // 2 * 0.25 - 1
  EXPECT_EQ(y[19], 1.5f);  // 10 * 0.25 - 1
  EXPECT_EQ(y[0], -1.0f);
}

TEST(QuantLegacy, DequantizeQ5_0ByHand) {
  block_q5_0 b{};
  b.d = kHalf2;
  b.qs[0] = 0x3C;   // element 0: low 12, element 16: low 3
  b.qh[0] = 0x01;   // bit 0: element 0 gets +16
  b.qh[2] = 0x01;   // bit 16: element 16 gets +16
  b.qs[15] = 0xF0;  // element 31: low 15
  b.qh[3] = 0x80;   // bit 31
  const auto y = decode(GgmlType::Q5_0, b);
  EXPECT_EQ(y[0], 24.0f);   // (28 - 16) * 2
  EXPECT_EQ(y[16], 6.0f);   // (19 - 16) * 2
  EXPECT_EQ(y[1], -32.0f);  // (0 - 16) * 2
  EXPECT_EQ(y[17], -32.0f);
  EXPECT_EQ(y[31], 30.0f);  // (31 - 16) * 2
  EXPECT_EQ(y[15], -32.0f);
}

TEST(QuantLegacy, DequantizeQ5_1ByHand) {
  block_q5_1 b{};
  b.d = kHalf0_5;
  b.m = kHalf10;
  b.qs[2] = 0x5F;  // element 2: low 15, element 18: low 5
  b.qh[0] = 0x04;  // bit 2
  const auto y = decode(GgmlType::Q5_1, b);
  EXPECT_EQ(y[2], 25.5f);   // 31 * 0.5 + 10
  EXPECT_EQ(y[18], 12.5f);  // 5 * 0.5 + 10
  EXPECT_EQ(y[0], 10.0f);
}

TEST(QuantLegacy, DequantizeQ8_0ByHand) {
  block_q8_0 b{};
  b.d = kHalf0_125;
  b.qs[0] = -127;
  b.qs[31] = 100;
  const auto y = decode(GgmlType::Q8_0, b);
  EXPECT_EQ(y[0], -15.875f);
  EXPECT_EQ(y[31], 12.5f);
  EXPECT_EQ(y[1], 0.0f);
}

// Q8_0 reference: d = amax/127 and roundf (ties away from zero). The activation path rounds
// ties to even instead, like llama.cpp's AVX code.
TEST(QuantLegacy, Q8_0RoundingBoundaries) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;  // amax → d = 1 exactly, id = 1
  x[1] = 0.5f;
  x[2] = -0.5f;
  x[3] = 2.5f;
  x[4] = -2.5f;
  x[5] = 0.49999997f;
  x[6] = 126.5f;
  x[7] = -127.0f;
  const std::vector<int> ref = {127, 1, -1, 3, -3, 0, 127, -127};
  const std::vector<int> act = {127, 0, 0, 2, -2, 0, 126, -127};

  const auto q = test::quantize(GgmlType::Q8_0, x);
  const auto* b = reinterpret_cast<const block_q8_0*>(q.data());
  EXPECT_EQ(b->d, kHalf1);
  for (size_t j = 0; j < ref.size(); ++j) EXPECT_EQ(b->qs[j], ref[j]) << "ref, element " << j;

  block_q8_0 a{};
  quantize_activations(GgmlType::Q8_0, x.data(), &a, 32);
  EXPECT_EQ(a.d, kHalf1);
  for (size_t j = 0; j < act.size(); ++j) EXPECT_EQ(a.qs[j], act[j]) << "activation, element " << j;
}

// Q4_0 reference: d = max/-8 with max the signed value of largest magnitude, and
// q = min(15, trunc(x/d + 8.5)) — round half up in q space, clamped.
TEST(QuantLegacy, Q4_0RoundingBoundaries) {
  std::vector<float> x(32, 0.0f);
  x[0] = -8.0f;  // max = -8 → d = 1
  x[1] = 0.5f;
  x[2] = 0.49f;
  x[3] = 7.0f;
  x[4] = 7.5f;  // would be 16 → clamped
  x[5] = -7.5f;
  x[6] = -7.5000005f;
  x[7] = -0.5f;
  x[8] = -0.51f;
  x[20] = 3.0f;  // high nibble of qs[4]
  const std::vector<int> want = {0, 9, 8, 15, 15, 1, 0, 8, 7};
  const auto q = test::quantize(GgmlType::Q4_0, x);
  const auto* b = reinterpret_cast<const block_q4_0*>(q.data());
  EXPECT_EQ(b->d, kHalf1);
  for (size_t j = 0; j < want.size(); ++j) EXPECT_EQ(b->qs[j] & 0x0F, want[j]) << "element " << j;
  EXPECT_EQ(b->qs[4] >> 4, 11);
  EXPECT_EQ(b->qs[9], 0x88);  // zeros → q = 8 in both nibbles

  // The same with a positive extreme flips d and thereby the tie direction in x.
  x = std::vector<float>(32, 0.0f);
  x[0] = 8.0f;  // d = -1
  x[1] = 0.5f;
  x[2] = -0.5f;
  const auto q2 = test::quantize(GgmlType::Q4_0, x);
  const auto* b2 = reinterpret_cast<const block_q4_0*>(q2.data());
  EXPECT_EQ(b2->d, kHalfMinus1);
  EXPECT_EQ(b2->qs[0] & 0x0F, 0);  // -8 + 8.5 → 0 → (0 - 8) * -1 = 8
  EXPECT_EQ(b2->qs[1] & 0x0F, 8);  // -0.5 + 8.5 = 8
  EXPECT_EQ(b2->qs[2] & 0x0F, 9);  // 0.5 + 8.5 = 9 → -1

  // All zeros: d = 0 / −8 = −0 (sign bit set, as ggml writes it), every q = 8.
  const auto qz = test::quantize(GgmlType::Q4_0, std::vector<float>(32, 0.0f));
  const auto* bz = reinterpret_cast<const block_q4_0*>(qz.data());
  EXPECT_EQ(bz->d, 0x8000);
  for (uint8_t v : bz->qs) EXPECT_EQ(v, 0x88);
}

TEST(QuantLegacy, Q4_1AndQ5RoundingBoundaries) {
  std::vector<float> x(32, 0.0f);
  x[1] = 15.0f;  // min 0, max 15 → d = 1, m = 0
  x[2] = 0.5f;
  x[3] = 0.4999f;
  x[4] = 14.5f;
  x[5] = 7.5f;
  const auto q = test::quantize(GgmlType::Q4_1, x);
  const auto* b = reinterpret_cast<const block_q4_1*>(q.data());
  EXPECT_EQ(b->d, kHalf1);
  EXPECT_EQ(b->m, 0);
  const std::vector<int> want41 = {0, 15, 1, 0, 15, 8};
  for (size_t j = 0; j < want41.size(); ++j) EXPECT_EQ(b->qs[j] & 0x0F, want41[j]) << j;

  x = std::vector<float>(32, 0.0f);
  x[0] = -16.0f;  // Q5_0: d = 1
  x[1] = 15.5f;   // 32 → clamped to 31
  x[2] = 0.5f;    // 17: bit 2 of qh, nibble 1
  x[17] = -0.5f;  // 16: bit 17, nibble 0
  const auto q50 = test::quantize(GgmlType::Q5_0, x);
  const auto* b50 = reinterpret_cast<const block_q5_0*>(q50.data());
  EXPECT_EQ(b50->d, kHalf1);
  EXPECT_EQ(b50->qs[0] & 0x0F, 0);
  EXPECT_EQ(b50->qs[1] & 0x0F, 15);
  EXPECT_EQ(b50->qs[2] & 0x0F, 1);
  EXPECT_EQ(b50->qs[1] >> 4, 0);
  const uint32_t qh = b50->qh[0] | b50->qh[1] << 8 | b50->qh[2] << 16 | uint32_t{b50->qh[3]} << 24;
  EXPECT_EQ(qh & 0x7, 0x6u);      // element 0 → 0, 1 → 31, 2 → 17
  EXPECT_EQ((qh >> 17) & 1, 1u);  // element 17 → 16
  EXPECT_EQ((qh >> 16) & 1, 1u);  // element 16 (x = 0) → 16

  x = std::vector<float>(32, 0.0f);
  x[1] = 31.0f;  // Q5_1: d = 1, m = 0
  x[2] = 16.5f;
  x[20] = 30.49f;
  const auto q51 = test::quantize(GgmlType::Q5_1, x);
  const auto d51 = test::dequantize(GgmlType::Q5_1, q51.data(), 32);
  EXPECT_EQ(d51[1], 31.0f);
  EXPECT_EQ(d51[2], 17.0f);
  EXPECT_EQ(d51[20], 30.0f);
}

// Round trip on random rows, including odd block counts: every element within the
// format's step (half a step for round-to-nearest, a full step where Q4_0/Q5_0 clamp the
// extreme opposite to max), plus the half-precision rounding of d and m.
TEST(QuantLegacy, RoundTripErrorBounds) {
  struct Case {
    GgmlType type;
    double steps;  // error in units of |d|
  };
  for (const Case c :
       {Case{GgmlType::Q4_0, 1.0}, Case{GgmlType::Q4_1, 0.5}, Case{GgmlType::Q5_0, 1.0},
        Case{GgmlType::Q5_1, 0.5}, Case{GgmlType::Q8_0, 0.5}}) {
    for (int64_t blocks : {1, 7, 33}) {
      const auto x = test::random_row(32 * blocks, static_cast<uint32_t>(blocks) * 7 + 1, 0.7f);
      const auto q = test::quantize(c.type, x);
      const auto y = test::dequantize(c.type, q.data(), 32 * blocks);
      const size_t ts = type_traits(c.type).type_size;
      for (int64_t b = 0; b < blocks; ++b) {
        half_bits d_bits, m_bits = 0;
        std::memcpy(&d_bits, q.data() + b * ts, 2);
        if (c.type == GgmlType::Q4_1 || c.type == GgmlType::Q5_1)
          std::memcpy(&m_bits, q.data() + b * ts + 2, 2);
        const double d = std::fabs(fp16_to_fp32(d_bits)), m = std::fabs(fp16_to_fp32(m_bits));
        const double bound = c.steps * d + (128 * d + m) / 2048.0 + 1e-7;  // d, m rounded to half
        for (int64_t j = b * 32; j < (b + 1) * 32; ++j)
          ASSERT_NEAR(y[j], x[j], bound) << type_name(c.type) << " block " << b << " element " << j;
      }
    }
  }
}

TEST(QuantLegacy, VecDotMatchesDequantisedDot) {
  for (GgmlType t :
       {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
    for (int64_t blocks : {1, 3, 33}) {
      const auto w = test::quantize(t, test::random_row(32 * blocks, 11 + blocks, 0.05f));
      test::check_vec_dot(t, w, test::random_row(32 * blocks, 99 + blocks, 2.0f));
    }
  }
}

// Q8_1 activations: d = amax/127 stored as half, s = half(d · Σq) with the unrounded d.
TEST(QuantLegacy, Q8_1StoresScaledSum) {
  const auto x = test::random_row(64, 5);
  std::vector<block_q8_1> b(2);
  quantize_activations(GgmlType::Q8_1, x.data(), b.data(), 64);
  for (int k = 0; k < 2; ++k) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * k + j]));
    const float d = amax / 127.0f;
    int sum = 0;
    for (int j = 0; j < 32; ++j) {
      sum += b[k].qs[j];
      EXPECT_NEAR(b[k].qs[j] * d, x[32 * k + j], d * 0.5f * 1.0001f);
    }
    EXPECT_EQ(b[k].d, fp32_to_fp16(d));
    EXPECT_EQ(b[k].s, fp32_to_fp16(d * static_cast<float>(sum)));
  }
}

}  // namespace
}  // namespace tq
