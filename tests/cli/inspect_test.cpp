// `triptyque inspect` as a user runs it: the human summary, the --json form, and one-line
// errors with the right exit code for corrupt or unsupported files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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
  const fs::path dir = test::scratch_dir("tq_inspect_tests");
  return dir / name;
}

// A small file with an array long enough to be summarised and one short enough not to be.
fs::path write_small_file() {
  GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("test.template", GgufValue::of(std::string("line1\nline2 \"q\"")));
  std::vector<std::string> tokens;
  for (int i = 0; i < 20; ++i) tokens.push_back("t" + std::to_string(i));
  w.set("tokenizer.ggml.tokens", GgufValue::of_array(tokens));
  w.set("test.short", GgufValue::of_array(std::vector<int32_t>{1, -2, 3}));
  w.set("test.eps", GgufValue::of(1e-5f));
  std::vector<uint8_t> q(2 * 34);
  w.add_tensor("blk.0.attn_q.weight", GgmlType::Q8_0, {32, 2}, q.data(), q.size());
  const fs::path path = temp_file("small.gguf");
  w.write(path.string());
  return path;
}

TEST(CliInspect, HumanSummaryOfAWrittenFile) {
  const fs::path path = write_small_file();
  auto r = test::run({test::cli_path(), "inspect", path.string()});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  EXPECT_NE(r.out.find("version:     3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alignment:   32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("general.architecture = \"llama\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test.template = \"line1\\nline2 \\\"q\\\"\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tokenizer.ggml.tokens = [20 × string] \"t0\", \"t1\", \"t2\", …"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("test.short = [1, -2, 3]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test.eps = 1e-05"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("blk.0.attn_q.weight  q8_0    [32, 2]"), std::string::npos) << r.out;
}

TEST(CliInspect, JsonOfAGoldModel) {
  const fs::path model = test::gold_dir() / "models" / "llama-spm-q4_k_m.gguf";
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "inspect", model.string(), "--json"});
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["file"], model.string());
  // Metadata keys come in file order.
  const auto ordered = nlohmann::ordered_json::parse(r.out)["metadata"];
  EXPECT_EQ(ordered.begin().key(), "general.architecture");
  EXPECT_EQ(std::prev(ordered.end()).key(), "general.file_type");
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["alignment"], 32);
  EXPECT_EQ(j["metadata"]["general.architecture"], "llama");
  EXPECT_EQ(j["metadata"]["llama.embedding_length"], 256);
  EXPECT_EQ(j["metadata"]["tokenizer.ggml.add_bos_token"], true);
  const json& tokens = j["metadata"]["tokenizer.ggml.tokens"];
  EXPECT_EQ(tokens["type"], "array");
  EXPECT_EQ(tokens["element_type"], "string");
  EXPECT_EQ(tokens["length"], 4096);
  ASSERT_EQ(tokens["head"].size(), 8u);
  EXPECT_EQ(tokens["head"][0], "<unk>");
  EXPECT_EQ(tokens["head"][2], "</s>");
  ASSERT_EQ(j["tensors"].size(), 21u);
  bool found = false;
  for (const json& t : j["tensors"]) {
    if (t["name"] != "token_embd.weight") continue;
    found = true;
    EXPECT_EQ(t["type"], "q4_K");
    EXPECT_EQ(t["shape"], json::array({256, 4096}));
    EXPECT_EQ(t["offset"], 861184);
    EXPECT_EQ(t["nbytes"], 589824);
  }
  EXPECT_TRUE(found);
}

TEST(CliInspect, CorruptAndUnsupportedFilesGiveOneLine) {
  const fs::path small = write_small_file();
  const std::string bytes = test::read_file(small);

  const fs::path truncated = temp_file("truncated.gguf");
  std::ofstream(truncated, std::ios::binary).write(bytes.data(), 100);
  auto r = test::run({test::cli_path(), "inspect", truncated.string()});
  EXPECT_EQ(r.exit_code, cli::kExitBadInput);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(truncated.string()), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  std::string v1 = bytes;
  v1[4] = 1;
  const fs::path old = temp_file("v1.gguf");
  std::ofstream(old, std::ios::binary).write(v1.data(), static_cast<std::streamsize>(v1.size()));
  r = test::run({test::cli_path(), "inspect", old.string(), "--json"});
  EXPECT_EQ(r.exit_code, cli::kExitUnsupported);
  EXPECT_NE(r.err.find("version 1"), std::string::npos) << r.err;

  r = test::run({test::cli_path(), "inspect", "/nonexistent/model.gguf"});
  EXPECT_EQ(r.exit_code, cli::kExitBadInput);
  EXPECT_NE(r.err.find("/nonexistent/model.gguf"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tq
