// Synthetic models: the four real shapes checked against the published models
// (hyper-parameters from their config.json, parameter counts from their model cards)
// without writing weights; small shapes written, loaded, run and benchmarked; the
// streaming GGUF writer against GgufWriter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/bench/bench.h"
#include "engine/bench/membw.h"
#include "engine/generation/generator.h"
#include "engine/gguf/gguf_stream.h"
#include "engine/model/model.h"
#include "engine/quantize/type_mix.h"
#include "engine/synth/synth_writer.h"
#include "engine/tokenizer/vocab.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& stem) {
  static int counter = 0;
  const fs::path dir = test::scratch_dir("tq_synth_tests");
  return dir /
         (stem + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".gguf");
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the model cards and config.json files say, written out independently of the table.
struct RealModel {
  const char* shape;
  const char* arch;
  int n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab, head_dim, n_ctx;
  bool tied, qkv_bias;
  float rope_base, rms_eps;
  uint64_t n_params;
  const char* tokenizer;
};
const RealModel kReal[] = {
    {"tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000, 64, 2048, false, false, 10000.0f,
     1e-5f, 1100048384ull, "llama"},
    {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 64, 32768, true, true, 1000000.0f,
     1e-6f, 494032768ull, "gpt2"},
    {"llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, 64, 131072, true, false, 500000.0f,
     1e-5f, 1235814400ull, "gpt2"},
    {"smollm2-360m", "llama", 960, 32, 15, 5, 2560, 49152, 64, 8192, true, false, 100000.0f, 1e-5f,
     361821120ull, "gpt2"},
};

const SynthTensor* find(const SynthPlan& plan, const std::string& name) {
  for (const auto& t : plan.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

// The plan's metadata in a tensor-less GGUF, read back the way Model::load reads it.
std::shared_ptr<GgufFile> metadata_file(const SynthPlan& plan) {
  GgufWriter w;
  for (const auto& [k, v] : plan.metadata) w.set(k, v);
  const fs::path path = temp_path("meta");
  w.write(path.string());
  auto file = GgufFile::open(path.string());
  fs::remove(path);  // the mapping stays valid
  return file;
}

TEST(SynthPlan, RealShapesMatchThePublishedModels) {
  for (const RealModel& m : kReal) {
    SCOPED_TRACE(m.shape);
    SynthOptions opt;
    opt.type = *synth_type_from_name("F16");
    const SynthPlan plan = plan_synth_model(find_synth_shape(m.shape), opt);
    EXPECT_EQ(plan.n_params(), m.n_params);

    auto file = metadata_file(plan);
    const ModelHParams hp = ModelHParams::from_gguf(*file, RopeStyle::Normal);
    EXPECT_EQ(hp.arch, m.arch);
    EXPECT_EQ(hp.n_embd, m.n_embd);
    EXPECT_EQ(hp.n_layer, m.n_layer);
    EXPECT_EQ(hp.n_head, m.n_head);
    EXPECT_EQ(hp.n_head_kv, m.n_head_kv);
    EXPECT_EQ(hp.n_ff, m.n_ff);
    EXPECT_EQ(hp.head_dim, m.head_dim);
    EXPECT_EQ(hp.n_ctx_train, m.n_ctx);
    EXPECT_FLOAT_EQ(hp.rope.freq_base, m.rope_base);
    EXPECT_FLOAT_EQ(hp.norm_rms_eps, m.rms_eps);
    EXPECT_EQ(file->get_uint("general.file_type"), 1u);  // LLAMA_FTYPE_MOSTLY_F16

    auto vocab = Vocab::from_gguf(*file);
    EXPECT_EQ(vocab->n_tokens(), m.n_vocab);
    EXPECT_EQ(file->get_string("tokenizer.ggml.model"), m.tokenizer);
    const auto ids = vocab->tokenize("hello world, Hello 42!", false, false);
    EXPECT_LT(ids.size(), 20u);  // multi-letter pieces, not one token per byte
    EXPECT_EQ(vocab->detokenize(ids, false), "hello world, Hello 42!");

    const SynthTensor* embd = find(plan, "token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->ne, (std::vector<int64_t>{m.n_embd, m.n_vocab}));
    EXPECT_EQ(find(plan, "output.weight") == nullptr, m.tied);
    const std::string last = "blk." + std::to_string(m.n_layer - 1) + ".";
    ASSERT_NE(find(plan, last + "attn_k.weight"), nullptr);
    EXPECT_EQ(find(plan, last + "attn_k.weight")->ne,
              (std::vector<int64_t>{m.n_embd, int64_t{m.n_head_kv} * m.head_dim}));
    EXPECT_EQ(find(plan, last + "ffn_down.weight")->ne, (std::vector<int64_t>{m.n_ff, m.n_embd}));
    EXPECT_EQ(find(plan, last + "attn_q.bias") != nullptr, m.qkv_bias);
    EXPECT_EQ(find(plan, "blk." + std::to_string(m.n_layer) + ".attn_q.weight"), nullptr);
    EXPECT_EQ(find(plan, last + "ffn_norm.weight")->type, GgmlType::F32);
    EXPECT_EQ(find(plan, last + "ffn_up.weight")->type, GgmlType::F16);
  }
}

TEST(SynthPlan, Llama32RopeFactorsFollowTheLlama3Rule) {
  const SynthPlan plan = plan_synth_model(find_synth_shape("llama-3.2-1b"), SynthOptions{});
  const SynthTensor* f = find(plan, "rope_freqs.weight");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->values.size(), 32u);
  // Short wavelengths (< 8192/4) untouched, long ones (> 8192) divided by the factor 32.
  EXPECT_FLOAT_EQ(f->values.front(), 1.0f);
  EXPECT_FLOAT_EQ(f->values.back(), 32.0f);
  for (size_t i = 1; i < f->values.size(); ++i) EXPECT_GE(f->values[i], f->values[i - 1]);
}

TEST(SynthPlan, TypeChoiceLayersOverrideAndErrors) {
  SynthOptions opt;
  opt.type = *synth_type_from_name("q4_0");
  opt.n_layer = 3;
  const SynthPlan tiny = plan_synth_model(find_synth_shape("tinyllama-1.1b"), opt);
  EXPECT_EQ(tiny.shape.n_layer, 3);
  EXPECT_NE(find(tiny, "blk.2.ffn_up.weight"), nullptr);
  EXPECT_EQ(find(tiny, "blk.3.ffn_up.weight"), nullptr);
  EXPECT_EQ(find(tiny, "blk.2.ffn_up.weight")->type, GgmlType::Q4_0);
  EXPECT_EQ(find(tiny, "token_embd.weight")->type, GgmlType::Q4_0);
  // The output matrix keeps more bits, as llama-quantize does.
  EXPECT_EQ(find(tiny, "output.weight")->type, GgmlType::Q6_K);
  EXPECT_EQ(find(tiny, "output_norm.weight")->type, GgmlType::F32);

  // K mixes: llama-quantize's choices (more bits for the first layers' attn_v/ffn_down;
  // Qwen2.5's 896-wide rows are not whole 256-blocks, so they fall back to Q5_0 / Q8_0,
  // as in the published Qwen2.5-0.5B Q4_K_M file).
  opt.type = *synth_type_from_name("Q4_K_M");
  opt.n_layer = 0;
  const SynthPlan tl = plan_synth_model(find_synth_shape("tinyllama-1.1b"), opt);
  EXPECT_EQ(find(tl, "token_embd.weight")->type, GgmlType::Q4_K);
  EXPECT_EQ(find(tl, "output.weight")->type, GgmlType::Q6_K);
  EXPECT_EQ(find(tl, "blk.0.attn_v.weight")->type, GgmlType::Q6_K);
  EXPECT_EQ(find(tl, "blk.0.ffn_down.weight")->type, GgmlType::Q6_K);
  EXPECT_EQ(find(tl, "blk.2.ffn_down.weight")->type, GgmlType::Q4_K);
  EXPECT_EQ(find(tl, "blk.2.attn_q.weight")->type, GgmlType::Q4_K);
  const SynthPlan qw = plan_synth_model(find_synth_shape("qwen2.5-0.5b"), opt);
  EXPECT_EQ(find(qw, "token_embd.weight")->type, GgmlType::Q8_0);
  EXPECT_EQ(find(qw, "blk.2.attn_q.weight")->type, GgmlType::Q5_0);
  EXPECT_EQ(find(qw, "blk.4.ffn_down.weight")->type, GgmlType::Q4_K);
  EXPECT_EQ(find(qw, "blk.2.attn_q.bias")->type, GgmlType::F32);

  EXPECT_THROW(find_synth_shape("gpt-5"), InputError);
  EXPECT_EQ(synth_type_from_name("q4_k_m")->mix, QuantMix::Q4_K_M);
  EXPECT_EQ(synth_type_from_name("bf16")->float_type, GgmlType::BF16);
  EXPECT_EQ(synth_type_from_name("bf16")->file_type(), 32u);
  EXPECT_EQ(synth_type_from_name("Q4_K_M")->file_type(), 15u);
  EXPECT_EQ(synth_type_from_name("Q3_K"), std::nullopt);
  opt.n_layer = -1;
  EXPECT_THROW(plan_synth_model(find_synth_shape("tiny-llama"), opt), InputError);
}

class SynthModelTest : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(SynthModelTest, WritesLoadsAndGenerates) {
  const auto [shape, type] = GetParam();
  SynthOptions opt;
  opt.type = *synth_type_from_name(type);
  const SynthPlan plan = plan_synth_model(find_synth_shape(shape), opt);
  ThreadPool pool(2);
  const fs::path path = temp_path(shape);
  uint64_t last_done = 0;
  write_synth_model(plan, 7, path.string(), pool,
                    [&](const SynthProgress& p) { last_done = p.bytes_done; });
  EXPECT_EQ(last_done, plan.n_bytes());

  auto model = Model::load(path.string());
  EXPECT_EQ(model->hparams().n_layer, plan.shape.n_layer);
  EXPECT_EQ(model->hparams().n_vocab, plan.shape.n_vocab);
  EXPECT_EQ(model->vocab().n_tokens(), plan.shape.n_vocab);
  EXPECT_EQ(model_footprint(*model).n_params, plan.n_params());

  // Logits are finite and not degenerate: random weights still give a spread.
  KvCache cache = model->make_cache(1, 8);
  Batch batch;
  for (int32_t i = 0; i < 4; ++i) batch.add(100 + i, i, 0, true);
  ForwardOutput out;
  model->forward(pool, batch, cache, ForwardRequest{}, out);
  float lo = 1e30f, hi = -1e30f;
  for (float x : out.logits) {
    ASSERT_TRUE(std::isfinite(x));
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  EXPECT_GT(hi - lo, 0.1f);
  EXPECT_LT(hi - lo, 100.0f);

  Generator gen(model, pool, 64);
  GenerationParams gp;
  gp.max_tokens = 5;
  gp.ignore_eos = true;
  const auto prompt = model->vocab().tokenize("hello world", true, false);
  const GenerationResult r = gen.generate(prompt, gp);
  EXPECT_EQ(r.generated.size(), 5u);
  fs::remove(path);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SynthModelTest,
    ::testing::Values(std::make_tuple("tiny-llama", "Q8_0"), std::make_tuple("tiny-llama", "Q4_0"),
                      std::make_tuple("tiny-llama", "F32"), std::make_tuple("tiny-qwen2", "F16"),
                      std::make_tuple("tiny-qwen2", "BF16"), std::make_tuple("tiny-qwen2", "Q8_0"),
                      std::make_tuple("tiny-llama", "Q4_K_M"),
                      std::make_tuple("tiny-qwen2", "Q6_K")));

TEST(SynthWriter, SameSeedSameBytesWhateverTheThreads) {
  const SynthPlan plan = plan_synth_model(find_synth_shape("tiny-qwen2"), SynthOptions{});
  ThreadPool one(1), two(2);
  const fs::path a = temp_path("a"), b = temp_path("b"), c = temp_path("c");
  write_synth_model(plan, 1, a.string(), one);
  write_synth_model(plan, 1, b.string(), two);
  write_synth_model(plan, 2, c.string(), two);
  EXPECT_EQ(file_bytes(a), file_bytes(b));
  EXPECT_NE(file_bytes(a), file_bytes(c));
  // The weights look like N(0, 0.02²).
  auto file = GgufFile::open(a.string());
  const GgufTensorInfo* t = file->find_tensor("blk.0.ffn_up.weight");
  ASSERT_NE(t, nullptr);
  std::vector<float> x(static_cast<size_t>(t->n_elements()));
  for (int64_t r = 0; r < t->n_rows(); ++r)
    type_traits(t->type).to_float(
        static_cast<const uint8_t*>(t->data) + r * row_size(t->type, t->ne[0]),
        x.data() + r * t->ne[0], t->ne[0]);
  double sum = 0, sq = 0;
  for (float v : x) sum += v, sq += double{v} * v;
  const double n = static_cast<double>(x.size());
  EXPECT_NEAR(sum / n, 0.0, 0.002);
  EXPECT_NEAR(std::sqrt(sq / n), 0.02, 0.001);
  for (const auto& p : {a, b, c}) fs::remove(p);
}

TEST(GgufStreamWriter, SameBytesAsGgufWriter) {
  GgufWriter whole;
  GgufStreamWriter stream;
  const std::vector<std::pair<std::string, GgufValue>> md = {
      {"general.architecture", GgufValue::of(std::string("llama"))},
      {"general.alignment", GgufValue::of(uint32_t{64})},
      {"test.array", GgufValue::of_array(std::vector<std::string>{"a", "bc"})}};
  for (const auto& [k, v] : md) whole.set(k, v), stream.set(k, v);
  std::vector<std::vector<uint8_t>> data;
  const std::vector<std::pair<GgmlType, std::vector<int64_t>>> shapes = {
      {GgmlType::F32, {3}}, {GgmlType::Q8_0, {64, 3}}, {GgmlType::F16, {5, 2}}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    const auto& [type, ne] = shapes[i];
    const uint64_t n = stream.add_tensor_info("t" + std::to_string(i), type, ne);
    data.emplace_back(n);
    for (size_t j = 0; j < n; ++j) data.back()[j] = static_cast<uint8_t>(j * 7 + i);
    whole.add_tensor("t" + std::to_string(i), type, ne, data.back().data(), n);
  }
  const fs::path a = temp_path("whole"), b = temp_path("stream");
  whole.write(a.string());
  stream.write(b.string(),
               [&](size_t i, const GgufTensorInfo& info, const GgufStreamWriter::Emit& emit) {
                 EXPECT_EQ(info.nbytes, data[i].size());
                 emit(data[i].data(), 3);  // in pieces
                 emit(data[i].data() + 3, data[i].size() - 3);
               });
  EXPECT_EQ(file_bytes(a), file_bytes(b));

  // The layout alone: same header and size, data left as a hole.
  const fs::path d = temp_path("layout");
  stream.write_layout(d.string());
  EXPECT_EQ(fs::file_size(d), fs::file_size(b));
  auto layout = GgufFile::open(d.string());
  ASSERT_EQ(layout->tensors().size(), 3u);
  EXPECT_EQ(layout->tensors()[1].ne, (std::vector<int64_t>{64, 3}));
  EXPECT_EQ(layout->get_uint("general.alignment"), 64u);
  fs::remove(d);

  // A producer that falls short leaves no file behind.
  const fs::path c = temp_path("short");
  EXPECT_THROW(stream.write(c.string(), [](size_t, const GgufTensorInfo&,
                                           const GgufStreamWriter::Emit& emit) { emit("x", 1); }),
               Error);
  EXPECT_FALSE(fs::exists(c));
  EXPECT_FALSE(fs::exists(c.string() + ".part"));
  EXPECT_THROW(stream.add_tensor_info("t0", GgmlType::F32, {1}), InputError);
  EXPECT_THROW(stream.add_tensor_info("odd", GgmlType::Q8_0, {33}), InputError);
  for (const auto& p : {a, b}) fs::remove(p);
}

TEST(Bench, MeanAndSampleDeviation) {
  const MeanSd s = mean_sd({1.0, 2.0, 3.0, 4.0});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.sd, 1.2909944487, 1e-9);
  EXPECT_EQ(mean_sd({5.0}).sd, 0.0);
}

TEST(Bench, RunsOnASynthModelAndCountsBytes) {
  for (const char* shape : {"tiny-llama", "tiny-qwen2"}) {
    SCOPED_TRACE(shape);
    const SynthPlan plan = plan_synth_model(find_synth_shape(shape), SynthOptions{});
    ThreadPool pool(2);
    const fs::path path = temp_path("bench");
    write_synth_model(plan, 3, path.string(), pool);
    auto model = Model::load(path.string());
    BenchParams p;
    p.n_prompt = 16, p.n_gen = 4, p.repetitions = 2;
    int runs = 0;
    const BenchResult r = run_bench(*model, pool, p, [&](int, const BenchRun&) { ++runs; });
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(r.prompt_tok_s.size(), 2u);
    EXPECT_GT(r.prompt.mean, 0.0);
    EXPECT_GT(r.decode.mean, 0.0);
    EXPECT_EQ(r.threads, 2);
    EXPECT_EQ(r.footprint.model_bytes, plan.n_bytes());
    // Tied: the embedding matrix is the output projection, read whole; separate: one row.
    const SynthTensor* embd = find(plan, "token_embd.weight");
    const uint64_t expected =
        plan.n_bytes() -
        (plan.shape.tied_embeddings ? 0 : embd->nbytes() - embd->nbytes() / embd->ne[1]);
    EXPECT_EQ(r.footprint.weight_bytes_per_token, expected);
    const SynthShape& s = plan.shape;
    EXPECT_EQ(r.footprint.kv_bytes_per_position,
              uint64_t{2} * s.n_layer * s.n_head_kv * s.head_size() * 2);
    EXPECT_GT(r.bytes_per_token, r.footprint.weight_bytes_per_token);
    EXPECT_NEAR(r.decode_gb_s, r.bytes_per_token * r.decode.mean / 1e9, 1e-9);
    fs::remove(path);
  }
  BenchParams none;
  none.n_prompt = 0, none.n_gen = 0;
  const SynthPlan plan = plan_synth_model(find_synth_shape("tiny-llama"), SynthOptions{});
  ThreadPool pool(1);
  const fs::path path = temp_path("bench0");
  write_synth_model(plan, 3, path.string(), pool);
  auto model = Model::load(path.string());
  EXPECT_THROW(run_bench(*model, pool, none), InputError);
  fs::remove(path);
}

TEST(MemBandwidth, MeasuresSomething) {
  const MemBandwidth bw = measure_memory_bandwidth(size_t{16} << 20, 2, 2);
  EXPECT_EQ(bw.bytes, size_t{16} << 20);
  EXPECT_EQ(bw.threads, 2);
  EXPECT_GT(bw.gb_s_1, 0.1);
  EXPECT_GT(bw.gb_s_n, 0.1);
}

}  // namespace
}  // namespace tq
