// TokenStreamDecoder: never emits broken UTF-8, and the chunks add up to the text.
#include <gtest/gtest.h>

#include "engine/gguf/gguf.h"
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab.h"
#include "support/gold.h"

namespace tq {
namespace {

bool valid_utf8(const std::string& s) {
  return unicode::scan_utf8(s).valid_prefix == s.size();
}

void check_stream(const std::shared_ptr<const Vocab>& v, const std::string& text,
                  bool add_special) {
  const auto ids = v->tokenize(text, add_special, false);
  TokenStreamDecoder dec(v);
  std::string all;
  size_t held = 0;  // pushes that returned nothing although the token had bytes
  for (TokenId id : ids) {
    const std::string chunk = dec.push(id);
    EXPECT_TRUE(valid_utf8(chunk)) << "token " << id;
    if (chunk.empty() && !v->token_to_piece(id, false).empty()) ++held;
    all += chunk;
  }
  all += dec.flush();
  EXPECT_EQ(all, text);
  EXPECT_EQ(all, v->detokenize(ids, false));
  EXPECT_GT(held, 0u) << "the text should split a character across tokens";
}

const std::string kFrench =
    "Où est ma commande ? Livraison prévue le 3 décembre, à bientôt 🦙🚀";

TEST(TokenizerStream, SpmByteTokens) {
  const auto p = test::gold_dir() / "vocab" / "ggml-vocab-llama-spm.gguf";
  TQ_REQUIRE_PATH(p);
  const auto v = Vocab::from_gguf(*GgufFile::open(p.string()));
  check_stream(v, kFrench, false);
  check_stream(v, kFrench, true);
}

TEST(TokenizerStream, BpeBytePieces) {
  const auto p = test::gold_dir() / "vocab" / "ggml-vocab-gpt-2.gguf";
  TQ_REQUIRE_PATH(p);
  const auto v = Vocab::from_gguf(*GgufFile::open(p.string()));
  check_stream(v, "Où est ma commande, à bientôt 🦙🚀 très bien", false);
}

TEST(TokenizerStream, InvalidBytesBecomeReplacementCharacters) {
  VocabSpec s;
  s.model = "llama";
  s.tokens = {"<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "<0xFF>", "▁a"};
  s.types = {2, 3, 3, 6, 6, 6, 1};
  const auto v = Vocab::from_spec(s);
  TokenStreamDecoder dec(v);
  EXPECT_EQ(dec.push(6), "a");  // leading space of the sequence removed
  EXPECT_EQ(dec.push(3), "");   // first byte of "é" is held
  EXPECT_EQ(dec.push(4), "é");
  EXPECT_EQ(dec.push(5), "\xEF\xBF\xBD");  // 0xFF can never be valid
  EXPECT_EQ(dec.push(3), "");
  EXPECT_EQ(dec.flush(), "\xEF\xBF\xBD");  // truncated sequence at the end
  TokenStreamDecoder cont(v, false, /*sequence_start=*/false);
  EXPECT_EQ(cont.push(6), " a");  // continuing text keeps its space
}

}  // namespace
}  // namespace tq
