// Tokenizers against llama.cpp's own output: the vocab/*.gguf.inp/.out vectors (what its
// test-tokenizer-0 checks: no BOS, special tokens not parsed), the prompt tokens of the
// model files, and the BERT sentences.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/gguf/gguf.h"
#include "engine/tokenizer/vocab.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_inputs(const std::string& s) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t pos = 0;
  for (size_t next; (next = s.find(sep, pos)) != std::string::npos; pos = next + sep.size())
    out.push_back(s.substr(pos, next - pos));
  return out;
}

std::vector<std::vector<TokenId>> read_outputs(const std::string& s) {
  std::vector<std::vector<TokenId>> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<TokenId> ids;
    for (TokenId id; ls >> id;) ids.push_back(id);
    out.push_back(std::move(ids));
  }
  return out;
}

std::shared_ptr<const Vocab> load(const fs::path& p) {
  return Vocab::from_gguf(*GgufFile::open(p.string()));
}

std::string show(const std::vector<TokenId>& ids) {
  std::string s;
  for (TokenId id : ids) s += " " + std::to_string(id);
  return s;
}

class TokenizerVocabGold : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenizerVocabGold, MatchesLlamaCpp) {
  const fs::path base = test::gold_dir() / "vocab" / ("ggml-vocab-" + GetParam() + ".gguf");
  TQ_REQUIRE_PATH(base.string() + ".inp");
  const auto vocab = load(base);
  const auto inputs = split_inputs(test::read_file(base.string() + ".inp"));
  const auto expected = read_outputs(test::read_file(base.string() + ".out"));
  ASSERT_EQ(inputs.size(), expected.size());
  size_t passed = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto got = vocab->tokenize(inputs[i], false, false);
    EXPECT_EQ(got, expected[i]) << GetParam() << " string " << i << " '" << inputs[i]
                                << "'\n  got:" << show(got) << "\n want:" << show(expected[i]);
    passed += got == expected[i];
  }
  std::printf("[ vocab    ] %s: %zu/%zu strings\n", GetParam().c_str(), passed, inputs.size());
}

// decode(encode(s)) == s wherever the vocabulary can represent s: not WordPiece (it lower-
// cases and drops spacing), and for vocabularies with clean_up_tokenization_spaces only
// strings that the clean-up leaves alone.
TEST_P(TokenizerVocabGold, RoundTrip) {
  const fs::path base = test::gold_dir() / "vocab" / ("ggml-vocab-" + GetParam() + ".gguf");
  TQ_REQUIRE_PATH(base.string() + ".inp");
  const auto vocab = load(base);
  if (vocab->kind() == VocabKind::WPM) return;  // lossy by design (lower-case, spacing)
  for (const std::string& s : split_inputs(test::read_file(base.string() + ".inp"))) {
    for (bool add_special : {false, true}) {
      const auto ids = vocab->tokenize(s, add_special, false);
      const std::string back = vocab->detokenize(ids, false);
      bool unk = false;
      for (TokenId id : ids) unk |= id == vocab->unk() && vocab->unk() >= 0;
      if (unk) continue;
      const bool cleanable = s.find(" ?") != std::string::npos ||
                             s.find(" !") != std::string::npos ||
                             s.find(" .") != std::string::npos ||
                             s.find(" ,") != std::string::npos || s.find(" '") != std::string::npos;
      if (back != s && cleanable && vocab->kind() == VocabKind::BPE) continue;
      EXPECT_EQ(back, s) << GetParam() << " ids:" << show(ids);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(TokenizerGold, TokenizerVocabGold,
                         ::testing::Values("llama-spm", "phi-3", "gpt-2", "deepseek-llm",
                                           "deepseek-coder", "falcon", "starcoder", "refact", "mpt",
                                           "bert-bge"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// Vocabulary files without vectors still load.
TEST(TokenizerVocabGoldLoad, BaichuanAndNeox) {
  for (const char* name : {"baichuan", "gpt-neox"}) {
    const fs::path p = test::gold_dir() / "vocab" / (std::string("ggml-vocab-") + name + ".gguf");
    TQ_REQUIRE_PATH(p);
    const auto v = load(p);
    EXPECT_GT(v->n_tokens(), 50000);
    const auto ids = v->tokenize("Hello world", true, true);
    EXPECT_FALSE(ids.empty());
    EXPECT_EQ(v->detokenize(ids, false), "Hello world") << name;
  }
}

// A 100k-token vocabulary with 100k merges builds; the time is printed for the log (a
// timing bound would fail on a loaded machine without telling anything about the code).
TEST(TokenizerVocabGoldLoad, LoadTime) {
  const fs::path p = test::gold_dir() / "vocab" / "ggml-vocab-deepseek-llm.gguf";
  TQ_REQUIRE_PATH(p);
  const auto file = GgufFile::open(p.string());
  const auto t0 = std::chrono::steady_clock::now();
  const auto v = Vocab::from_gguf(*file);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ vocab    ] deepseek-llm (%d tokens) built in %.1f ms\n", v->n_tokens(), ms);
  EXPECT_GT(v->n_tokens(), 100000);
}

TEST(TokenizerModelGold, PromptTokens) {
  const fs::path dir = test::gold_dir() / "models";
  TQ_REQUIRE_PATH(dir);
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string fname = e.path().filename().string();
    if (e.path().extension() != ".gguf") continue;
    const std::string stem = e.path().stem().string();
    std::shared_ptr<const Vocab> vocab;
    for (const char* p : {".p1.json", ".p2.json", ".p3.json"}) {
      const fs::path jp = dir / (stem + p);
      if (!fs::exists(jp)) continue;
      if (!vocab) vocab = load(e.path());
      const auto j = nlohmann::json::parse(test::read_file(jp));
      const auto want = j.at("tokens").get<std::vector<TokenId>>();
      const auto got = vocab->tokenize(j.at("prompt").get<std::string>(), true, true);
      EXPECT_EQ(got, want) << jp << "\n  got:" << show(got) << "\n want:" << show(want);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST(TokenizerModelGold, BertSentences) {
  const fs::path dir = test::gold_dir() / "models";
  TQ_REQUIRE_PATH(dir / "bert.tokens.json");
  const auto j = nlohmann::json::parse(test::read_file(dir / "bert.tokens.json"));
  for (const char* model : {"bert-mean-f32.gguf", "bert-mean-q8_0.gguf", "bert-cls-q8_0.gguf"}) {
    TQ_REQUIRE_PATH(dir / model);
    const auto vocab = load(dir / model);
    for (size_t i = 0; i < j.at("sentences").size(); ++i) {
      const auto got = vocab->tokenize(j["sentences"][i].get<std::string>(), true, true);
      EXPECT_EQ(got, j["tokens"][i].get<std::vector<TokenId>>()) << model << " sentence " << i;
    }
  }
}

}  // namespace
}  // namespace tq
