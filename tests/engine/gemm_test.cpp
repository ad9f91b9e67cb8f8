// The fast matrix kernels (engine/tensor/gemm.h) against the reference vec_dot of the same
// type, one (row, token) at a time. Every kernel repeats its reference's float steps
// (integer sums are exact in any order), so results must match bit for bit — which is what
// keeps the gold logits of the exact path. Row and token counts cover every tile edge
// (prompt tiles, the one-row decode tiles for up to four tokens, and the leftovers).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/fp16.h"
#include "engine/quantize/kquants.h"
#include "engine/tensor/cpu_features.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/gemm_panel.h"
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

// Quantised weight rows and activation rows of one case, with a row of large values and
// one of tiny ones among ordinary rows, and one loud token.
struct Operands {
  size_t w_stride = 0, a_stride = 0;
  std::vector<uint8_t> w, a;
};

Operands make_operands(const Case& c, GgmlType at, int64_t n_rows, int64_t n_tok) {
  const FromFloatFn quantise = weight_quantizer(c.type);
  Operands o;
  if (quantise == nullptr) {
    ADD_FAILURE() << "no quantiser for " << type_name(c.type);
    return o;
  }
  o.w_stride = row_size(c.type, c.n);
  o.a_stride = row_size(at, c.n);
  o.w.resize(o.w_stride * static_cast<size_t>(n_rows));
  o.a.resize(o.a_stride * static_cast<size_t>(n_tok));
  for (int64_t r = 0; r < n_rows; ++r) {
    const float scale = r == 3 ? 40.0f : r == 6 ? 1e-3f : 1.0f;
    const auto row = test::random_row(c.n, 100 + static_cast<uint32_t>(r), scale);
    quantise(row.data(), o.w.data() + static_cast<size_t>(r) * o.w_stride, c.n);
  }
  for (int64_t t = 0; t < n_tok; ++t) {
    const auto row = test::random_row(c.n, 900 + static_cast<uint32_t>(t), t == 2 ? 25.0f : 1.0f);
    quantize_activations(at, row.data(), o.a.data() + static_cast<size_t>(t) * o.a_stride, c.n);
  }
  return o;
}

// y (n_tok rows of y_stride) against the reference dot of every (row, token); the columns
// past n_rows must still hold the -7 they were filled with.
void expect_reference(const Case& c, const Operands& o, int64_t n_rows, int64_t n_tok,
                      const std::vector<float>& y, int64_t y_stride, const char* kernel) {
  const TypeTraits& ref = scalar_type_traits(c.type);
  for (int64_t t = 0; t < n_tok; ++t) {
    for (int64_t r = 0; r < y_stride; ++r) {
      const float got = y[static_cast<size_t>(t * y_stride + r)];
      if (r >= n_rows) {
        EXPECT_EQ(got, -7.0f) << kernel << " wrote outside its rows";
        continue;
      }
      const float want = ref.vec_dot(c.n, o.w.data() + static_cast<size_t>(r) * o.w_stride,
                                     o.a.data() + static_cast<size_t>(t) * o.a_stride);
      ASSERT_EQ(got, want) << kernel << " " << type_name(c.type) << " row " << r << " token " << t
                           << " of " << n_rows << "x" << n_tok << ": not bit-identical";
    }
  }
}

// Every instruction-set level the CPU can run, not only the active one.
std::vector<IsaLevel> runnable_levels() {
  std::vector<IsaLevel> levels;
  if (cpu_features().has_avx2_set()) levels.push_back(IsaLevel::Avx2);
  if (cpu_features().has_avx512_set()) levels.push_back(IsaLevel::Avx512);
  return levels;
}

TEST_P(GemmKernel, AgreesWithTheReferenceDotOnEveryTileEdge) {
  const Case c = GetParam();
  const std::vector<IsaLevel> levels = runnable_levels();
  if (levels.empty()) GTEST_SKIP() << "CPU has no SIMD level with fast kernels";
  // 4+4+1+1+1 rows (AVX2 prompt tiles; AVX-512 decode passes of four, then leftovers),
  // 2+2+2+1 tokens; one to four tokens take the decode kernels.
  constexpr int64_t kRows = 11, kTokens = 7;
  const Operands o = make_operands(c, scalar_type_traits(c.type).vec_dot_type, kRows, kTokens);
  for (const IsaLevel level : levels) {
    const GemmFn gemm = gemm_kernel_for(c.type, level);
    if (gemm == nullptr) continue;
    const std::string kernel = "gemm/" + std::string(isa_name(level));
    for (int64_t n_rows : {int64_t{1}, int64_t{3}, int64_t{4}, int64_t{5}, int64_t{8}, kRows}) {
      for (int64_t n_tok : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{4}, kTokens}) {
        const int64_t y_stride = n_rows + 2;  // wider than n_rows: the stride is honoured
        std::vector<float> y(static_cast<size_t>(y_stride * n_tok), -7.0f);
        gemm(c.n, o.w.data(), o.w_stride, n_rows, o.a.data(), o.a_stride, n_tok, y.data(),
             y_stride);
        expect_reference(c, o, n_rows, n_tok, y, y_stride, kernel.c_str());
      }
    }
  }
}

// The AVX-512 panel kernels: token counts around the 16-token panel groups (one token, a
// partial group, exactly one, one past, two and a bit), row counts around the 8- and
// 4-row passes; the panel is packed in two calls, as matmul's threads do.
TEST_P(GemmKernel, PanelKernelAgreesWithTheReferenceDot) {
  const Case c = GetParam();
  const PanelKernel* pk = panel_kernel(c.type);
  if (pk == nullptr) GTEST_SKIP() << "no panel kernel for " << type_name(c.type) << " on this CPU";
  if (c.n % pk->row_multiple != 0) {
    // matmul_many keeps such rows on the reference path; nothing to compare.
    EXPECT_NE(c.type, GgmlType::F16) << "F16 panels take any row length";
    return;
  }
  constexpr int64_t kRows = 19, kTokens = 37;
  const Operands o = make_operands(c, pk->activation_type, kRows, kTokens);
  for (int64_t n_rows : {int64_t{1}, int64_t{4}, int64_t{5}, int64_t{12}, kRows}) {
    for (int64_t n_tok : {int64_t{1}, int64_t{8}, int64_t{16}, int64_t{17}, kTokens}) {
      std::vector<uint8_t> panel(pk->panel_bytes(c.n, n_tok), 0xA5);
      const int64_t groups = (n_tok + kPanelTokens - 1) / kPanelTokens;
      pk->pack(c.n, o.a.data(), o.a_stride, n_tok, 0, groups / 2, panel.data());
      pk->pack(c.n, o.a.data(), o.a_stride, n_tok, groups / 2, groups, panel.data());
      const int64_t y_stride = n_rows + 2;
      std::vector<float> y(static_cast<size_t>(y_stride * n_tok), -7.0f);
      pk->run(c.n, o.w.data(), o.w_stride, n_rows, panel.data(), n_tok, y.data(), y_stride);
      expect_reference(c, o, n_rows, n_tok, y, y_stride, "panel");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Types, GemmKernel,
    testing::Values(Case{GgmlType::Q8_0, 32}, Case{GgmlType::Q8_0, 4096}, Case{GgmlType::Q4_0, 896},
                    Case{GgmlType::Q5_0, 896}, Case{GgmlType::Q5_0, 32}, Case{GgmlType::Q4_K, 256},
                    Case{GgmlType::Q4_K, 2048}, Case{GgmlType::Q5_K, 2048},
                    Case{GgmlType::Q6_K, 256}, Case{GgmlType::Q6_K, 5632},
                    Case{GgmlType::Q4_1, 896}, Case{GgmlType::Q5_1, 896}, Case{GgmlType::Q4_1, 32},
                    Case{GgmlType::Q5_1, 32}, Case{GgmlType::Q2_K, 256}, Case{GgmlType::Q2_K, 2048},
                    Case{GgmlType::Q3_K, 256}, Case{GgmlType::Q3_K, 2048},
                    Case{GgmlType::Q5_K, 256}, Case{GgmlType::Q4_K, 4864},
                    Case{GgmlType::Q6_K, 4864}, Case{GgmlType::Q4_0, 32}, Case{GgmlType::Q8_0, 96},
                    Case{GgmlType::Q4_0, 160}, Case{GgmlType::Q2_K, 4864},
                    Case{GgmlType::Q3_K, 768}, Case{GgmlType::F16, 40}, Case{GgmlType::F16, 896},
                    Case{GgmlType::F16, 2048}, Case{GgmlType::F16, 7}, Case{GgmlType::BF16, 32},
                    Case{GgmlType::BF16, 96}, Case{GgmlType::BF16, 2048}, Case{GgmlType::BF16, 48}),
    case_name);

// BF16's panel kernel uses vdpbf16ps, which flushes subnormal inputs and results, only
// where none can occur; tiles and token groups with subnormal or extreme values take the
// exact path. Subnormal weights times large activations give normal products, so the fast
// path would drop them: the results must still be the reference's bit for bit.
TEST(GemmPanel, Bf16IsExactWithSubnormalAndExtremeValues) {
  const PanelKernel* pk = panel_kernel(GgmlType::BF16);
  if (pk == nullptr) GTEST_SKIP() << "no BF16 panel kernel on this CPU";
  constexpr int64_t n = 64, kRows = 20, kTok = 40;
  std::vector<uint16_t> w(static_cast<size_t>(n * kRows)), a(static_cast<size_t>(n * kTok));
  const auto plain = test::random_row(n * (kRows + kTok), 5);
  for (size_t i = 0; i < w.size(); ++i) w[i] = fp32_to_bf16(plain[i]);
  for (size_t i = 0; i < a.size(); ++i) a[i] = fp32_to_bf16(plain[w.size() + i]);
  for (int64_t i = 0; i < n; ++i) {
    const float x = plain[static_cast<size_t>(i)];
    w[static_cast<size_t>(5 * n + i)] = fp32_to_bf16(3e-39f * x);   // subnormal row
    w[static_cast<size_t>(6 * n + i)] = fp32_to_bf16(1e15f * x);    // beyond 2^48
    if (i % 3 == 0) w[static_cast<size_t>(17 * n + i)] = 0;         // zeros keep the fast path
    a[static_cast<size_t>(20 * n + i)] = fp32_to_bf16(1e-40f * x);  // token group 1: subnormal
    a[static_cast<size_t>(21 * n + i)] = fp32_to_bf16(1e15f * x);
  }
  const size_t ws = n * 2;
  std::vector<uint8_t> panel(pk->panel_bytes(n, kTok));
  pk->pack(n, reinterpret_cast<const uint8_t*>(a.data()), ws, kTok, 0, 3, panel.data());
  // Tile rows 0..15 hold the subnormal and extreme weights (exact path); 16..19 do not,
  // but token group 1 holds subnormal and extreme activations.
  for (int64_t r0 : {int64_t{0}, int64_t{16}}) {
    const int64_t rows = r0 == 0 ? 16 : kRows - 16;
    std::vector<float> y(static_cast<size_t>(rows * kTok));
    pk->run(n, reinterpret_cast<const uint8_t*>(w.data() + r0 * n), ws, rows, panel.data(), kTok,
            y.data(), rows);
    for (int64_t t = 0; t < kTok; ++t)
      for (int64_t r = 0; r < rows; ++r) {
        const float want =
            scalar_type_traits(GgmlType::BF16)
                .vec_dot(n, w.data() + (r0 + r) * n, a.data() + static_cast<size_t>(t * n));
        ASSERT_EQ(y[static_cast<size_t>(t * rows + r)], want) << "row " << r0 + r << " token " << t;
      }
  }
}

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
