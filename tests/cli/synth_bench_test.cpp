// `triptyque synth` and `triptyque bench` as a user runs them: a small synthetic model is
// written, tokenized, generated from and benchmarked; bad shapes and types give one-line
// errors with the right exit code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path temp_model(const std::string& stem) {
  const fs::path dir = test::scratch_dir("tq_synth_cli_tests");
  return dir / (stem + "." + std::to_string(::getpid()) + ".gguf");
}

fs::path synth(const std::string& shape, const std::string& type) {
  const fs::path path = temp_model(shape + "-" + type);
  auto r = test::run({test::cli_path(), "synth", "--shape", shape, "--type", type, "-o",
                      path.string(), "--seed", "5", "-t", "2"});
  EXPECT_EQ(r.exit_code, cli::kExitOk) << r.err;
  EXPECT_NE(r.out.find(shape), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");  // no progress bar when stderr is not a terminal
  return path;
}

TEST(CliSynth, WritesAModelThatTokenizesAndGenerates) {
  for (const char* shape : {"tiny-llama", "tiny-qwen2"}) {
    SCOPED_TRACE(shape);
    const fs::path model = synth(shape, "Q4_0");
    auto tok =
        test::run({test::cli_path(), "tokenize", "-m", model.string(), "--json", "hello world"});
    ASSERT_EQ(tok.exit_code, cli::kExitOk) << tok.err;
    EXPECT_GE(json::parse(tok.out)["tokens"].size(), 2u) << tok.out;

    auto gen = test::run({test::cli_path(), "generate", "-m", model.string(), "-p", "hello", "-n",
                          "6", "--ignore-eos", "--json", "-t", "1"});
    ASSERT_EQ(gen.exit_code, cli::kExitOk) << gen.err;
    const json j = json::parse(gen.out);
    EXPECT_EQ(j["generated"].size(), 6u);
    fs::remove(model);
  }
}

TEST(CliBench, JsonHasPositiveNumbers) {
  const fs::path model = synth("tiny-llama", "Q8_0");
  auto r =
      test::run({test::cli_path(), "bench", "-m", model.string(), "-p", "16", "-n", "4", "-r", "2",
                 "-t", "1", "--json", "--membw", "--membw-mib", "16", "--membw-passes", "2"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const json j = json::parse(r.out);
  for (const char* key : {"prompt_tok_s", "decode_tok_s", "threads", "model_bytes", "n_params",
                          "bytes_per_token", "decode_gb_s", "membw_gb_s", "decode_membw_ratio",
                          "peak_rss_bytes", "kv_cache_bytes", "rss_budget_bytes"}) {
    ASSERT_TRUE(j.contains(key)) << key << " in " << r.out;
    EXPECT_GT(j[key].get<double>(), 0.0) << key;
  }
  for (const char* key : {"prompt_tok_s_sd", "decode_tok_s_sd"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_GE(j[key].get<double>(), 0.0) << key;
  }
  EXPECT_EQ(j["threads"], 1);
  EXPECT_TRUE(j["isa"].is_string());
  EXPECT_EQ(j["decode_tok_s_runs"].size(), 2u);
  EXPECT_GT(j["bytes_per_token"].get<double>(), j["weight_bytes_per_token"].get<double>());
  // The memory budget of the issue: tensors + KV cache + 64 MiB (whether a run stays within
  // it is a measurement, not asserted here: sanitizer builds use far more).
  EXPECT_EQ(j["rss_budget_bytes"].get<uint64_t>(),
            j["model_bytes"].get<uint64_t>() + j["kv_cache_bytes"].get<uint64_t>() + (64u << 20));
  EXPECT_TRUE(j["rss_within_budget"].is_boolean());

  // The human form: llama-bench's table.
  auto t = test::run({test::cli_path(), "bench", "-m", model.string(), "-p", "8", "-n", "2", "-r",
                      "1", "-t", "1"});
  ASSERT_EQ(t.exit_code, cli::kExitOk) << t.err;
  EXPECT_NE(t.out.find(" pp8 |"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find(" tg2 |"), std::string::npos) << t.out;
  fs::remove(model);
}

TEST(CliBench, ParallelAndSharedPrefix) {
  const fs::path model = synth("tiny-llama", "Q8_0");
  auto r =
      test::run({test::cli_path(), "bench", "-m", model.string(), "-p", "8", "-n", "6", "-r", "1",
                 "-t", "1", "--json", "--parallel", "3", "--shared-prefix", "40", "--suffix", "4"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["parallel_sequences"], 3);
  for (const char* key : {"single_decode_tok_s", "parallel_decode_tok_s", "parallel_speedup",
                          "prefix_first_ttft_s", "prefix_second_ttft_s", "prefix_ttft_ratio"})
    EXPECT_GT(j[key].get<double>(), 0.0) << key;
  EXPECT_EQ(j["prefix_reused_tokens"], 40);
}

TEST(CliBench, MembwAlone) {
  auto r = test::run({test::cli_path(), "bench", "--membw", "--membw-mib", "8", "--membw-passes",
                      "1", "--json", "-t", "1"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  EXPECT_GT(json::parse(r.out)["membw_gb_s"].get<double>(), 0.0);
  auto none = test::run({test::cli_path(), "bench"});
  EXPECT_EQ(none.exit_code, cli::kExitBadInput);
}

TEST(CliSynth, OneLineErrors) {
  const std::string out = temp_model("never").string();
  auto shape = test::run({test::cli_path(), "synth", "--shape", "gpt-9", "-o", out});
  EXPECT_EQ(shape.exit_code, cli::kExitBadInput);
  EXPECT_NE(shape.err.find("tinyllama-1.1b"), std::string::npos) << shape.err;
  auto type =
      test::run({test::cli_path(), "synth", "--shape", "tiny-llama", "--type", "Q3_K", "-o", out});
  EXPECT_EQ(type.exit_code, cli::kExitBadInput);
  EXPECT_NE(type.err.find("Q4_K_M"), std::string::npos) << type.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace tq
