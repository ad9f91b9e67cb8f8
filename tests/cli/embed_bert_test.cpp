// triptyque embed on a dedicated embedding model (bert): the pooling comes from the file
// (the CLS file gives llama.cpp's CLS vectors without --pooling), and commands that need
// logits say in one line that the model has none.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;

std::filesystem::path gold_model(const std::string& name) {
  return test::gold_dir() / "models" / name;
}

TEST(CliEmbedBert, DefaultPoolingFromTheFileMatchesGold) {
  const auto model = gold_model("bert-cls-q8_0.gguf");
  TQ_REQUIRE_PATH(model);
  const json sentences = json::parse(test::read_file(gold_model("bert.tokens.json")))["sentences"];
  const json ref = json::parse(test::read_file(gold_model("bert-cls-q8_0.embd.json")))["data"];
  auto r = test::run({test::cli_path(), "embed", "-m", model.string(), "--json",
                      sentences[0].get<std::string>(), sentences[1].get<std::string>()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["embeddings"].size(), 2u);
  for (size_t s = 0; s < 2; ++s) {
    const auto ours = j["embeddings"][s].get<std::vector<double>>();
    const auto theirs = ref[s]["embedding"].get<std::vector<double>>();
    ASSERT_EQ(ours.size(), theirs.size());
    double dot = 0, na = 0, nb = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
      dot += ours[i] * theirs[i];
      na += ours[i] * ours[i];
      nb += theirs[i] * theirs[i];
    }
    EXPECT_GE(dot / std::sqrt(na * nb), 0.999) << "sentence " << s;
  }
}

TEST(CliEmbedBert, EvalSaysThereAreNoLogits) {
  const auto model = gold_model("bert-mean-f32.gguf");
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "eval", "-m", model.string(), "-p", "hello"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no language-model head"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tq
