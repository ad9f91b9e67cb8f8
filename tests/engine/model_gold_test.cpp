// The engine against llama.cpp's own outputs (../shared/gold/models, see its README):
// identical prompt tokens, top-1 identical wherever the reference gap is ≥ 0.01,
// |Δlogit| ≤ 0.05 on shared top-10 tokens, greedy continuation identical up to the first
// near-tie. This runs the kernels the CPU gets (AVX2 tiles included), which repeat the
// reference float order, so the printed max |Δlogit| stays near 5e-6.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/thread_pool.h"
#include "engine/gguf/gguf.h"
#include "engine/model/model.h"
#include "engine/tokenizer/vocab.h"
#include "support/gold.h"

namespace tq {
namespace {

using nlohmann::json;

int32_t argmax(const float* x, int64_t n) {
  return static_cast<int32_t>(std::max_element(x, x + n) - x);
}

std::vector<int32_t> top_ids(const float* x, int64_t n, int k) {
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](int32_t a, int32_t b) { return x[a] > x[b]; });
  ids.resize(static_cast<size_t>(k));
  return ids;
}

struct GoldCase {
  std::string model;   // file name in gold/models
  std::string prompt;  // p1, p2, p3
};

std::vector<GoldCase> gold_cases() {
  std::vector<GoldCase> cases;
  const auto dir = test::gold_dir() / "models";
  if (!std::filesystem::exists(dir)) return {{"(gold missing)", ""}};
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    for (const char* p : {".p1.json", ".p2.json", ".p3.json"}) {
      const auto pos = name.find(p);
      if (pos != std::string::npos && pos + std::strlen(p) == name.size())
        cases.push_back({name.substr(0, pos), std::string(p).substr(1, 2)});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const GoldCase& a, const GoldCase& b) {
    return a.model + a.prompt < b.model + b.prompt;
  });
  return cases;
}

void PrintTo(const GoldCase& c, std::ostream* os) {
  *os << c.model << " " << c.prompt;
}

// llama.cpp's AMX matmul (ggml-cpu/amx/mmq.cpp, tinygemm_kernel_amx, non-K-quant template)
// loads the wrong weight block for Q4_0 and Q4_1 in the first K block of every full
// 32-row tile of activations (it unpacks B_blk0 where B_blk1 is meant), for output columns
// n mod 32 >= 16. The reference machine had AMX, so its logits for a prompt of 32 tokens or
// more on Q4_0/Q4_1 weights are wrong; decoding one token at a time goes through another,
// correct kernel. Evidence: for llama-spm-q4_0 the reference's BOS logits (position 0
// attends only to itself) differ by 0.44 between its 18-token and 41-token runs, while
// every other type agrees with itself to 1e-5; re-running llama.cpp of that era with the
// bug emulated reproduces the 41-token reference. We do not reproduce the bug.
bool reference_hit_amx_q4_bug(const GgufFile& file, size_t n_prompt_tokens) {
  if (n_prompt_tokens < 32) return false;
  for (const auto& t : file.tensors())
    if ((t.type == GgmlType::Q4_0 || t.type == GgmlType::Q4_1) && t.ne.size() >= 2 &&
        t.ne[1] % 32 == 0)
      return true;
  return false;
}

class ModelGold : public ::testing::TestWithParam<GoldCase> {};

TEST_P(ModelGold, MatchesLlamaCpp) {
  const GoldCase& c = GetParam();
  const auto dir = test::gold_dir() / "models";
  TQ_REQUIRE_PATH(dir);
  const json ref = json::parse(test::read_file(dir / (c.model + "." + c.prompt + ".json")));

  auto model = Model::load((dir / (c.model + ".gguf")).string());
  ThreadPool pool(2);

  // 1. Prompt tokens identical.
  const auto tokens = model->vocab().tokenize(ref["prompt"].get<std::string>(), true, true);
  ASSERT_EQ(tokens, ref["tokens"].get<std::vector<int32_t>>()) << c.model << " " << c.prompt;
  if (reference_hit_amx_q4_bug(model->file(), tokens.size()))
    GTEST_SKIP() << c.model << " " << c.prompt << ": the reference logits come from llama.cpp's "
                 << "AMX Q4_0/Q4_1 kernel bug (see reference_hit_amx_q4_bug); not comparable";

  // 2. Logits at every prompt position.
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int32_t n_ctx = static_cast<int32_t>(n) + 80;
  KvCache cache = model->make_cache(1, n_ctx);
  Batch batch;
  for (int64_t i = 0; i < n; ++i)
    batch.add(tokens[static_cast<size_t>(i)], static_cast<int32_t>(i), 0, true);
  ForwardOutput out;
  model->forward(pool, batch, cache, ForwardRequest{}, out);
  ASSERT_EQ(out.batch_index.size(), static_cast<size_t>(n));

  double max_delta = 0.0;
  const auto& top10 = ref["top10"];
  ASSERT_EQ(top10.size(), static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float* logits = out.logits_row(static_cast<size_t>(i));
    const auto& rt = top10[static_cast<size_t>(i)];
    const double gap = rt[0][1].get<double>() - rt[1][1].get<double>();
    const int32_t ours = argmax(logits, out.n_vocab);
    if (gap >= 0.01) {
      EXPECT_EQ(ours, rt[0][0].get<int32_t>()) << c.model << " " << c.prompt << " position " << i;
    }
    const auto our_top = top_ids(logits, out.n_vocab, 10);
    for (const auto& entry : rt) {
      const int32_t id = entry[0].get<int32_t>();
      if (std::find(our_top.begin(), our_top.end(), id) == our_top.end()) continue;
      const double d = std::fabs(static_cast<double>(logits[id]) - entry[1].get<double>());
      max_delta = std::max(max_delta, d);
      EXPECT_LE(d, 0.05) << c.model << " " << c.prompt << " position " << i << " token " << id;
    }
  }
  // The full last-position logits too.
  const auto last = ref["last_logits"].get<std::vector<float>>();
  ASSERT_EQ(static_cast<int64_t>(last.size()), out.n_vocab);
  for (int64_t v = 0; v < out.n_vocab; ++v)
    max_delta = std::max(
        max_delta, std::fabs(static_cast<double>(out.logits_row(static_cast<size_t>(n - 1))[v]) -
                             last[static_cast<size_t>(v)]));

  // 3. Greedy continuation through the KV cache, one token at a time.
  const auto greedy = ref["greedy"].get<std::vector<int32_t>>();
  const auto margin = ref["greedy_margin"].get<std::vector<double>>();
  int32_t next = argmax(out.logits_row(static_cast<size_t>(n - 1)), out.n_vocab);
  size_t checked = 0;
  for (size_t s = 0; s < greedy.size(); ++s) {
    if (margin[s] < 0.01) break;  // a legitimate near-tie: stop comparing here
    ASSERT_EQ(next, greedy[s]) << c.model << " " << c.prompt << " greedy step " << s;
    ++checked;
    Batch step;
    step.add(next, static_cast<int32_t>(n + static_cast<int64_t>(s)), 0, true);
    model->forward(pool, step, cache, ForwardRequest{}, out);
    next = argmax(out.logits_row(0), out.n_vocab);
  }
  std::printf("[gold] %-24s %s  tokens %3lld  max|Δlogit| %.2e  greedy %zu/%zu\n", c.model.c_str(),
              c.prompt.c_str(), static_cast<long long>(n), max_delta, checked, greedy.size());
}

INSTANTIATE_TEST_SUITE_P(Gold, ModelGold, ::testing::ValuesIn(gold_cases()),
                         [](const ::testing::TestParamInfo<GoldCase>& param_info) {
                           std::string s = param_info.param.model + "_" + param_info.param.prompt;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// stories260K is a real trained model: its greedy story must read word for word.
TEST(ModelGoldStory, Stories260KGreedyStory) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = Model::load(path.string());
  ThreadPool pool(1);
  auto tokens = model->vocab().tokenize("Once upon a time", true, true);
  KvCache cache = model->make_cache(1, 256);
  Batch batch;
  for (size_t i = 0; i < tokens.size(); ++i)
    batch.add(tokens[i], static_cast<int32_t>(i), 0, i + 1 == tokens.size());
  ForwardOutput out;
  model->forward(pool, batch, cache, ForwardRequest{}, out);
  std::vector<int32_t> story = tokens;
  for (int step = 0; step < 64; ++step) {
    const int32_t next = argmax(out.logits_row(0), out.n_vocab);
    story.push_back(next);
    Batch b;
    b.add(next, static_cast<int32_t>(story.size() - 1), 0, true);
    model->forward(pool, b, cache, ForwardRequest{}, out);
  }
  const std::string text = model->vocab().detokenize(story, false);
  const std::string expected =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
      "park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.";
  EXPECT_EQ(text.substr(0, expected.size()), expected) << text;
}

}  // namespace
}  // namespace tq

namespace tq {
namespace {

// The evidence behind reference_hit_amx_q4_bug, kept as a test so that a corrected gold
// set is noticed: position 0 (BOS, attending only to itself) must not depend on the rest
// of the prompt, and in the reference it does for Q4_0 weights once the prompt reaches 32
// tokens, while Q8_0 weights stay consistent.
TEST(ModelGoldReference, AmxQ4BugShowsAsBatchDependentBosLogits) {
  const auto dir = test::gold_dir() / "models";
  TQ_REQUIRE_PATH(dir);
  auto bos_top = [&](const std::string& file) {
    return nlohmann::json::parse(test::read_file(dir / file))["top10"][0];
  };
  auto max_diff = [](const nlohmann::json& a, const nlohmann::json& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i)
      d = std::max(d, std::fabs(a[i][1].get<double>() - b[i][1].get<double>()) +
                          (a[i][0] != b[i][0] ? 1.0 : 0.0));
    return d;
  };
  EXPECT_GT(max_diff(bos_top("llama-spm-q4_0.p1.json"), bos_top("llama-spm-q4_0.p2.json")), 0.05);
  EXPECT_LT(max_diff(bos_top("llama-spm-q4_0.p1.json"), bos_top("llama-spm-q4_0.p3.json")), 1e-4);
  EXPECT_LT(max_diff(bos_top("llama-spm-q8_0.p1.json"), bos_top("llama-spm-q8_0.p2.json")), 1e-4);
}

}  // namespace
}  // namespace tq
