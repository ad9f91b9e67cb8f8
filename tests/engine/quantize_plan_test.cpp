// Type selection (plan_quantization) on small synthetic models: llama.cpp's per-layer rules
// for the _S/_M mixes, tied embeddings, the fallbacks for row lengths that are not whole
// blocks, and its tensor order; plus what quantize_model writes around the tensors
// (metadata, alignment) and its refusal to requantise.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/gguf/gguf.h"
#include "engine/quantize/quantize_model.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& name) {
  const fs::path dir = test::scratch_dir("tq_quantize_plan_tests");
  return dir / name;
}

struct ModelSpec {
  int n_layer = 8;
  int64_t n_embd = 256;
  int64_t n_ff = 512;
  bool tied = false;
  uint32_t experts = 0;
  GgmlType weight_type = GgmlType::F32;
};

// A llama-shaped model with zero weights: enough for the rules, which read names and shapes.
std::shared_ptr<GgufFile> make_model(const ModelSpec& s, const std::string& file) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("llama.block_count", GgufValue::of(static_cast<uint32_t>(s.n_layer)));
  w.set("llama.attention.head_count", GgufValue::of(uint32_t{4}));
  w.set("llama.attention.head_count_kv", GgufValue::of(uint32_t{2}));
  if (s.experts) w.set("llama.expert_count", GgufValue::of(s.experts));
  w.set("general.file_type", GgufValue::of(uint32_t{0}));
  auto add = [&](const std::string& name, std::vector<int64_t> ne, GgmlType type) {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;
    std::vector<uint8_t> zeros(row_size(type, ne[0]) * static_cast<size_t>(n / ne[0]));
    w.add_tensor(name, type, ne, zeros.data(), zeros.size());
  };
  add("token_embd.weight", {s.n_embd, 64}, s.weight_type);
  add("output_norm.weight", {s.n_embd}, GgmlType::F32);
  if (!s.tied) add("output.weight", {s.n_embd, 64}, s.weight_type);
  for (int i = 0; i < s.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    add(b + "attn_norm.weight", {s.n_embd}, GgmlType::F32);
    add(b + "attn_q.weight", {s.n_embd, s.n_embd}, s.weight_type);
    add(b + "attn_k.weight", {s.n_embd, s.n_embd / 2}, s.weight_type);
    add(b + "attn_v.weight", {s.n_embd, s.n_embd / 2}, s.weight_type);
    add(b + "attn_output.weight", {s.n_embd, s.n_embd}, s.weight_type);
    add(b + "ffn_norm.weight", {s.n_embd}, GgmlType::F32);
    add(b + "ffn_gate.weight", {s.n_embd, s.n_ff}, s.weight_type);
    add(b + "ffn_up.weight", {s.n_embd, s.n_ff}, s.weight_type);
    add(b + "ffn_down.weight", {s.n_ff, s.n_embd}, s.weight_type);
  }
  const fs::path p = temp_path(file);
  w.write(p.string());
  return GgufFile::open(p.string());
}

// name → type written ("copy" for tensors left as they are).
std::map<std::string, std::string> planned(const GgufFile& f, QuantMix mix) {
  std::map<std::string, std::string> m;
  for (const TensorPlan& p : plan_quantization(f, mix))
    m[f.tensors()[p.index].name] = p.quantize ? std::string(type_name(p.type)) : "copy";
  return m;
}

std::string layer(int i, const char* what) {
  return "blk." + std::to_string(i) + "." + what;
}

TEST(QuantizePlan, MediumMixesGiveMoreBitsToEveryThirdLayer) {
  const auto f = make_model({}, "llama8.gguf");
  // use_more_bits over 8 layers: i < 1, i >= 7, (i - 1) % 3 == 2 → layers 0, 3, 6, 7.
  const std::vector<bool> more = {true, false, false, true, false, false, true, true};
  for (QuantMix mix : {QuantMix::Q4_K_M, QuantMix::Q5_K_M}) {
    const auto m = planned(*f, mix);
    const std::string base = mix == QuantMix::Q4_K_M ? "q4_K" : "q5_K";
    for (int i = 0; i < 8; ++i) {
      const std::string want = more[static_cast<size_t>(i)] ? "q6_K" : base;
      EXPECT_EQ(m.at(layer(i, "attn_v.weight")), want) << i;
      EXPECT_EQ(m.at(layer(i, "ffn_down.weight")), want) << i;
      EXPECT_EQ(m.at(layer(i, "attn_q.weight")), base) << i;
      EXPECT_EQ(m.at(layer(i, "ffn_up.weight")), base) << i;
      EXPECT_EQ(m.at(layer(i, "attn_norm.weight")), "copy") << i;
    }
    EXPECT_EQ(m.at("output.weight"), "q6_K");
    EXPECT_EQ(m.at("token_embd.weight"), base);
    EXPECT_EQ(m.at("output_norm.weight"), "copy");
  }
}

TEST(QuantizePlan, SmallMixesAndSingleTypeMixes) {
  const auto f = make_model({}, "llama8.gguf");
  const auto s4 = planned(*f, QuantMix::Q4_K_S);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(s4.at(layer(i, "attn_v.weight")), i < 4 ? "q5_K" : "q4_K") << i;
    EXPECT_EQ(s4.at(layer(i, "ffn_down.weight")), i < 1 ? "q5_K" : "q4_K") << i;
  }
  const auto q8 = planned(*f, QuantMix::Q8_0);
  EXPECT_EQ(q8.at("output.weight"), "q8_0");  // Q8_0 keeps the output in Q8_0
  EXPECT_EQ(q8.at(layer(3, "attn_v.weight")), "q8_0");
  const auto q40 = planned(*f, QuantMix::Q4_0);
  EXPECT_EQ(q40.at("output.weight"), "q6_K");  // every other mix: Q6_K output
  EXPECT_EQ(q40.at(layer(0, "ffn_down.weight")), "q4_0");
}

TEST(QuantizePlan, TiedEmbeddingsTakeTheOutputType) {
  ModelSpec s;
  s.tied = true;
  const auto f = make_model(s, "llama8-tied.gguf");
  EXPECT_EQ(planned(*f, QuantMix::Q4_K_M).at("token_embd.weight"), "q6_K");
  EXPECT_EQ(planned(*f, QuantMix::Q8_0).at("token_embd.weight"), "q8_0");
}

TEST(QuantizePlan, RowLengthsThatAreNotWholeBlocksFallBack) {
  ModelSpec s;
  s.n_layer = 1;
  s.n_embd = 320;  // a multiple of 32, not of 256
  s.n_ff = 96;
  const auto f = make_model(s, "llama-320.gguf");
  const auto m4 = planned(*f, QuantMix::Q4_K_M);
  EXPECT_EQ(m4.at("blk.0.attn_q.weight"), "q5_0");  // Q4_K → Q5_0
  EXPECT_EQ(m4.at("blk.0.attn_v.weight"), "q8_0");  // Q6_K (1 layer: more bits) → Q8_0
  EXPECT_EQ(m4.at("output.weight"), "q8_0");        // output: Q8_0 when not whole blocks
  EXPECT_EQ(planned(*f, QuantMix::Q5_K_S).at("blk.0.attn_q.weight"), "q5_1");
  EXPECT_EQ(planned(*f, QuantMix::Q6_K).at("blk.0.ffn_up.weight"), "q8_0");
  const auto plan = plan_quantization(*f, QuantMix::Q4_K_M);
  for (const auto& p : plan)
    if (f->tensors()[p.index].name == "blk.0.attn_q.weight") {
      EXPECT_TRUE(p.fallback);
      EXPECT_NE(p.note.find("320"), std::string::npos) << p.note;
    }
  EXPECT_THROW(plan_quantization(*f, QuantMix::Q3_K_M), UnsupportedError);  // IQ4_NL

  s.n_embd = 48;  // not even a multiple of 32: F16, llama.cpp's last resort
  s.n_ff = 172;
  const auto g = make_model(s, "llama-48.gguf");
  EXPECT_EQ(planned(*g, QuantMix::Q4_K_M).at("blk.0.attn_q.weight"), "f16");
  EXPECT_EQ(planned(*g, QuantMix::Q8_0).at("blk.0.ffn_down.weight"), "f16");
}

TEST(QuantizePlan, VisitsTensorsInLlamaCppOrder) {
  ModelSpec s;
  s.n_layer = 11;
  s.n_embd = 32;
  s.n_ff = 32;
  const auto f = make_model(s, "llama11.gguf");
  std::vector<std::string> names;
  for (size_t i : llama_quantize_order(*f)) names.push_back(f->tensors()[i].name);
  ASSERT_EQ(names.size(), f->tensors().size());
  EXPECT_EQ(names[0], "output.weight");
  EXPECT_EQ(names[1], "output_norm.weight");
  EXPECT_EQ(names[2], "token_embd.weight");
  EXPECT_EQ(names[3], "blk.0.attn_k.weight");
  EXPECT_EQ(names.back(), "blk.10.ffn_up.weight");  // block 10 after block 9, by number
  EXPECT_EQ(names[names.size() - 10], "blk.9.ffn_up.weight");
}

TEST(QuantizePlan, MixtureOfExpertsIsRefused) {
  ModelSpec s;
  s.n_layer = 1;
  s.experts = 8;
  EXPECT_THROW(plan_quantization(*make_model(s, "moe.gguf"), QuantMix::Q4_K_M), UnsupportedError);
}

TEST(QuantizePlan, MixNamesAndFileTypes) {
  EXPECT_EQ(quant_mix_from_name("q4_k_m"), QuantMix::Q4_K_M);
  EXPECT_EQ(quant_mix_from_name("Q8_0"), QuantMix::Q8_0);
  EXPECT_FALSE(quant_mix_from_name("Q4_K"));
  EXPECT_EQ(quant_mix_info(QuantMix::Q8_0).ftype, 7u);
  EXPECT_EQ(quant_mix_info(QuantMix::Q4_0).ftype, 2u);
  EXPECT_EQ(quant_mix_info(QuantMix::Q4_K_M).ftype, 15u);
  EXPECT_EQ(quant_mix_info(QuantMix::Q5_K_M).ftype, 17u);
  EXPECT_EQ(quant_mix_info(QuantMix::Q6_K).ftype, 18u);
}

TEST(QuantizeModel, CopiesMetadataAndSetsFileTypeLast) {
  ModelSpec s;
  s.n_layer = 1;
  const auto f = make_model(s, "meta-in.gguf");
  const fs::path out = temp_path("meta-out.gguf");
  ThreadPool pool(2);
  const QuantizeReport r = quantize_model(f->path(), out.string(), QuantMix::Q4_K_M, pool);
  const auto q = GgufFile::open(out.string());
  const auto& md = q->metadata();
  ASSERT_GE(md.size(), 2u);
  EXPECT_EQ(md[md.size() - 2].first, "general.quantization_version");
  EXPECT_EQ(md.back().first, "general.file_type");
  EXPECT_EQ(q->get_uint("general.file_type"), 15u);
  EXPECT_EQ(q->get_uint("general.quantization_version"), 2u);
  EXPECT_EQ(q->get_uint("llama.block_count"), 1u);
  EXPECT_EQ(md.size(), f->metadata().size() + 1);  // + quantization_version
  EXPECT_EQ(r.tensors.size(), f->tensors().size());
  EXPECT_LT(r.bits_per_weight_out(), 6.0);
  EXPECT_GT(r.bits_per_weight_out(), 4.5);
  EXPECT_DOUBLE_EQ(r.bits_per_weight_in(), 32.0);
}

TEST(QuantizeModel, RefusesToRequantiseButCopiesMatchingTypes) {
  ModelSpec s;
  s.n_layer = 1;
  s.weight_type = GgmlType::Q8_0;
  const auto f = make_model(s, "q8-in.gguf");
  ThreadPool pool(1);
  try {
    quantize_model(f->path(), temp_path("q8-q4.gguf").string(), QuantMix::Q4_0, pool);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("already quantised"), std::string::npos) << msg;
    EXPECT_NE(msg.find(".weight'"), std::string::npos) << msg;
  }
  // Q8_0 → Q8_0: every weight is already in the chosen type and is copied (as llama.cpp does).
  const fs::path out = temp_path("q8-q8.gguf");
  const QuantizeReport r = quantize_model(f->path(), out.string(), QuantMix::Q8_0, pool);
  for (const auto& t : r.tensors) EXPECT_FALSE(t.converted) << t.name;
}

}  // namespace
}  // namespace tq
