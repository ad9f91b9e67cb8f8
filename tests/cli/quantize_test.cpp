// `triptyque quantize` and `triptyque perplexity` as a user runs them: the summary and
// --json forms, the written file, and one-line errors with the right exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "engine/gguf/gguf.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
  const fs::path dir = test::scratch_dir("tq_cli_quantize_tests");
  return dir / name;
}

fs::path models() {
  return test::gold_dir() / "models";
}

TEST(CliQuantize, JsonReportAndFile) {
  const fs::path in = models() / "llama-spm-f32.gguf";
  TQ_REQUIRE_PATH(in);
  const fs::path out = temp_file("llama-q4_k_m.gguf");
  const auto r = test::run(
      {test::cli_path(), "quantize", in.string(), out.string(), "q4_k_m", "--json", "-t", "2"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["type"], "Q4_K_M");
  EXPECT_EQ(j["file_type"], 15);
  EXPECT_EQ(j["size_before"], fs::file_size(in));
  EXPECT_EQ(j["size_after"], fs::file_size(out));
  EXPECT_NEAR(j["bpw_before"].get<double>(), 32.0, 1e-9);
  EXPECT_GT(j["bpw_after"].get<double>(), 4.5);
  EXPECT_LT(j["bpw_after"].get<double>(), 6.0);
  ASSERT_EQ(j["tensors"].size(), 21u);
  EXPECT_EQ(j["tensors"][0]["name"], "output.weight");
  EXPECT_EQ(j["tensors"][0]["to"], "q6_K");
  const auto f = GgufFile::open(out.string());
  EXPECT_EQ(f->get_uint("general.file_type"), 15u);
  // Not a terminal: no progress lines.
  EXPECT_EQ(r.err, "");
}

TEST(CliQuantize, HumanSummary) {
  const fs::path in = models() / "llama-spm-f32.gguf";
  TQ_REQUIRE_PATH(in);
  const fs::path out = temp_file("llama-q8_0.gguf");
  const auto r = test::run({test::cli_path(), "quantize", in.string(), out.string(), "Q8_0"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  EXPECT_NE(r.out.find("as Q8_0 (general.file_type 7)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("f32 5, q8_0 16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bits per weight"), std::string::npos) << r.out;
}

TEST(CliQuantize, Errors) {
  const fs::path f32 = models() / "llama-spm-f32.gguf";
  const fs::path q8 = models() / "llama-spm-q8_0.gguf";
  TQ_REQUIRE_PATH(f32);
  TQ_REQUIRE_PATH(q8);
  const fs::path out = temp_file("never.gguf");
  auto r = test::run({test::cli_path(), "quantize", f32.string(), out.string(), "Q7_X"});
  EXPECT_EQ(r.exit_code, cli::kExitBadInput);
  EXPECT_NE(r.err.find("unknown type 'Q7_X'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Q4_K_M"), std::string::npos) << r.err;

  r = test::run({test::cli_path(), "quantize", q8.string(), out.string(), "Q4_0"});
  EXPECT_EQ(r.exit_code, cli::kExitBadInput);
  EXPECT_NE(r.err.find("tensor 'output.weight' is already quantised (q8_0)"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliPerplexity, JsonAndHuman) {
  const fs::path model = models() / "stories260K.gguf";
  TQ_REQUIRE_PATH(model);
  const fs::path text = fs::path(TQ_SOURCE_DIR) / "tests" / "data" / "story.txt";
  auto r = test::run(
      {test::cli_path(), "perplexity", "-m", model.string(), "-f", text.string(), "--json"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const json j = json::parse(r.out);
  EXPECT_GT(j["perplexity"].get<double>(), 1.0);
  EXPECT_GE(j["chunks"].get<int>(), 2);
  EXPECT_EQ(j["tokens"].get<int>(), j["chunks"].get<int>() * 63);

  r = test::run(
      {test::cli_path(), "perplexity", "-m", model.string(), "-f", text.string(), "-c", "64"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  EXPECT_NE(r.out.find("[1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Final estimate: PPL = "), std::string::npos) << r.out;

  r = test::run(
      {test::cli_path(), "perplexity", "-m", model.string(), "-f", text.string(), "-c", "4096"});
  EXPECT_EQ(r.exit_code, cli::kExitBadInput);
  EXPECT_NE(r.err.find("are needed to compute perplexity"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tq
