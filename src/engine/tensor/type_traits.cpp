// The one table of tensor-type traits. Kernels live in quants_*.cpp and are wired here.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "core/error.h"
#include "engine/tensor/ggml_type.h"

namespace tq {
namespace {

// Geometry from the GGUF/ggml definitions; kernels are filled in as they are implemented.
const std::array<TypeTraits, 20> kTraits = {{
    {GgmlType::F32, "f32", 1, 4, false, nullptr, nullptr, GgmlType::F32, nullptr},
    {GgmlType::F16, "f16", 1, 2, false, nullptr, nullptr, GgmlType::F16, nullptr},
    {GgmlType::BF16, "bf16", 1, 2, false, nullptr, nullptr, GgmlType::BF16, nullptr},
    {GgmlType::Q4_0, "q4_0", 32, 18, true, nullptr, nullptr, GgmlType::Q8_0, nullptr},
    {GgmlType::Q4_1, "q4_1", 32, 20, true, nullptr, nullptr, GgmlType::Q8_1, nullptr},
    {GgmlType::Q5_0, "q5_0", 32, 22, true, nullptr, nullptr, GgmlType::Q8_0, nullptr},
    {GgmlType::Q5_1, "q5_1", 32, 24, true, nullptr, nullptr, GgmlType::Q8_1, nullptr},
    {GgmlType::Q8_0, "q8_0", 32, 34, true, nullptr, nullptr, GgmlType::Q8_0, nullptr},
    {GgmlType::Q8_1, "q8_1", 32, 36, true, nullptr, nullptr, GgmlType::Q8_1, nullptr},
    {GgmlType::Q2_K, "q2_K", 256, 84, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::Q3_K, "q3_K", 256, 110, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::Q4_K, "q4_K", 256, 144, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::Q5_K, "q5_K", 256, 176, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::Q6_K, "q6_K", 256, 210, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::Q8_K, "q8_K", 256, 292, true, nullptr, nullptr, GgmlType::Q8_K, nullptr},
    {GgmlType::I8, "i8", 1, 1, false, nullptr, nullptr, GgmlType::I8, nullptr},
    {GgmlType::I16, "i16", 1, 2, false, nullptr, nullptr, GgmlType::I16, nullptr},
    {GgmlType::I32, "i32", 1, 4, false, nullptr, nullptr, GgmlType::I32, nullptr},
    {GgmlType::I64, "i64", 1, 8, false, nullptr, nullptr, GgmlType::I64, nullptr},
    {GgmlType::F64, "f64", 1, 8, false, nullptr, nullptr, GgmlType::F64, nullptr},
}};

}  // namespace

const TypeTraits* find_type_traits(uint32_t type_number) {
  for (const auto& t : kTraits)
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
  for (const auto& t : kTraits)
    if (lower(t.name) == want) return t.type;
  return std::nullopt;
}

size_t row_size(GgmlType type, int64_t n) {
  const TypeTraits& t = type_traits(type);
  return static_cast<size_t>(n / t.block_size) * t.type_size;
}

}  // namespace tq
