// quantize_model against llama-quantize's own output (../shared/gold/models): the same type
// for every tensor, the same bytes for the legacy types, and for the K-quants a
// reconstruction error no worse than llama.cpp's (RMSE vs the F32 weights, per tensor).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "engine/gguf/gguf.h"
#include "engine/quantize/quantize_model.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path models() {
  return test::gold_dir() / "models";
}

fs::path temp_path(const std::string& name) {
  const fs::path dir = test::scratch_dir("tq_quantize_gold_tests");
  return dir / name;
}

std::shared_ptr<GgufFile> quantize_to_temp(const fs::path& in, QuantMix mix,
                                           const std::string& tag) {
  ThreadPool pool(2);
  const fs::path out = temp_path(tag + "-" + std::string(quant_mix_info(mix).name) + ".gguf");
  quantize_model(in.string(), out.string(), mix, pool);
  return GgufFile::open(out.string());
}

std::vector<float> to_f32(const GgufTensorInfo& t) {
  std::vector<float> v(static_cast<size_t>(t.n_elements()));
  type_traits(t.type).to_float(t.data, v.data(), t.n_elements());
  return v;
}

double rmse(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s / static_cast<double>(a.size()));
}

// Same tensors in the same order with the same types and shapes, and the same metadata keys
// in the same order with general.file_type as llama.cpp sets it.
void expect_same_layout(const GgufFile& ours, const GgufFile& gold) {
  ASSERT_EQ(ours.tensors().size(), gold.tensors().size());
  for (size_t i = 0; i < gold.tensors().size(); ++i) {
    const auto& o = ours.tensors()[i];
    const auto& g = gold.tensors()[i];
    EXPECT_EQ(o.name, g.name) << "tensor " << i;
    EXPECT_EQ(type_name(o.type), type_name(g.type)) << g.name;
    EXPECT_EQ(o.ne, g.ne) << g.name;
  }
  ASSERT_EQ(ours.metadata().size(), gold.metadata().size());
  for (size_t i = 0; i < gold.metadata().size(); ++i)
    EXPECT_EQ(ours.metadata()[i].first, gold.metadata()[i].first) << "key " << i;
  EXPECT_EQ(ours.get_uint("general.file_type"), gold.get_uint("general.file_type"));
  EXPECT_EQ(ours.get_uint("general.quantization_version"),
            gold.get_uint("general.quantization_version"));
}

struct MixCase {
  QuantMix mix;
  const char* gold;
};

class LlamaSpmMix : public ::testing::TestWithParam<MixCase> {};

TEST_P(LlamaSpmMix, TypesPerTensorMatchLlamaQuantize) {
  const fs::path in = models() / "llama-spm-f32.gguf";
  const fs::path gold_path = models() / GetParam().gold;
  TQ_REQUIRE_PATH(in);
  TQ_REQUIRE_PATH(gold_path);
  const auto ours = quantize_to_temp(in, GetParam().mix, "llama-spm");
  const auto gold = GgufFile::open(gold_path.string());
  expect_same_layout(*ours, *gold);
}

INSTANTIATE_TEST_SUITE_P(Gold, LlamaSpmMix,
                         ::testing::Values(MixCase{QuantMix::Q8_0, "llama-spm-q8_0.gguf"},
                                           MixCase{QuantMix::Q4_0, "llama-spm-q4_0.gguf"},
                                           MixCase{QuantMix::Q4_K_M, "llama-spm-q4_k_m.gguf"},
                                           MixCase{QuantMix::Q5_K_M, "llama-spm-q5_k_m.gguf"},
                                           MixCase{QuantMix::Q6_K, "llama-spm-q6_k.gguf"}),
                         [](const auto& p) {
                           return std::string(quant_mix_info(p.param.mix).name);
                         });

// Every mix, K-quants included, reproduces llama-quantize's file byte for byte: the scale
// searches are exact re-implementations, not approximations. Per-tensor results are printed
// so that a difference shows where it starts.
TEST(QuantizeGold, FilesAreByteIdentical) {
  struct FileCase {
    const char* input;
    QuantMix mix;
    const char* gold;
  };
  for (const FileCase c :
       {FileCase{"llama-spm-f32.gguf", QuantMix::Q8_0, "llama-spm-q8_0.gguf"},
        FileCase{"llama-spm-f32.gguf", QuantMix::Q4_0, "llama-spm-q4_0.gguf"},
        FileCase{"llama-spm-f32.gguf", QuantMix::Q4_K_M, "llama-spm-q4_k_m.gguf"},
        FileCase{"llama-spm-f32.gguf", QuantMix::Q5_K_M, "llama-spm-q5_k_m.gguf"},
        FileCase{"llama-spm-f32.gguf", QuantMix::Q6_K, "llama-spm-q6_k.gguf"},
        FileCase{"qwen2-gpt2-f32.gguf", QuantMix::Q8_0, "qwen2-gpt2-q8_0.gguf"},
        FileCase{"qwen2-gpt2-f32.gguf", QuantMix::Q4_K_M, "qwen2-gpt2-q4_k_m.gguf"}}) {
    const fs::path in = models() / c.input;
    const fs::path gold_path = models() / c.gold;
    TQ_REQUIRE_PATH(in);
    TQ_REQUIRE_PATH(gold_path);
    const auto ours = quantize_to_temp(in, c.mix, c.input);
    const auto gold = GgufFile::open(gold_path.string());
    ASSERT_EQ(ours->tensors().size(), gold->tensors().size());
    int identical = 0;
    for (size_t i = 0; i < gold->tensors().size(); ++i) {
      const auto& o = ours->tensors()[i];
      const auto& g = gold->tensors()[i];
      ASSERT_EQ(o.nbytes, g.nbytes) << g.name;
      const bool same = std::memcmp(o.data, g.data, g.nbytes) == 0;
      EXPECT_TRUE(same) << c.gold << ": " << g.name << " (" << type_name(g.type) << ") differs";
      identical += same ? 1 : 0;
    }
    std::printf("%-24s %2d/%zu tensors byte-identical\n", c.gold, identical,
                gold->tensors().size());
    EXPECT_EQ(test::read_file(ours->path()), test::read_file(gold->path()))
        << c.gold << ": whole file differs";
  }
}

// K-quant tensors: our reconstruction error is at most 1% above llama.cpp's, per tensor.
TEST(QuantizeGold, KQuantErrorMatchesLlamaQuantize) {
  const fs::path in = models() / "llama-spm-f32.gguf";
  TQ_REQUIRE_PATH(in);
  const auto f32 = GgufFile::open(in.string());
  std::printf("%-18s %-26s %-5s %12s %12s %7s %s\n", "file", "tensor", "type", "rmse ours",
              "rmse gold", "ratio", "bytes");
  for (const MixCase c :
       {MixCase{QuantMix::Q4_K_M, "llama-spm-q4_k_m.gguf"},
        MixCase{QuantMix::Q5_K_M, "llama-spm-q5_k_m.gguf"},
        MixCase{QuantMix::Q6_K, "llama-spm-q6_k.gguf"},
        MixCase{QuantMix::Q4_0, "llama-spm-q4_0.gguf"}}) {  // Q4_0: its Q6_K output
    const fs::path gold_path = models() / c.gold;
    TQ_REQUIRE_PATH(gold_path);
    const auto ours = quantize_to_temp(in, c.mix, "llama-spm");
    const auto gold = GgufFile::open(gold_path.string());
    for (const auto& g : gold->tensors()) {
      if (type_traits(g.type).block_size != 256) continue;  // K-quant tensors only
      const GgufTensorInfo* o = ours->find_tensor(g.name);
      const GgufTensorInfo* src = f32->find_tensor(g.name);
      ASSERT_NE(o, nullptr) << g.name;
      ASSERT_NE(src, nullptr) << g.name;
      ASSERT_EQ(o->type, g.type) << g.name;
      const std::vector<float> ref = to_f32(*src);
      const double e_ours = rmse(to_f32(*o), ref);
      const double e_gold = rmse(to_f32(g), ref);
      const bool same = std::memcmp(o->data, g.data, g.nbytes) == 0;
      std::printf("%-18s %-26s %-5s %12.8f %12.8f %7.4f %s\n", c.gold, g.name.c_str(),
                  std::string(type_name(g.type)).c_str(), e_ours, e_gold, e_ours / e_gold,
                  same ? "identical" : "differ");
      EXPECT_LE(e_ours, e_gold * 1.01) << c.gold << ": " << g.name;
    }
  }
}

// Tied embeddings (no output.weight): token_embd takes the output's Q6_K; qwen2 biases stay F32.
TEST(QuantizeGold, Qwen2TiedQ4KMTypesMatch) {
  const fs::path in = models() / "qwen2-gpt2-f32.gguf";
  const fs::path gold_path = models() / "qwen2-gpt2-q4_k_m.gguf";
  TQ_REQUIRE_PATH(in);
  TQ_REQUIRE_PATH(gold_path);
  const auto ours = quantize_to_temp(in, QuantMix::Q4_K_M, "qwen2-gpt2");
  expect_same_layout(*ours, *GgufFile::open(gold_path.string()));
}

// Width 896 / ffn 1152 are not multiples of 256: llama.cpp falls back to Q5_0 (for Q4_K) and
// Q8_0 (for Q6_K and the tied output). There is no F32 file of this model, so an F16 one is
// made from the Q5_1 file's dequantised weights and quantised.
TEST(QuantizeGold, Qwen2Width896FallbackTypesMatch) {
  const fs::path src_path = models() / "qwen2-896-q5_1.gguf";
  const fs::path gold_path = models() / "qwen2-896-q4_k_m.gguf";
  TQ_REQUIRE_PATH(src_path);
  TQ_REQUIRE_PATH(gold_path);
  const auto src = GgufFile::open(src_path.string());
  GgufWriter w;
  for (const auto& [key, value] : src->metadata()) w.set(key, value);
  for (const auto& t : src->tensors()) {
    std::vector<float> x = to_f32(t);
    if (t.type == GgmlType::F32) {
      w.add_tensor(t.name, t.type, t.ne, x.data(), x.size() * sizeof(float));
      continue;
    }
    std::vector<uint8_t> h(row_size(GgmlType::F16, t.n_elements()));
    type_traits(GgmlType::F16).from_float(x.data(), h.data(), t.n_elements());
    w.add_tensor(t.name, GgmlType::F16, t.ne, h.data(), h.size());
  }
  const fs::path f16 = temp_path("qwen2-896-f16.gguf");
  w.write(f16.string());

  const auto gold = GgufFile::open(gold_path.string());
  // The plan alone, from any file of the model...
  const auto plan = plan_quantization(*src, QuantMix::Q4_K_M);
  ASSERT_EQ(plan.size(), gold->tensors().size());
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto& t = src->tensors()[plan[i].index];
    const auto& g = gold->tensors()[i];
    EXPECT_EQ(t.name, g.name);
    const GgmlType planned = plan[i].quantize ? plan[i].type : t.type;
    EXPECT_EQ(type_name(planned), type_name(g.type)) << g.name;
  }
  // ...and a real run from F16.
  expect_same_layout(*quantize_to_temp(f16, QuantMix::Q4_K_M, "qwen2-896"), *gold);
}

}  // namespace
}  // namespace tq
