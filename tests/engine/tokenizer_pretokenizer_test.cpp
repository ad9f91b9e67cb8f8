// Pre-tokenizer split points, written by hand from the public regexes (not produced by
// this code). Llama-3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ ; Qwen2: the same with \p{N} single.
#include <gtest/gtest.h>

#include "core/error.h"
#include "engine/tokenizer/pretokenizer.h"

namespace tq {
namespace {

using Words = std::vector<std::string>;

Words llama3(std::string_view s) {
  return pre_tokenize(PreTokenizer::LLAMA3, s);
}
Words qwen2(std::string_view s) {
  return pre_tokenize(PreTokenizer::QWEN2, s);
}
Words gpt2(std::string_view s) {
  return pre_tokenize(PreTokenizer::GPT2, s);
}

TEST(TokenizerPreLlama3, WordsAndSpaces) {
  EXPECT_EQ(llama3("Hello world"), (Words{"Hello", " world"}));
  EXPECT_EQ(llama3(" Hello World!"), (Words{" Hello", " World", "!"}));
  // \s+(?!\S) leaves the last space to the next word; at the end all spaces go together.
  EXPECT_EQ(llama3("    Hello"), (Words{"   ", " Hello"}));
  EXPECT_EQ(llama3("Hello  "), (Words{"Hello", "  "}));
  EXPECT_EQ(llama3(""), Words{});
}

TEST(TokenizerPreLlama3, Digits) {
  EXPECT_EQ(llama3("3333333"), (Words{"333", "333", "3"}));
  EXPECT_EQ(llama3("ied 4 ½ months"), (Words{"ied", " ", "4", " ", "½", " months"}));
  EXPECT_EQ(llama3("w048 7tuijk"), (Words{"w", "048", " ", "7", "tuijk"}));
  EXPECT_EQ(llama3("3..3"), (Words{"3", "..", "3"}));
}

TEST(TokenizerPreLlama3, ContractionsAreCaseInsensitive) {
  EXPECT_EQ(llama3("I've been 'told he's there"),
            (Words{"I", "'ve", " been", " '", "told", " he", "'s", " there"}));
  EXPECT_EQ(llama3("'RE We'Ve a'lL"), (Words{"'RE", " We", "'Ve", " a", "'lL"}));
}

TEST(TokenizerPreLlama3, AccentsEmojiAndCjk) {
  EXPECT_EQ(llama3("Führer café"), (Words{"Führer", " café"}));
  EXPECT_EQ(llama3(" this is 🦙.cpp"), (Words{" this", " is", " 🦙.", "cpp"}));
  EXPECT_EQ(llama3(" ?我想在apple工作1314151天～"),
            (Words{" ?", "我想在apple工作", "131", "415", "1", "天", "～"}));
}

TEST(TokenizerPreLlama3, Newlines) {
  EXPECT_EQ(llama3("Hello\n\nworld"), (Words{"Hello", "\n\n", "world"}));
  EXPECT_EQ(llama3("    Hello\n    Hello"), (Words{"   ", " Hello", "\n", "   ", " Hello"}));
  // \s*[\r\n]+ takes the spaces before the line break with it.
  EXPECT_EQ(llama3("x \n y"), (Words{"x", " \n", " y"}));
  EXPECT_EQ(llama3("a\r\nb"), (Words{"a", "\r\n", "b"}));
  // Punctuation swallows the line breaks that follow it.
  EXPECT_EQ(llama3("end.\n\nNext"), (Words{"end", ".\n\n", "Next"}));
}

TEST(TokenizerPreQwen2, SingleDigits) {
  EXPECT_EQ(qwen2("3333"), (Words{"3", "3", "3", "3"}));
  EXPECT_EQ(qwen2("w048 7tuijk"), (Words{"w", "0", "4", "8", " ", "7", "tuijk"}));
  EXPECT_EQ(qwen2("n°12345 ?"), (Words{"n", "°", "1", "2", "3", "4", "5", " ?"}));
}

TEST(TokenizerPreQwen2, SameAsLlama3Otherwise) {
  EXPECT_EQ(qwen2("I've been 'told he's there"),
            (Words{"I", "'ve", " been", " '", "told", " he", "'s", " there"}));
  EXPECT_EQ(qwen2("Où est ma commande ?\nMerci 🦙!"),
            (Words{"Où", " est", " ma", " commande", " ?\n", "Merci", " 🦙!"}));
  EXPECT_EQ(qwen2("    Hello\n    Hello"), (Words{"   ", " Hello", "\n", "   ", " Hello"}));
}

TEST(TokenizerPreGpt2, CaseSensitiveContractionsAndSpaces) {
  EXPECT_EQ(gpt2("We'Ve I've"), (Words{"We", "'", "Ve", " I", "'ve"}));
  EXPECT_EQ(gpt2("  Hello"), (Words{" ", " Hello"}));
  EXPECT_EQ(gpt2("123456 x"), (Words{"123456", " x"}));
  EXPECT_EQ(gpt2("Hello\n\nworld"), (Words{"Hello", "\n", "\n", "world"}));
}

TEST(TokenizerPreOthers, DigitRules) {
  EXPECT_EQ(pre_tokenize(PreTokenizer::STARCODER, " 33"), (Words{" ", "3", "3"}));
  EXPECT_EQ(pre_tokenize(PreTokenizer::DEEPSEEK_CODER, "3333"), (Words{"3", "3", "3", "3"}));
  // falcon: GPT-2 keeps " 12345" whole, then [0-9]{3} cuts groups of three from the left.
  EXPECT_EQ(pre_tokenize(PreTokenizer::FALCON, " 12345"), (Words{" ", "123", "45"}));
  EXPECT_EQ(pre_tokenize(PreTokenizer::DEEPSEEK_LLM, "a 12345"), (Words{"a", " ", "12345"}));
}

TEST(TokenizerPreNames, Table) {
  EXPECT_EQ(pre_tokenizer_from_name("llama-bpe").type, PreTokenizer::LLAMA3);
  EXPECT_TRUE(pre_tokenizer_from_name("llama3").ignore_merges);
  EXPECT_EQ(pre_tokenizer_from_name("qwen2").type, PreTokenizer::QWEN2);
  EXPECT_EQ(pre_tokenizer_from_name("refact").type, PreTokenizer::STARCODER);
  EXPECT_EQ(pre_tokenizer_from_name("mpt").type, PreTokenizer::GPT2);
  EXPECT_EQ(pre_tokenizer_from_name("").type, PreTokenizer::DEFAULT);
  try {
    pre_tokenizer_from_name("tekken-9");
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("tekken-9"), std::string::npos);
  }
}

}  // namespace
}  // namespace tq
