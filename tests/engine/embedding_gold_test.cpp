// Sentence embeddings from decoder models against llama.cpp's (gold *.embd-{mean,last}.json,
// OpenAI response shape): cosine similarity ≥ 0.999 with every reference vector.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/thread_pool.h"
#include "engine/generation/embedder.h"
#include "engine/model/model.h"
#include "support/gold.h"

namespace tq {
namespace {

const char* kSentences[] = {"Où est ma commande ?", "The quick brown fox jumps over the lazy dog",
                            "Retour produit sous 30 jours"};

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

void check_embeddings(const std::string& model_file, const std::string& ref_file, Pooling pooling) {
  const auto dir = test::gold_dir() / "models";
  auto model = Model::load((dir / model_file).string());
  ThreadPool pool(2);
  const auto ref = nlohmann::json::parse(test::read_file(dir / ref_file));
  ASSERT_EQ(ref["data"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto tokens = model->vocab().tokenize(kSentences[i], true, true);
    const auto ours = embed_tokens(*model, pool, tokens, pooling);
    const auto theirs = ref["data"][i]["embedding"].get<std::vector<float>>();
    ASSERT_EQ(ours.size(), theirs.size());
    const double c = cosine(ours, theirs);
    std::printf("[gold] %-26s sentence %zu cosine %.6f\n", ref_file.c_str(), i, c);
    EXPECT_GE(c, 0.999) << ref_file << " sentence " << i;
  }
}

TEST(EmbeddingGold, DecoderModelsMeanAndLast) {
  TQ_REQUIRE_PATH(test::gold_dir() / "models");
  for (const char* base : {"llama-spm-f32", "llama-spm-q8_0", "qwen2-gpt2-q4_k_m"}) {
    check_embeddings(std::string(base) + ".gguf", std::string(base) + ".embd-mean.json",
                     Pooling::Mean);
    check_embeddings(std::string(base) + ".gguf", std::string(base) + ".embd-last.json",
                     Pooling::Last);
  }
}

}  // namespace
}  // namespace tq
