// The fast matrix kernels (engine/tensor/gemm.h) against the reference vec_dot of the same
// type, one (row, token) at a time. Every kernel repeats its reference's float steps
// (integer sums are exact in any order), so results must match bit for bit — which is what
// keeps the gold logits of the exact path. Row and token counts cover every tile edge
// (prompt tiles, the one-row decode tiles for up to four tokens, and the leftovers).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/quantize/kquants.h"
#include "engine/tensor/cpu_features.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/kernels.h"
#include "engine/tensor/quantize_row.h"
#include "quant_test_support.h"

namespace tq {
namespace {

struct Case {
  GgmlType type;
  int64_t n;  // row length
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return std::string(type_name(info.param.type)) + "_" + std::to_string(info.param.n);
}

class GemmKernel : public testing::TestWithParam<Case> {};

TEST_P(GemmKernel, AgreesWithTheReferenceDotOnEveryTileEdge) {
  const Case c = GetParam();
  const GemmFn gemm = gemm_kernel(c.type);
  if (gemm == nullptr) GTEST_SKIP() << "no fast kernel for " << type_name(c.type) << " here";
  const TypeTraits& ref = scalar_type_traits(c.type);
  const GgmlType at = ref.vec_dot_type;
  const FromFloatFn quantise = weight_quantizer(c.type);
  ASSERT_NE(quantise, nullptr);

  constexpr int64_t kRows = 11, kTokens = 7;  // 4+4+1+1+1 rows, 2+2+2+1 tokens
  const size_t w_stride = row_size(c.type, c.n), a_stride = row_size(at, c.n);
  std::vector<uint8_t> w(w_stride * kRows), a(a_stride * kTokens);
  for (int64_t r = 0; r < kRows; ++r) {
    // One row of large values and one of tiny ones among ordinary rows.
    const float scale = r == 3 ? 40.0f : r == 6 ? 1e-3f : 1.0f;
    const auto row = test::random_row(c.n, 100 + static_cast<uint32_t>(r), scale);
    quantise(row.data(), w.data() + static_cast<size_t>(r) * w_stride, c.n);
  }
  for (int64_t t = 0; t < kTokens; ++t) {
    const auto row = test::random_row(c.n, 900 + static_cast<uint32_t>(t), t == 2 ? 25.0f : 1.0f);
    quantize_activations(at, row.data(), a.data() + static_cast<size_t>(t) * a_stride, c.n);
  }

  for (int64_t n_rows : {int64_t{1}, int64_t{3}, int64_t{4}, int64_t{5}, kRows}) {
    for (int64_t n_tok : {int64_t{1}, int64_t{2}, int64_t{3}, kTokens}) {
      const int64_t y_stride = n_rows + 2;  // wider than n_rows: the stride is honoured
      std::vector<float> y(static_cast<size_t>(y_stride * n_tok), -7.0f);
      gemm(c.n, w.data(), w_stride, n_rows, a.data(), a_stride, n_tok, y.data(), y_stride);
      for (int64_t t = 0; t < n_tok; ++t) {
        for (int64_t r = 0; r < y_stride; ++r) {
          const float got = y[static_cast<size_t>(t * y_stride + r)];
          if (r >= n_rows) {
            EXPECT_EQ(got, -7.0f) << "wrote outside its rows";
            continue;
          }
          const float want = ref.vec_dot(c.n, w.data() + static_cast<size_t>(r) * w_stride,
                                         a.data() + static_cast<size_t>(t) * a_stride);
          EXPECT_EQ(got, want) << type_name(c.type) << " row " << r << " token " << t << " of "
                               << n_rows << "x" << n_tok << ": not bit-identical";
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, GemmKernel,
                         testing::Values(Case{GgmlType::Q8_0, 32}, Case{GgmlType::Q8_0, 4096},
                                         Case{GgmlType::Q4_0, 896}, Case{GgmlType::Q5_0, 896},
                                         Case{GgmlType::Q5_0, 32}, Case{GgmlType::Q4_K, 256},
                                         Case{GgmlType::Q4_K, 2048}, Case{GgmlType::Q5_K, 2048},
                                         Case{GgmlType::Q6_K, 256}, Case{GgmlType::Q6_K, 5632},
                                         Case{GgmlType::Q4_1, 896}, Case{GgmlType::Q5_1, 896},
                                         Case{GgmlType::Q4_1, 32}, Case{GgmlType::Q5_1, 32},
                                         Case{GgmlType::Q2_K, 256}, Case{GgmlType::Q2_K, 2048},
                                         Case{GgmlType::Q3_K, 256}, Case{GgmlType::Q3_K, 2048},
                                         Case{GgmlType::Q5_K, 256}),
                         case_name);

TEST(GemmDispatch, ScalarLevelHasNoFastKernels) {
  // TQ_ISA=scalar keeps the bit-exact reference path; the level is read once per process,
  // so this only checks the running level's consistency.
  if (active_isa_level() == IsaLevel::Scalar) {
    EXPECT_EQ(gemm_kernel(GgmlType::Q8_0), nullptr);
  } else {
    EXPECT_NE(gemm_kernel(GgmlType::Q8_0), nullptr);
  }
}

}  // namespace
}  // namespace tq
