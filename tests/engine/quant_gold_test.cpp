// Tensor types against the gold models (../shared/gold/models), produced by llama.cpp:
//  - every quantised/half tensor of the llama-spm files, dequantised, tracks the same tensor
//    of the f32 file (from which llama-quantize made them) within its format's error;
//  - our reference quantisers, fed the f32 tensor, reproduce llama-quantize's bytes for the
//    legacy and half types;
//  - the qwen2-896 files (Q4_1, Q5_1, and Q5_0/Q8_0) agree with each other within the sum
//    of their error bounds;
//  - vec_dot on real rows agrees with the dequantised rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/fp16.h"
#include "engine/gguf/gguf.h"
#include "engine/tensor/blocks.h"
#include "engine/tensor/ggml_type.h"
#include "quant_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

std::filesystem::path model_path(const std::string& name) {
  return test::gold_dir() / "models" / name;
}

std::vector<float> dequantize_tensor(const GgufTensorInfo& t) {
  return test::dequantize(t.type, t.data, t.n_elements());
}

// A strict per-element bound on |dequantised − original| for the formats whose reference
// quantiser we know (round to nearest: half a step; Q4_0/Q5_0 clamp the extreme opposite
// to max: one step; plus the half rounding of d and m, up to |q|·|d|·2^-11), or −1 where there is
// none (the K-quants choose their scales by search and may clip).
double element_bound(const GgufTensorInfo& t, int64_t i, float value) {
  const auto* base = static_cast<const uint8_t*>(t.data);
  auto half_at = [&](size_t offset) {
    half_bits h;
    std::memcpy(&h, base + static_cast<size_t>(i / 32) * type_traits(t.type).type_size + offset, 2);
    return std::fabs(static_cast<double>(fp16_to_fp32(h)));
  };
  switch (t.type) {
    case GgmlType::F32:
      return 0.0;
    case GgmlType::F16:
      return std::fabs(value) / 2048.0 + 6e-8;
    case GgmlType::BF16:
      return std::fabs(value) / 256.0 + 1e-38;
    case GgmlType::Q8_0:
      return 0.5 * half_at(0) + 128 * half_at(0) / 2048.0 + 1e-7;
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
      return 1.0 * half_at(0) + 32 * half_at(0) / 1024.0 + 1e-7;
    case GgmlType::Q4_1:
    case GgmlType::Q5_1:
      return 0.5 * half_at(0) + (32 * half_at(0) + half_at(2)) / 1024.0 + 1e-7;
    default:
      return -1.0;
  }
}

// Relative RMS error a faithful decoder stays well under; a wrong bit layout gives ~1.
double rms_limit(GgmlType t) {
  switch (t) {
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
      return 0.01;
    case GgmlType::Q6_K:
      return 0.04;
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q5_K:
      return 0.08;
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q4_K:
      return 0.15;
    case GgmlType::Q3_K:
      return 0.3;
    default:
      return 0.5;
  }
}

const char* kLlamaFiles[] = {"llama-spm-f16.gguf",   "llama-spm-bf16.gguf", "llama-spm-q8_0.gguf",
                             "llama-spm-q4_0.gguf",  "llama-spm-q6_k.gguf", "llama-spm-q4_k_m.gguf",
                             "llama-spm-q5_k_m.gguf"};

TEST(QuantGold, LlamaTensorsTrackF32) {
  TQ_REQUIRE_PATH(model_path("llama-spm-f32.gguf"));
  const auto ref = GgufFile::open(model_path("llama-spm-f32.gguf").string());
  std::map<GgmlType, int> seen;
  for (const char* name : kLlamaFiles) {
    TQ_REQUIRE_PATH(model_path(name));
    const auto file = GgufFile::open(model_path(name).string());
    std::map<GgmlType, double> worst_rms;
    for (const GgufTensorInfo& t : file->tensors()) {
      if (t.type == GgmlType::F32) continue;
      const GgufTensorInfo* r = ref->find_tensor(t.name);
      ASSERT_NE(r, nullptr) << name << ": " << t.name << " missing from the f32 file";
      ASSERT_EQ(r->type, GgmlType::F32);
      ASSERT_EQ(r->ne, t.ne) << name << ": " << t.name;
      const std::vector<float> got = dequantize_tensor(t);
      const std::vector<float> want = dequantize_tensor(*r);
      double err2 = 0.0, ref2 = 0.0;
      int64_t over = 0, first_over = -1;
      for (size_t i = 0; i < got.size(); ++i) {
        const double e = static_cast<double>(got[i]) - want[i];
        err2 += e * e;
        ref2 += static_cast<double>(want[i]) * want[i];
        const double bound = element_bound(t, static_cast<int64_t>(i), want[i]);
        if (bound >= 0.0 && std::fabs(e) > bound && over++ == 0)
          first_over = static_cast<int64_t>(i);
      }
      EXPECT_EQ(over, 0) << name << ": " << t.name << " (" << type_name(t.type) << ") element "
                         << first_over << " off by " << got[first_over] - want[first_over];
      const double rel = std::sqrt(err2 / std::max(ref2, 1e-30));
      EXPECT_LT(rel, rms_limit(t.type))
          << name << ": " << t.name << " (" << type_name(t.type) << ")";
      worst_rms[t.type] = std::max(worst_rms[t.type], rel);
      ++seen[t.type];
    }
    std::string line;
    for (const auto& [type, rel] : worst_rms)
      line += " " + std::string(type_name(type)) + " rel-rms " + std::to_string(rel);
    std::printf("[ quant    ] %s:%s\n", name, line.c_str());
  }
  for (GgmlType t : {GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K,
                     GgmlType::Q5_K, GgmlType::Q6_K})
    EXPECT_GT(seen[t], 0) << "no " << type_name(t) << " tensor among the gold files";
}

// llama-quantize made these files from the f32 one; for the legacy and half types it uses
// the reference quantisers, which ours must reproduce byte for byte.
TEST(QuantGold, ReferenceQuantisersReproduceLlamaQuantize) {
  TQ_REQUIRE_PATH(model_path("llama-spm-f32.gguf"));
  const auto ref = GgufFile::open(model_path("llama-spm-f32.gguf").string());
  std::map<GgmlType, int> checked;
  for (const char* name : kLlamaFiles) {
    TQ_REQUIRE_PATH(model_path(name));
    const auto file = GgufFile::open(model_path(name).string());
    for (const GgufTensorInfo& t : file->tensors()) {
      const TypeTraits& tt = type_traits(t.type);
      if (t.type == GgmlType::F32 || tt.from_float == nullptr) continue;
      const GgufTensorInfo* r = ref->find_tensor(t.name);
      ASSERT_NE(r, nullptr);
      const std::vector<float> src = dequantize_tensor(*r);
      const std::vector<uint8_t> mine = test::quantize(t.type, src);
      ASSERT_EQ(mine.size(), t.nbytes);
      const auto* theirs = static_cast<const uint8_t*>(t.data);
      int64_t bad_blocks = 0, first_bad = -1;
      for (size_t b = 0; b < mine.size() / tt.type_size; ++b)
        if (std::memcmp(mine.data() + b * tt.type_size, theirs + b * tt.type_size, tt.type_size) &&
            bad_blocks++ == 0)
          first_bad = static_cast<int64_t>(b);
      EXPECT_EQ(bad_blocks, 0) << name << ": " << t.name << " (" << tt.name << ") first block "
                               << first_bad;
      ++checked[t.type];
    }
  }
  for (GgmlType t : {GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0})
    EXPECT_GT(checked[t], 0) << type_name(t);
}

// No f32 twin here: the three files quantise the same weights, so any two dequantised
// copies differ by at most the sum of their per-element bounds.
TEST(QuantGold, Qwen896LegacyFilesAgree) {
  const char* names[] = {"qwen2-896-q4_1.gguf", "qwen2-896-q5_1.gguf", "qwen2-896-q4_k_m.gguf"};
  std::vector<std::shared_ptr<GgufFile>> files;
  for (const char* n : names) {
    TQ_REQUIRE_PATH(model_path(n));
    files.push_back(GgufFile::open(model_path(n).string()));
  }
  std::map<GgmlType, int> seen;
  int pairs = 0;
  for (const GgufTensorInfo& a : files[0]->tensors()) {
    if (a.type == GgmlType::F32) continue;
    const std::vector<float> va = dequantize_tensor(a);
    ++seen[a.type];
    for (size_t f = 1; f < files.size(); ++f) {
      const GgufTensorInfo* b = files[f]->find_tensor(a.name);
      ASSERT_NE(b, nullptr) << a.name;
      ASSERT_EQ(b->ne, a.ne) << a.name;
      ++seen[b->type];
      const std::vector<float> vb = dequantize_tensor(*b);
      int64_t over = 0, first = -1;
      for (size_t i = 0; i < va.size(); ++i) {
        const double ba = element_bound(a, static_cast<int64_t>(i), va[i]);
        const double bb = element_bound(*b, static_cast<int64_t>(i), vb[i]);
        if (ba < 0 || bb < 0) break;  // a K-quant: no strict bound
        if (std::fabs(static_cast<double>(va[i]) - vb[i]) > ba + bb && over++ == 0)
          first = static_cast<int64_t>(i);
      }
      EXPECT_EQ(over, 0) << a.name << " " << type_name(a.type) << " vs " << type_name(b->type)
                         << " element " << first;
      ++pairs;
    }
  }
  EXPECT_GT(pairs, 0);
  for (GgmlType t : {GgmlType::Q4_1, GgmlType::Q5_1, GgmlType::Q5_0, GgmlType::Q8_0})
    EXPECT_GT(seen[t], 0) << "no " << type_name(t) << " tensor in the qwen2-896 files";
}

// vec_dot on real rows (real scales/mins as llama-quantize chose them) against the
// dequantised rows, with every file's weight types.
TEST(QuantGold, VecDotOnRealRows) {
  std::map<GgmlType, int> seen;
  const char* extra[] = {"qwen2-896-q4_1.gguf", "qwen2-896-q5_1.gguf", "qwen2-896-q4_k_m.gguf"};
  std::vector<std::string> names(std::begin(kLlamaFiles), std::end(kLlamaFiles));
  names.insert(names.end(), std::begin(extra), std::end(extra));
  for (const std::string& name : names) {
    TQ_REQUIRE_PATH(model_path(name));
    const auto file = GgufFile::open(model_path(name).string());
    for (const GgufTensorInfo& t : file->tensors()) {
      if (t.type == GgmlType::F32 || t.ne.size() < 2) continue;
      const int64_t n = t.ne[0];
      const size_t rs = row_size(t.type, n);
      const auto y = test::random_row(n, static_cast<uint32_t>(n) + seen[t.type]);
      for (int64_t r = 0; r < std::min<int64_t>(3, t.n_rows()); ++r) {
        const auto* row = static_cast<const uint8_t*>(t.data) + static_cast<size_t>(r) * rs;
        test::check_vec_dot(t.type, std::vector<uint8_t>(row, row + rs), y);
      }
      ++seen[t.type];
    }
  }
  for (GgmlType t :
       {GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1,
        GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
    EXPECT_GT(seen[t], 0) << type_name(t);
}

}  // namespace
}  // namespace tq
