// K-quants: hand-built super-blocks decoded by hand (the bit layouts, the 6-bit packed
// scales/mins, Q3_K's hmask and scale packing, Q6_K's ql/qh split), the Q8_K activation
// quantiser, and dot products of random blocks against Q8_K activations.
#include <gtest/gtest.h>

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

constexpr half_bits kHalf1 = 0x3C00, kHalf0_5 = 0x3800, kHalf0_25 = 0x3400;

template <typename Block>
std::vector<float> decode(GgmlType type, const Block& b) {
  return test::dequantize(type, &b, kQK_K);
}

TEST(QuantK, DequantizeQ2_KByHand) {
  block_q2_K b{};
  b.d = kHalf0_5;
  b.dmin = kHalf0_25;
  b.scales[5] = 0x37;   // group 5 (weights 80..95): scale 7, min 3
  b.qs[16] = 0x20;      // bits 4-5 → weight 64 + 16 = 80 has q = 2
  b.scales[12] = 0x21;  // group 12 (weights 192..207): scale 1, min 2
  b.qs[40] = 0x30;      // second half, bits 4-5 of byte 32 + 8 → weight 128 + 64 + 8 = 200, q = 3
  const auto y = decode(GgmlType::Q2_K, b);
  EXPECT_EQ(y[80], 6.25f);   // 0.5·7·2 − 0.25·3
  EXPECT_EQ(y[81], -0.75f);  // q = 0
  EXPECT_EQ(y[200], 1.0f);   // 0.5·1·3 − 0.25·2
  EXPECT_EQ(y[16], 0.0f);    // same byte, bits 0-1, group 1: scale 0, min 0
}

TEST(QuantK, DequantizeQ3_KByHand) {
  block_q3_K b{};
  b.d = kHalf0_5;
  // Scale of group 13 (weights 208..223) = 45 − 32 = 13: low nibble from the high nibble of
  // byte 5, top 2 bits from bits 6-7 of byte 8 + 13 % 4 = 9.
  b.scales[5] = 0xD0;
  b.scales[9] = 0x80;
  b.qs[48] = 0x10;     // weight 128 + 64 + 16 = 208: low bits (byte 32 + 16, bits 4-5) = 1
  b.hmask[16] = 0x40;  // … and its high bit (bit 4·1 + 2 = 6 of hmask[16]) is set: q = 1
  // weight 209: low bits 0, high bit clear → q = −4
  const auto y = decode(GgmlType::Q3_K, b);
  EXPECT_EQ(y[208], 6.5f);    // 0.5·13·1
  EXPECT_EQ(y[209], -26.0f);  // 0.5·13·(−4)
  EXPECT_EQ(y[0], 64.0f);     // all-zero scale bits mean −32; q = −4: 0.5·(−32)·(−4)
}

// Shared scales for Q4_K/Q5_K: sub-block 0 scale 5 min 3; sub-block 5 scale 37 min 12;
// sub-block 7 scale 17 min 50; everything else 0.
void set_k4_scales(uint8_t* s) {
  s[0] = 0x05;   // scale 0 (low 6 bits)
  s[4] = 0x03;   // min 0 (low 6 bits)
  s[9] = 0xC5;   // sub-block 5: scale low 4 = 5, min low 4 = 12
  s[1] = 0x80;   // top 2 bits of byte 1 → high bits of scale 5 = 2 (37 = 0b10'0101)
  s[11] = 0x21;  // sub-block 7: scale low 4 = 1, min low 4 = 2
  s[3] = 0x40;   // high bits of scale 7 = 1 → 17
  s[7] = 0xC0;   // high bits of min 7 = 3 → 50
}

TEST(QuantK, DequantizeQ4_KByHand) {
  block_q4_K b{};
  b.d = kHalf1;
  b.dmin = kHalf0_5;
  set_k4_scales(b.scales);
  b.qs[0] = 0x0F;   // weight 0 (low nibble): 15; weight 32 (high nibble): 0
  b.qs[64] = 0x70;  // weight 128 (low): 0; weight 160 (high, sub-block 5): 7
  b.qs[96] = 0x20;  // weight 224 (high, sub-block 7): 2
  const auto y = decode(GgmlType::Q4_K, b);
  EXPECT_EQ(y[0], 73.5f);  // 5·15 − 0.5·3
  EXPECT_EQ(y[1], -1.5f);  // 5·0 − 0.5·3
  EXPECT_EQ(y[32], 0.0f);
  EXPECT_EQ(y[128], 0.0f);
  EXPECT_EQ(y[160], 253.0f);  // 37·7 − 0.5·12
  EXPECT_EQ(y[224], 9.0f);    // 17·2 − 0.5·50
}

TEST(QuantK, DequantizeQ5_KByHand) {
  block_q5_K b{};
  b.d = kHalf1;
  b.dmin = kHalf0_5;
  set_k4_scales(b.scales);
  b.qs[0] = 0x0F;
  b.qs[64] = 0x70;
  b.qh[0] = 0x21;  // bit 0: weight 0 gets +16; bit 5 (sub-block 5): weight 160 gets +16
  const auto y = decode(GgmlType::Q5_K, b);
  EXPECT_EQ(y[0], 153.5f);  // 5·31 − 1.5
  EXPECT_EQ(y[1], -1.5f);
  EXPECT_EQ(y[160], 845.0f);  // 37·23 − 6
  EXPECT_EQ(y[128], 0.0f);    // bit 4 clear, scale 0
}

TEST(QuantK, DequantizeQ6_KByHand) {
  block_q6_K b{};
  b.d = kHalf0_25;
  b.scales[0] = 2;
  b.scales[12] = -3;
  b.scales[14] = 4;
  // weight 200 = 128 + 64 + 8: high nibble of ql[64 + 8], bits 4-5 of qh[32 + 8]
  b.ql[72] = 0xA0;
  // weight 232 = 128 + 96 + 8: high nibble of ql[64 + 32 + 8], bits 6-7 of qh[40]
  b.ql[104] = 0x50;
  b.qh[40] = 0x20 | 0xC0;
  const auto y = decode(GgmlType::Q6_K, b);
  EXPECT_EQ(y[200], -7.5f);  // q = (10 | 2 << 4) − 32 = 10; 0.25·(−3)·10
  EXPECT_EQ(y[232], 21.0f);  // q = (5 | 3 << 4) − 32 = 21; 0.25·4·21
  EXPECT_EQ(y[8], -16.0f);   // q = −32; 0.25·2·(−32)
  EXPECT_EQ(y[168], 0.0f);   // scale[10] = 0
}

// Q8_K: iscale = −127/max with max the signed extreme, ties to even, d = 1/iscale.
TEST(QuantK, Q8_KQuantiser) {
  std::vector<float> x(kQK_K, 0.0f);
  x[0] = 127.0f;  // → iscale = −1, d = −1
  x[1] = -2.5f;   // 2.5 → 2 (ties to even)
  x[2] = 3.5f;    // −3.5 → −4
  x[3] = -127.0f;
  x[17] = 10.0f;
  block_q8_K b{};
  quantize_activations(GgmlType::Q8_K, x.data(), &b, kQK_K);
  EXPECT_EQ(b.d, -1.0f);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], 2);
  EXPECT_EQ(b.qs[2], -4);
  EXPECT_EQ(b.qs[3], 127);
  EXPECT_EQ(b.qs[17], -10);
  EXPECT_EQ(b.bsums[0], -127 + 2 - 4 + 127);
  EXPECT_EQ(b.bsums[1], -10);
  for (int g = 2; g < 16; ++g) EXPECT_EQ(b.bsums[g], 0);

  // A negative extreme gives a positive d; all-zero blocks come out all zero.
  std::vector<float> x2(2 * kQK_K, 0.0f);
  x2[5] = -100.0f;
  x2[6] = 50.0f;
  std::vector<block_q8_K> b2(2);
  quantize_activations(GgmlType::Q8_K, x2.data(), b2.data(), 2 * kQK_K);
  EXPECT_EQ(b2[0].d, 1.0f / (127.0f / 100.0f));
  EXPECT_EQ(b2[0].qs[5], -127);
  EXPECT_EQ(b2[0].qs[6], 64);  // 63.5 → 64 (even)
  EXPECT_EQ(b2[1].d, 0.0f);
  for (int j = 0; j < kQK_K; ++j) EXPECT_EQ(b2[1].qs[j], 0);
  for (int g = 0; g < 16; ++g) EXPECT_EQ(b2[1].bsums[g], 0);
}

TEST(QuantK, Q8_KRoundTrip) {
  const auto x = test::random_row(3 * kQK_K, 21, 3.0f);
  std::vector<block_q8_K> b(3);
  quantize_activations(GgmlType::Q8_K, x.data(), b.data(), 3 * kQK_K);
  const auto y = test::dequantize(GgmlType::Q8_K, b.data(), 3 * kQK_K);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_NEAR(y[i], x[i], std::fabs(b[i / kQK_K].d) * 0.5f * 1.0001f) << i;
  for (const auto& blk : b)
    for (int g = 0; g < 16; ++g) {
      int s = 0;
      for (int j = 0; j < 16; ++j) s += blk.qs[16 * g + j];
      EXPECT_EQ(blk.bsums[g], s);
    }
}

// Random super-blocks: every bit pattern of qs/qh/scales is a valid block, so random bytes
// with sane d/dmin exercise every code path. The dot product must agree with the
// dequantised operands to float rounding.
TEST(QuantK, VecDotMatchesDequantisedDot) {
  for (GgmlType t :
       {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
    for (int64_t blocks : {1, 3, 5}) {
      const size_t ts = type_traits(t).type_size;
      auto w = test::random_bytes(ts * static_cast<size_t>(blocks), 7 * blocks + 1);
      for (int64_t b = 0; b < blocks; ++b) {
        uint8_t* blk = w.data() + static_cast<size_t>(b) * ts;
        const half_bits d = fp32_to_fp16(0.001f * static_cast<float>(b + 1));
        const half_bits dmin = fp32_to_fp16(0.0007f * static_cast<float>(b + 2));
        // d sits at the end for Q2_K (d, dmin), Q3_K and Q6_K (d); at the start otherwise.
        switch (t) {
          case GgmlType::Q2_K:
            std::memcpy(blk + ts - 4, &d, 2);
            std::memcpy(blk + ts - 2, &dmin, 2);
            break;
          case GgmlType::Q3_K:
          case GgmlType::Q6_K:
            std::memcpy(blk + ts - 2, &d, 2);
            break;
          default:
            std::memcpy(blk, &d, 2);
            std::memcpy(blk + 2, &dmin, 2);
        }
      }
      test::check_vec_dot(t, w, test::random_row(kQK_K * blocks, 31 + blocks, 1.5f));
    }
  }
}

}  // namespace
}  // namespace tq
