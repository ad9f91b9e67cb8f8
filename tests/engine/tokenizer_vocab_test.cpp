// The three tokenizer kinds on small hand-made vocabularies, loading rules and errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/error.h"
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab.h"
#include "engine/tokenizer/vocab_impl.h"

namespace tq {
namespace {

using Ids = std::vector<TokenId>;
constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kUser = 4, kByte = 6;

// <unk> <s> </s>, 256 byte tokens, then pieces whose scores make the merge order
// ▁h, ll, ▁he, llo, ▁hello.
VocabSpec spm_spec() {
  VocabSpec s;
  s.model = "llama";
  auto add = [&](std::string t, float score, int32_t type) {
    s.tokens.push_back(std::move(t));
    s.scores.push_back(score);
    s.types.push_back(type);
  };
  add("<unk>", 0, kUnknown);
  add("<s>", 0, kControl);
  add("</s>", 0, kControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(buf, 0, kByte);
  }
  for (const char* t : {"▁", "h", "e", "l", "o"}) add(t, -10, kNormal);  // 259..263
  add("▁h", -1, kNormal);                                                // 264
  add("ll", -2, kNormal);                                                // 265
  add("▁he", -3, kNormal);                                               // 266
  add("llo", -4, kNormal);                                               // 267
  add("▁hello", -5, kNormal);                                            // 268
  add("<|user|>", 0, kUser);                                             // 269
  return s;
}
constexpr TokenId kByte0 = 3;

TEST(TokenizerSpm, MergesByScore) {
  const auto v = Vocab::from_spec(spm_spec());
  EXPECT_EQ(v->kind(), VocabKind::SPM);
  EXPECT_TRUE(v->add_bos());
  EXPECT_TRUE(v->add_space_prefix());
  EXPECT_EQ(v->tokenize("hello", false, false), (Ids{268}));
  EXPECT_EQ(v->tokenize("hello", true, false), (Ids{1, 268}));
  EXPECT_EQ(v->tokenize(" hello", false, false), (Ids{259, 268}));
  EXPECT_EQ(v->tokenize("", true, false), (Ids{1}));
  EXPECT_EQ(v->tokenize("", false, false), Ids{});
}

TEST(TokenizerSpm, ByteFallbackAndDecode) {
  const auto v = Vocab::from_spec(spm_spec());
  const Ids ids = v->tokenize("hé", false, false);
  EXPECT_EQ(ids, (Ids{264, kByte0 + 0xC3, kByte0 + 0xA9}));
  EXPECT_EQ(v->detokenize(ids, false), "hé");
  EXPECT_EQ(v->detokenize(v->tokenize(" hello", true, false), false), " hello");
  EXPECT_EQ(v->token_to_piece(268, false), " hello");
  EXPECT_EQ(v->token_to_piece(kByte0 + 0x41, false), "A");
  EXPECT_EQ(v->token_to_piece(1, false), "");
  EXPECT_EQ(v->token_to_piece(1, true), "<s>");
}

TEST(TokenizerSpm, SpecialTokens) {
  const auto v = Vocab::from_spec(spm_spec());
  // Parsed: the text after a special token gets its own "▁" prefix, as in llama.cpp.
  EXPECT_EQ(v->tokenize("<s>hello", false, true), (Ids{1, 268}));
  // Not parsed: "<s>" is plain text (bytes here).
  const Ids plain = v->tokenize("<s>hello", false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 1), 0);
  // User-defined tokens are matched even without parse_special (llama.cpp does this).
  EXPECT_EQ(v->tokenize("hello<|user|>hello", false, false), (Ids{268, 269, 268}));
  EXPECT_TRUE(v->is_eog(2));
  EXPECT_FALSE(v->is_eog(268));
  EXPECT_TRUE(v->is_control(1));
  EXPECT_EQ(v->find("▁hello"), 268);
  EXPECT_EQ(v->find("nope"), -1);
}

// GPT-2 byte alphabet (token id = byte) plus merges for "hello world".
VocabSpec bpe_spec() {
  VocabSpec s;
  s.model = "gpt2";
  s.pre = "gpt-2";
  for (int b = 0; b < 256; ++b) s.tokens.push_back(unicode::byte_to_utf8(static_cast<uint8_t>(b)));
  for (const char* t : {"he", "ll", "llo", "hello", "Ġw", "or", "Ġwor", "ld", "Ġworld"})
    s.tokens.push_back(t);              // 256..264
  s.tokens.push_back("<|endoftext|>");  // 265
  s.types.assign(s.tokens.size(), kNormal);
  s.types.back() = kControl;
  s.merges = {"h e", "l l", "ll o", "he llo", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld"};
  s.bos = s.eos = 265;
  return s;
}

TEST(TokenizerBpe, MergesByRank) {
  const auto v = Vocab::from_spec(bpe_spec());
  EXPECT_FALSE(v->add_bos());
  EXPECT_EQ(v->tokenize("hello world", true, false), (Ids{259, 264}));
  EXPECT_EQ(v->token_to_piece(264, false), " world");
  // "é" is two bytes, each its own byte-level token.
  const Ids ids = v->tokenize("é", false, false);
  EXPECT_EQ(ids, (Ids{0xC3, 0xA9}));
  EXPECT_EQ(v->detokenize(ids, false), "é");
}

TEST(TokenizerBpe, SpecialTokensAndEog) {
  const auto v = Vocab::from_spec(bpe_spec());
  EXPECT_EQ(v->tokenize("hello<|endoftext|>", false, true), (Ids{259, 265}));
  EXPECT_NE(v->tokenize("hello<|endoftext|>", false, false), (Ids{259, 265}));
  EXPECT_TRUE(v->is_eog(265));
  EXPECT_EQ(v->eot(), 265);  // recognised by its text, as llama.cpp does
  EXPECT_EQ(v->detokenize({259, 265}, false), "hello");
  EXPECT_EQ(v->detokenize({259, 265}, true), "hello<|endoftext|>");
}

TEST(TokenizerBpe, CleanUpSpaces) {
  EXPECT_EQ(detail::clean_up_spaces("a , b ."), "a, b.");
  EXPECT_EQ(detail::clean_up_spaces("x ' y"), "x'y");
  EXPECT_EQ(detail::clean_up_spaces("it 's I 'm we 're you 've"), "it's I'm we're you've");
  EXPECT_EQ(detail::clean_up_spaces("I 'll don 't"), "I 'll don 't");
}

VocabSpec wpm_spec() {
  VocabSpec s;
  s.model = "bert";
  s.tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "▁hello", "▁world", "▁un",
              "aff",   "able",  "▁!",    "▁,",    "▁cafe",  "▁中"};
  s.types.assign(s.tokens.size(), kNormal);
  for (int i = 0; i < 4; ++i) s.types[static_cast<size_t>(i)] = kControl;
  s.unk = 1, s.cls = 2, s.sep = 3, s.pad = 0;
  return s;
}

TEST(TokenizerWordPiece, GreedyLongestMatch) {
  const auto v = Vocab::from_spec(wpm_spec());
  EXPECT_EQ(v->tokenize("Hello, World!", true, false), (Ids{2, 4, 10, 5, 9, 3}));
  EXPECT_EQ(v->tokenize("unaffable", false, false), (Ids{6, 7, 8}));
  EXPECT_EQ(v->tokenize("Café", false, false), (Ids{11}));  // lower-cased, accent stripped
  EXPECT_EQ(v->tokenize("xyz 中", false, false), (Ids{1, 12}));
  EXPECT_EQ(v->tokenize("[CLS]", false, true), (Ids{2}));
}

TEST(TokenizerLoad, Errors) {
  auto expect_error = [](VocabSpec s, bool input_error, const std::string& needle) {
    try {
      Vocab::from_spec(std::move(s));
      ADD_FAILURE() << "expected an error naming " << needle;
    } catch (const InputError& e) {
      EXPECT_TRUE(input_error) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    } catch (const UnsupportedError& e) {
      EXPECT_FALSE(input_error) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  VocabSpec s = spm_spec();
  s.model = "t5";
  expect_error(s, false, "t5");
  s = spm_spec();
  s.scores.pop_back();
  expect_error(s, true, "tokenizer.ggml.scores");
  s = spm_spec();
  s.types.push_back(1);
  expect_error(s, true, "tokenizer.ggml.token_type");
  s = spm_spec();
  s.bos = 100000;
  expect_error(s, true, "tokenizer.ggml.bos_token_id");
  s = spm_spec();
  s.unk = -7;
  expect_error(s, true, "tokenizer.ggml.unknown_token_id");
  s = bpe_spec();
  s.merges.clear();
  expect_error(s, true, "tokenizer.ggml.merges");
  s = bpe_spec();
  s.pre = "no-such-pre";
  expect_error(s, false, "no-such-pre");
  s = spm_spec();
  s.tokens.clear(), s.scores.clear(), s.types.clear();
  expect_error(s, true, "tokenizer.ggml.tokens");
  // The converters' "none" marker keeps the default instead of failing.
  s = spm_spec();
  s.sep = 0xFFFFFFFFLL;
  EXPECT_EQ(Vocab::from_spec(s)->sep(), -1);
}

}  // namespace
}  // namespace tq
