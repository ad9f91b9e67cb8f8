// GB/s of each vec_dot kernel per instruction set on a 4096×4096 matrix-vector product:
// every weight row dotted with one activation row already converted to the weight type's
// vec_dot_type, as matmul does. Bytes counted are the weight bytes read (the activation
// row stays in cache), so the number compares directly with memory bandwidth; the
// scalar reference runs beside each SIMD variant as the baseline to compare against.
// Types with a fast matrix kernel (gemm.h) also run it as matmul calls it, 16 rows at a
// time: for one token (GB/s, against the vec_dot line), four (concurrent sequences) and
// for a 64-token prompt (items
// are multiply-adds, so items/s compares with the vec_dot line's weights/s times 64).
// Types with an AVX-512 panel kernel (gemm_panel.h) run it for a 128-token prompt.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/tensor/cpu_features.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/kernels.h"
#include "engine/tensor/quantize_row.h"

namespace {

using tq::GgmlType;

constexpr int64_t kRows = 4096;
constexpr int64_t kCols = 4096;

struct Problem {
  std::vector<uint8_t> weights;
  std::vector<uint8_t> activation;
};

// Weights: random floats through the reference quantiser where one exists; the K-quants
// (no quantiser in this module) get random bytes with a sane half scale, enough for timing.
Problem make_problem(GgmlType type) {
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const tq::TypeTraits& t = tq::type_traits(type);
  Problem p;
  p.weights.resize(tq::row_size(type, kCols) * kRows);
  std::vector<float> row(kCols);
  for (int64_t r = 0; r < kRows; ++r) {
    uint8_t* dst = p.weights.data() + r * tq::row_size(type, kCols);
    if (t.from_float != nullptr) {
      for (auto& f : row) f = g(rng);
      t.from_float(row.data(), dst, kCols);
    } else {
      for (size_t i = 0; i < tq::row_size(type, kCols); ++i)
        dst[i] = static_cast<uint8_t>(rng() >> 24);
    }
  }
  for (auto& f : row) f = g(rng);
  p.activation.resize(tq::activation_row_size(type, kCols));
  tq::quantize_activations(t.vec_dot_type, row.data(), p.activation.data(), kCols);
  return p;
}

double run_matvec(benchmark::State& state, tq::VecDotFn dot, const Problem& p, size_t row_bytes) {
  std::vector<float> out(kRows);
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; ++r)
      out[static_cast<size_t>(r)] =
          dot(kCols, p.weights.data() + r * row_bytes, p.activation.data());
    benchmark::DoNotOptimize(out.data());
  }
  const double bytes = static_cast<double>(p.weights.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  return bytes;
}

void run_gemm(benchmark::State& state, tq::GemmFn gemm, const Problem& p, size_t row_bytes,
              int64_t n_tok) {
  // The same activation row for every token: the timing does not depend on the values.
  const size_t act_bytes = p.activation.size();
  std::vector<uint8_t> act(act_bytes * static_cast<size_t>(n_tok));
  for (int64_t t = 0; t < n_tok; ++t)
    std::copy(p.activation.begin(), p.activation.end(), act.begin() + t * act_bytes);
  std::vector<float> out(static_cast<size_t>(kRows * n_tok));
  constexpr int64_t kRowTile = 16;  // as matmul (engine/model/ops.cpp)
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; r += kRowTile)
      gemm(kCols, p.weights.data() + r * row_bytes, row_bytes, kRowTile, act.data(), act_bytes,
           n_tok, out.data() + r, kRows);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(p.weights.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRows * kCols * n_tok);
}

// The AVX-512 panel kernels (gemm_panel.h) as matmul runs them for a prompt: the panel
// packed once, then 16-row tiles. Items are multiply-adds, as for gemm_t64.
void run_panel(benchmark::State& state, const tq::PanelKernel& pk, const Problem& p,
               size_t row_bytes, int64_t n_tok) {
  const size_t act_bytes = p.activation.size();
  std::vector<uint8_t> act(act_bytes * static_cast<size_t>(n_tok));
  for (int64_t t = 0; t < n_tok; ++t)
    std::copy(p.activation.begin(), p.activation.end(), act.begin() + t * act_bytes);
  std::vector<uint8_t> panel(pk.panel_bytes(kCols, n_tok));
  std::vector<float> out(static_cast<size_t>(kRows * n_tok));
  constexpr int64_t kRowTile = 16;
  const int64_t groups = (n_tok + tq::kPanelTokens - 1) / tq::kPanelTokens;
  for (auto _ : state) {
    pk.pack(kCols, act.data(), act_bytes, n_tok, 0, groups, panel.data());
    for (int64_t r = 0; r < kRows; r += kRowTile)
      pk.run(kCols, p.weights.data() + r * row_bytes, row_bytes, kRowTile, panel.data(), n_tok,
             out.data() + r, kRows);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(p.weights.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRows * kCols * n_tok);
}

void register_type(GgmlType type) {
  const std::string name(tq::type_name(type));
  const tq::VecDotFn scalar = tq::scalar_type_traits(type).vec_dot;
  const tq::VecDotFn best = tq::type_traits(type).vec_dot;
  const size_t row_bytes = tq::row_size(type, kCols);
  auto problem = std::make_shared<Problem>(make_problem(type));
  benchmark::RegisterBenchmark((name + "/scalar").c_str(), [=](benchmark::State& s) {
    run_matvec(s, scalar, *problem, row_bytes);
  })->Unit(benchmark::kMillisecond);
  if (best != scalar)
    benchmark::RegisterBenchmark(
        (name + "/" + std::string(tq::active_isa())).c_str(),
        [=](benchmark::State& s) { run_matvec(s, best, *problem, row_bytes); })
        ->Unit(benchmark::kMillisecond);
  if (const tq::GemmFn gemm = tq::gemm_kernel(type); gemm != nullptr) {
    for (int64_t n_tok : {int64_t{1}, int64_t{4}, int64_t{64}})
      benchmark::RegisterBenchmark(
          (name + "/gemm_t" + std::to_string(n_tok)).c_str(),
          [=](benchmark::State& s) { run_gemm(s, gemm, *problem, row_bytes, n_tok); })
          ->Unit(benchmark::kMillisecond);
  }
  if (const tq::PanelKernel* pk = tq::panel_kernel(type); pk != nullptr)
    benchmark::RegisterBenchmark((name + "/panel_t128").c_str(), [=](benchmark::State& s) {
      run_panel(s, *pk, *problem, row_bytes, 128);
    })->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                     GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,
                     GgmlType::F16, GgmlType::BF16, GgmlType::F32})
    register_type(t);
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("isa", std::string(tq::active_isa()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
