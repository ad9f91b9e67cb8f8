// The engine's subcommands as a user runs them: machine-readable forms, reproducibility,
// and one-line errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path gold_model(const std::string& name) {
  return test::gold_dir() / "models" / name;
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n + (!s.empty() && s.back() != '\n');
}

TEST(CliEngine, TokenizeJsonMatchesGold) {
  const auto model = gold_model("llama-spm-q8_0.gguf");
  TQ_REQUIRE_PATH(model);
  const json ref = json::parse(test::read_file(gold_model("llama-spm-q8_0.p2.json")));
  auto r = test::run({test::cli_path(), "tokenize", "-m", model.string(), "--json",
                      ref["prompt"].get<std::string>()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["tokens"], ref["tokens"]);
}

TEST(CliEngine, EvalJsonHasTopLogitsPerPosition) {
  const auto model = gold_model("qwen2-gpt2-q8_0.gguf");
  TQ_REQUIRE_PATH(model);
  const json ref = json::parse(test::read_file(gold_model("qwen2-gpt2-q8_0.p1.json")));
  auto r = test::run({test::cli_path(), "eval", "-m", model.string(), "-p",
                      ref["prompt"].get<std::string>(), "--top", "10", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["tokens"], ref["tokens"]);
  ASSERT_EQ(j["top"].size(), ref["top10"].size());
  for (size_t i = 0; i < j["top"].size(); ++i) {
    ASSERT_EQ(j["top"][i].size(), 10u);
    const auto& rt = ref["top10"][i];
    if (rt[0][1].get<double>() - rt[1][1].get<double>() >= 0.01) {
      EXPECT_EQ(j["top"][i][0][0], rt[0][0]) << "position " << i;
    }
    EXPECT_NEAR(j["top"][i][0][1].get<double>(), rt[0][1].get<double>(), 0.05);
  }
}

TEST(CliEngine, GenerateGreedyStoryJson) {
  const auto model = gold_model("stories260K.gguf");
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "generate", "-m", model.string(), "-p", "Once upon a time",
                      "-n", "40", "--temp", "0", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["generated"].size(), 40u);
  EXPECT_EQ(j["text"].get<std::string>().rfind(", there was a little girl named Lily.", 0), 0u)
      << j["text"];
  EXPECT_GT(j["prompt_tok_s"].get<double>(), 0.0);
  EXPECT_GT(j["decode_tok_s"].get<double>(), 0.0);
  ASSERT_TRUE(j["tokens"].is_array());
}

TEST(CliEngine, SeededSamplingIsReproducible) {
  const auto model = gold_model("stories260K.gguf");
  TQ_REQUIRE_PATH(model);
  auto gen = [&](const std::string& seed) {
    auto r = test::run({test::cli_path(), "generate", "-m", model.string(), "-p",
                        "Once upon a time", "-n", "48", "--temp", "1.0", "--seed", seed, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["generated"];
  };
  EXPECT_EQ(gen("42"), gen("42"));
  EXPECT_NE(gen("42"), gen("7"));
}

TEST(CliEngine, StopStringEndsGeneration) {
  const auto model = gold_model("stories260K.gguf");
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "generate", "-m", model.string(), "-p", "Once upon a time",
                      "-n", "64", "--temp", "0", "--stop", "Lily", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["text"].get<std::string>(), ", there was a little girl named ");
  EXPECT_EQ(j["finish_reason"], "stop");
}

TEST(CliEngine, PromptLongerThanContextIsAClearError) {
  const auto model = gold_model("stories260K.gguf");
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "generate", "-m", model.string(), "-c", "8", "-p",
                      "Once upon a time there was a very long prompt that does not fit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("context"), std::string::npos) << r.err;
}

TEST(CliEngine, CorruptModelIsAOneLineError) {
  const auto model = gold_model("llama-spm-q4_0.gguf");
  TQ_REQUIRE_PATH(model);
  const std::string bytes = test::read_file(model);
  const fs::path bad = test::scratch_dir("tq_cli_engine") / "truncated.gguf";
  std::ofstream(bad, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  for (const char* cmd : {"generate", "eval", "tokenize"}) {
    auto r = test::run({test::cli_path(), cmd, "-m", bad.string(),
                        cmd == std::string("tokenize") ? "--json" : "-p", "hello"});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(bad.string()), std::string::npos) << r.err;
  }
  fs::remove(bad);
}

TEST(CliEngine, EmbedJsonGivesUnitVectors) {
  const auto model = gold_model("llama-spm-f32.gguf");
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "embed", "-m", model.string(), "--pooling", "mean",
                      "--json", "Où est ma commande ?", "Retour produit sous 30 jours"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["embeddings"].size(), 2u);
  for (const auto& e : j["embeddings"]) {
    double n = 0;
    for (double x : e.get<std::vector<double>>()) n += x * x;
    EXPECT_NEAR(std::sqrt(n), 1.0, 1e-4);
    EXPECT_EQ(e.size(), 256u);
  }
}

}  // namespace
}  // namespace tq
