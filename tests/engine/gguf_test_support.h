// Helpers shared by the GGUF tests: a sample file holding every metadata type, value
// comparison, and unique temporary paths.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/gguf/gguf.h"

namespace tq::test {

// A fresh path under the temp dir, unique per process and call.
inline std::filesystem::path gguf_temp_path(const std::string& stem) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() / "tq_gguf_tests";
  std::filesystem::create_directories(dir);
  return dir /
         (stem + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".gguf");
}

// Deterministic bytes (an LCG): tensor contents that differ from tensor to tensor.
inline std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  return out;
}

struct SampleTensor {
  std::string name;
  GgmlType type;
  std::vector<int64_t> ne;
};

// Tensors of block sizes 1, 32 and 256, 1 to 4 dimensions.
inline std::vector<SampleTensor> sample_tensors() {
  return {
      {"tok.f32", GgmlType::F32, {8, 3}},       {"norm.f16", GgmlType::F16, {17}},
      {"blk.0.q4_0", GgmlType::Q4_0, {64, 2}},  {"blk.0.q8_0", GgmlType::Q8_0, {32, 1, 2}},
      {"blk.0.q4_K", GgmlType::Q4_K, {256, 2}}, {"ids.i32", GgmlType::I32, {5, 1, 1, 2}},
      {"bf16.weight", GgmlType::BF16, {4, 4}},  {"empty.f32", GgmlType::F32, {0, 3}},
  };
}

// Every scalar type, arrays of every element type (one of them empty), empty string and
// non-ASCII UTF-8, extreme integer values.
inline std::vector<std::pair<std::string, GgufValue>> sample_metadata() {
  using V = GgufValue;
  std::vector<std::pair<std::string, GgufValue>> m;
  auto set = [&](std::string k, GgufValue v) { m.emplace_back(std::move(k), std::move(v)); };
  set("general.architecture", V::of(std::string("llama")));
  set("test.u8", V::of(uint8_t{255}));
  set("test.i8", V::of(int8_t{-128}));
  set("test.u16", V::of(uint16_t{65535}));
  set("test.i16", V::of(int16_t{-32768}));
  set("test.u32", V::of(uint32_t{4000000000u}));
  set("test.i32", V::of(int32_t{-2000000000}));
  set("test.f32", V::of(1.5e-6f));
  set("test.bool_true", V::of(true));
  set("test.bool_false", V::of(false));
  set("test.string", V::of(std::string("héllo, 日本")));
  set("test.empty_string", V::of(std::string()));
  set("test.u64", V::of(uint64_t{std::numeric_limits<uint64_t>::max()}));
  set("test.i64", V::of(int64_t{std::numeric_limits<int64_t>::min()}));
  set("test.f64", V::of(-2.718281828459045));
  set("test.small_u64", V::of(uint64_t{42}));
  set("arr.u8", V::of_array(std::vector<uint8_t>{0, 1, 255}));
  set("arr.i8", V::of_array(std::vector<int8_t>{-128, 0, 127}));
  set("arr.u16", V::of_array(std::vector<uint16_t>{0, 65535}));
  set("arr.i16", V::of_array(std::vector<int16_t>{-32768, 32767}));
  set("arr.u32", V::of_array(std::vector<uint32_t>{1, 2, 3, 4294967295u}));
  set("arr.i32", V::of_array(std::vector<int32_t>{-1, 0, 1, 2147483647}));
  set("arr.f32", V::of_array(std::vector<float>{0.0f, -0.0f, -1.25f, 3.4e38f, 1e-30f}));
  set("arr.bool", V::of_array(std::vector<bool>{true, false, true}));
  set("arr.string", V::of_array(std::vector<std::string>{"<unk>", "", "▁the", "é"}));
  set("arr.u64", V::of_array(std::vector<uint64_t>{0, 9007199254740993ull}));
  set("arr.i64", V::of_array(std::vector<int64_t>{-9007199254740993ll, 5}));
  set("arr.f64", V::of_array(std::vector<double>{0.1, -1e300}));
  set("arr.empty_i32", V::of_array(std::vector<int32_t>{}));
  set("arr.empty_string", V::of_array(std::vector<std::string>{}));
  return m;
}

// Bytes of a sample tensor (the seed is its index in sample_tensors()).
inline std::vector<uint8_t> sample_tensor_bytes(const SampleTensor& t, uint32_t seed) {
  int64_t rows = 1;
  for (size_t d = 1; d < t.ne.size(); ++d) rows *= t.ne[d];
  return pattern_bytes(row_size(t.type, t.ne[0]) * static_cast<size_t>(rows), seed);
}

inline GgufWriter sample_writer(bool with_tensors = true) {
  GgufWriter w;
  for (auto& [k, v] : sample_metadata()) w.set(k, v);
  if (with_tensors) {
    uint32_t seed = 0;
    for (const auto& t : sample_tensors()) {
      const auto data = sample_tensor_bytes(t, seed++);
      w.add_tensor(t.name, t.type, t.ne, data.data(), data.size());
    }
  }
  return w;
}

// Exact comparison: floats by bit pattern, so -0.0 and NaN payloads count too.
inline bool same_value(const GgufValue& a, const GgufValue& b) {
  if (a.type != b.type) return false;
  if (a.is_array() && a.array_type != b.array_type) return false;
  auto bits_equal = [](const auto& x, const auto& y) {
    using X = std::decay_t<decltype(x)>;
    using Y = std::decay_t<decltype(y)>;
    if constexpr (!std::is_same_v<X, Y>) {
      return false;
    } else if constexpr (std::is_floating_point_v<X>) {
      return std::memcmp(&x, &y, sizeof(X)) == 0;
    } else if constexpr (std::is_same_v<X, std::vector<float>> ||
                         std::is_same_v<X, std::vector<double>>) {
      return x.size() == y.size() &&
             (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0);
    } else {
      return x == y;
    }
  };
  return a.is_array() ? std::visit(bits_equal, a.array, b.array)
                      : std::visit(bits_equal, a.scalar, b.scalar);
}

// Same metadata (order, keys, values) and same tensor infos and bytes.
inline void expect_same_contents(const GgufFile& a, const GgufFile& b) {
  ASSERT_EQ(a.metadata().size(), b.metadata().size());
  for (size_t i = 0; i < a.metadata().size(); ++i) {
    EXPECT_EQ(a.metadata()[i].first, b.metadata()[i].first);
    EXPECT_TRUE(same_value(a.metadata()[i].second, b.metadata()[i].second))
        << "key " << a.metadata()[i].first;
  }
  ASSERT_EQ(a.tensors().size(), b.tensors().size());
  for (size_t i = 0; i < a.tensors().size(); ++i) {
    const auto& x = a.tensors()[i];
    const auto& y = b.tensors()[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    EXPECT_EQ(x.ne, y.ne) << x.name;
    ASSERT_EQ(x.nbytes, y.nbytes) << x.name;
    EXPECT_TRUE(x.nbytes == 0 || std::memcmp(x.data, y.data, x.nbytes) == 0)
        << "tensor bytes differ: " << x.name;
  }
}

}  // namespace tq::test
