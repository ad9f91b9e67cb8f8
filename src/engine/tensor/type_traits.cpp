// The one table of tensor-type traits. Kernels live in quants_*.cpp and are wired here.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "core/error.h"
#include "engine/tensor/cpu_features.h"
#include "engine/tensor/ggml_type.h"
#include "engine/tensor/kernels.h"
#include "engine/tensor/quants.h"
#include "engine/tensor/quants_simd.h"

namespace tq {
namespace {

// Geometry from the GGUF/ggml definitions, and the scalar reference kernels of each type
// (quants_*.cpp). from_float is the reference quantiser: for weight types the one
// llama-quantize uses, for activation types see quantize_row.h. vec_dot dots a row of the
// type with a row of its vec_dot_type. When SIMD kernels arrive (see quants.h) this table
// is where the variant for the running CPU gets chosen, once (see with_best_kernels).
using namespace quants;
using TraitsTable = std::array<TypeTraits, 20>;
const TraitsTable kScalarTraits = {{
    {GgmlType::F32, "f32", 1, 4, false, to_float_f32, from_float_f32, GgmlType::F32, vec_dot_f32},
    // F16 meets F32 activations: llama.cpp's AMX buffer kernel for F16 (quants_float.cpp).
    {GgmlType::F16, "f16", 1, 2, false, to_float_f16, from_float_f16, GgmlType::F32, vec_dot_f16},
    {GgmlType::BF16, "bf16", 1, 2, false, to_float_bf16, from_float_bf16, GgmlType::BF16,
     vec_dot_bf16},
    {GgmlType::Q4_0, "q4_0", 32, 18, true, dequantize_q4_0, quantize_q4_0_ref, GgmlType::Q8_0,
     vec_dot_q4_0_q8_0},
    {GgmlType::Q4_1, "q4_1", 32, 20, true, dequantize_q4_1, quantize_q4_1_ref, GgmlType::Q8_1,
     vec_dot_q4_1_q8_1},
    {GgmlType::Q5_0, "q5_0", 32, 22, true, dequantize_q5_0, quantize_q5_0_ref, GgmlType::Q8_0,
     vec_dot_q5_0_q8_0},
    {GgmlType::Q5_1, "q5_1", 32, 24, true, dequantize_q5_1, quantize_q5_1_ref, GgmlType::Q8_1,
     vec_dot_q5_1_q8_1},
    {GgmlType::Q8_0, "q8_0", 32, 34, true, dequantize_q8_0, quantize_q8_0_ref, GgmlType::Q8_0,
     vec_dot_q8_0_q8_0},
    {GgmlType::Q8_1, "q8_1", 32, 36, true, dequantize_q8_1, quantize_q8_1_ref, GgmlType::Q8_1,
     nullptr},
    // K-quant weight quantisers are not written yet (from_float = nullptr).
    {GgmlType::Q2_K, "q2_K", 256, 84, true, dequantize_q2_K, nullptr, GgmlType::Q8_K,
     vec_dot_q2_K_q8_K},
    {GgmlType::Q3_K, "q3_K", 256, 110, true, dequantize_q3_K, nullptr, GgmlType::Q8_K,
     vec_dot_q3_K_q8_K},
    {GgmlType::Q4_K, "q4_K", 256, 144, true, dequantize_q4_K, nullptr, GgmlType::Q8_K,
     vec_dot_q4_K_q8_K},
    {GgmlType::Q5_K, "q5_K", 256, 176, true, dequantize_q5_K, nullptr, GgmlType::Q8_K,
     vec_dot_q5_K_q8_K},
    {GgmlType::Q6_K, "q6_K", 256, 210, true, dequantize_q6_K, nullptr, GgmlType::Q8_K,
     vec_dot_q6_K_q8_K},
    {GgmlType::Q8_K, "q8_K", 256, 292, true, dequantize_q8_K, quantize_q8_K, GgmlType::Q8_K,
     nullptr},
    {GgmlType::I8, "i8", 1, 1, false, nullptr, nullptr, GgmlType::I8, nullptr},
    {GgmlType::I16, "i16", 1, 2, false, nullptr, nullptr, GgmlType::I16, nullptr},
    {GgmlType::I32, "i32", 1, 4, false, nullptr, nullptr, GgmlType::I32, nullptr},
    {GgmlType::I64, "i64", 1, 8, false, nullptr, nullptr, GgmlType::I64, nullptr},
    {GgmlType::F64, "f64", 1, 8, false, nullptr, nullptr, GgmlType::F64, nullptr},
}};

// The scalar table with each kernel replaced by the variant for `level`. Every SIMD
// variant is bit-identical to the scalar one it replaces, so the level changes speed only.
TraitsTable with_best_kernels(IsaLevel level) {
  TraitsTable t = kScalarTraits;
  if (level == IsaLevel::Scalar) return t;
  // AVX-512 has no kernels of its own yet: its level runs the AVX2 ones.
  auto set = [&](GgmlType type, VecDotFn dot) {
    for (auto& row : t)
      if (row.type == type) row.vec_dot = dot;
  };
  set(GgmlType::F32, vec_dot_f32_avx2);
  set(GgmlType::F16, vec_dot_f16_avx2);
  set(GgmlType::BF16, vec_dot_bf16_avx2);
  set(GgmlType::Q4_0, vec_dot_q4_0_q8_0_avx2);
  set(GgmlType::Q4_1, vec_dot_q4_1_q8_1_avx2);
  set(GgmlType::Q5_0, vec_dot_q5_0_q8_0_avx2);
  set(GgmlType::Q5_1, vec_dot_q5_1_q8_1_avx2);
  set(GgmlType::Q8_0, vec_dot_q8_0_q8_0_avx2);
  set(GgmlType::Q2_K, vec_dot_q2_K_q8_K_avx2);
  set(GgmlType::Q3_K, vec_dot_q3_K_q8_K_avx2);
  set(GgmlType::Q4_K, vec_dot_q4_K_q8_K_avx2);
  set(GgmlType::Q5_K, vec_dot_q5_K_q8_K_avx2);
  set(GgmlType::Q6_K, vec_dot_q6_K_q8_K_avx2);
  for (auto& row : t) {
    if (row.type == GgmlType::F16) row.from_float = from_float_f16_avx2;
    if (row.type == GgmlType::BF16) row.from_float = from_float_bf16_avx2;
    if (row.type == GgmlType::Q8_K) row.from_float = quantize_q8_K_avx2;
  }
  return t;
}

// Filled once, on first use (thread-safe static initialisation).
const TraitsTable& traits_table() {
  static const TraitsTable table = with_best_kernels(active_isa_level());
  return table;
}

}  // namespace

const ActivationQuantizers& activation_quantizers() {
  static const ActivationQuantizers q = [] {
    if (active_isa_level() == IsaLevel::Scalar)
      return ActivationQuantizers{quantize_q8_0_activation, quantize_q8_1_activation};
    return ActivationQuantizers{quantize_q8_0_activation_avx2, quantize_q8_1_activation_avx2};
  }();
  return q;
}

const TypeTraits& scalar_type_traits(GgmlType type) {
  for (const auto& t : kScalarTraits)
    if (t.type == type) return t;
  return type_traits(type);
}

const TypeTraits* find_type_traits(uint32_t type_number) {
  for (const auto& t : traits_table())
    if (static_cast<uint32_t>(t.type) == type_number) return &t;
  return nullptr;
}

const TypeTraits& type_traits(GgmlType type) {
  const TypeTraits* t = find_type_traits(static_cast<uint32_t>(type));
  if (t == nullptr)
    throw UnsupportedError("tensor type " + std::to_string(static_cast<uint32_t>(type)) +
                           " is not known");
  return *t;
}

std::string_view type_name(GgmlType type) {
  const TypeTraits* t = find_type_traits(static_cast<uint32_t>(type));
  return t ? t->name : std::string_view("unknown");
}

std::optional<GgmlType> type_from_name(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  const std::string want = lower(name);
  for (const auto& t : kScalarTraits)
    if (lower(t.name) == want) return t.type;
  return std::nullopt;
}

size_t row_size(GgmlType type, int64_t n) {
  const TypeTraits& t = type_traits(type);
  return static_cast<size_t>(n / t.block_size) * t.type_size;
}

}  // namespace tq
