// Matching text against grammars byte by byte, and the token constraint built on it:
// acceptance, rejection, UTF-8 split across tokens, completion, and masks that agree with
// checking every token on its own.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/grammar/gbnf_parser.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/tokenizer/unicode.h"

namespace tq {
namespace {

using State = GrammarMatcher::State;

GrammarMatcher matcher(const std::string& gbnf) {
  return GrammarMatcher(std::make_shared<const Grammar>(parse_gbnf(gbnf)));
}

// Whole-text match: every byte accepted and the grammar complete at the end.
bool full_match(GrammarMatcher& m, std::string_view text) {
  const State s = m.next(m.start(), text);
  return s != GrammarMatcher::kDead && m.can_end(s);
}
bool prefix_ok(GrammarMatcher& m, std::string_view text) {
  return m.next(m.start(), text) != GrammarMatcher::kDead;
}

TEST(GrammarMatcher, LiteralsClassesAndRepetitions) {
  auto m = matcher(R"(root ::= "ab" [0-9]{2,3} ( "x" | "yz" )* [^a-z0-9]? )");
  EXPECT_TRUE(full_match(m, "ab12"));
  EXPECT_TRUE(full_match(m, "ab123"));
  EXPECT_TRUE(full_match(m, "ab12xyzx"));
  EXPECT_TRUE(full_match(m, "ab12x!"));
  EXPECT_TRUE(full_match(m, "ab12\xC3\xA9"));  // é is not in [a-z0-9]
  EXPECT_FALSE(full_match(m, "ab1"));          // too few digits
  EXPECT_FALSE(full_match(m, "ab1234"));       // too many
  EXPECT_FALSE(full_match(m, "ab12b"));        // negated class
  EXPECT_FALSE(full_match(m, "ab12y"));        // prefix only
  EXPECT_TRUE(prefix_ok(m, "ab12y"));
  EXPECT_FALSE(prefix_ok(m, "ac"));
}

TEST(GrammarMatcher, CompletionTellsMayEndFromMustEnd) {
  auto m = matcher(R"(root ::= "{" [0-9]* "}" | [0-9]+)");
  State s = m.next(m.start(), "{12");
  EXPECT_FALSE(m.can_end(s));
  s = m.next(s, '}');
  EXPECT_TRUE(m.can_end(s));
  EXPECT_TRUE(m.must_end(s));  // the value is closed: nothing can follow
  s = m.next(m.start(), "12");
  EXPECT_TRUE(m.can_end(s));
  EXPECT_FALSE(m.must_end(s));  // more digits could follow
  EXPECT_EQ(m.next(m.next(m.start(), "{}"), '1'), GrammarMatcher::kDead);
}

TEST(GrammarMatcher, Utf8SplitAcrossCallsAndEarlyRejection) {
  auto m = matcher(R"(root ::= [é-ë] "€")");  // U+00E9..U+00EB, then U+20AC
  State s = m.next(m.start(), "\xC3");        // a prefix of é..ë: still possible
  ASSERT_NE(s, GrammarMatcher::kDead);
  EXPECT_FALSE(m.can_end(s));
  s = m.next(s, "\xAA\xE2\x82");  // ê, then two bytes of €
  ASSERT_NE(s, GrammarMatcher::kDead);
  s = m.next(s, '\xAC');
  EXPECT_TRUE(m.can_end(s));
  // Rejected at the lead byte: no code point starting with \xE2 is in é..ë.
  EXPECT_EQ(m.next(m.start(), '\xE2'), GrammarMatcher::kDead);
  // ...and at the continuation byte that leaves the class (\xC3\xA0 is à).
  EXPECT_EQ(m.next(m.start(), "\xC3\xA0"), GrammarMatcher::kDead);
  // Never UTF-8: overlong forms, surrogates, stray continuation bytes.
  auto any = matcher("root ::= .*");
  EXPECT_TRUE(full_match(any, "h\xC3\xA9llo \xF0\x9F\x98\x80"));
  EXPECT_FALSE(prefix_ok(any, "\xC0\x80"));
  EXPECT_FALSE(prefix_ok(any, "\xED\xA0\x80"));
  EXPECT_FALSE(prefix_ok(any, "\x80"));
  EXPECT_FALSE(prefix_ok(any, "\xF5"));
}

TEST(GrammarMatcher, AmbiguousAndRecursiveGrammars) {
  auto m = matcher(R"g(
    root ::= expr
    expr ::= term ( [+-] term )*
    term ::= [0-9]+ | "(" expr ")"
  )g");
  EXPECT_TRUE(full_match(m, "1+(2-(3+4))-5"));
  EXPECT_FALSE(full_match(m, "1+(2-(3+4)-5"));
  EXPECT_FALSE(full_match(m, "1++2"));
  auto amb = matcher(R"(root ::= "a"* "a" "b" | "a"+ "c")");
  EXPECT_TRUE(full_match(amb, "aaab"));
  EXPECT_TRUE(full_match(amb, "aaac"));
  EXPECT_FALSE(full_match(amb, "b"));
}

TEST(GrammarMatcher, TooAmbiguousGrammarsAreAnErrorNotAHang) {
  // z^n has exponentially many parses (every tree of z's with up to five children each).
  auto m = matcher(R"(root ::= x
                      x ::= "z" x{0,5})");
  EXPECT_THROW(m.next(m.start(), std::string(40, 'z')), InputError);
}

TEST(GrammarMatcher, CompactKeepsTheState) {
  auto m = matcher(R"g(root ::= "[" ( "a" | "(" "b"* ")" ){0,50} "]")g");
  State s = m.next(m.start(), "[a(bb)a(");
  s = m.compact(s);
  EXPECT_FALSE(m.can_end(s));
  s = m.next(s, "b)]");
  EXPECT_TRUE(m.must_end(s));
}

// A small hand-made vocabulary: single bytes, words, multi-byte pieces and a piece that
// ends inside a UTF-8 character.
std::shared_ptr<const Vocab> test_vocab() {
  VocabSpec spec;
  spec.model = "gpt2";
  std::vector<std::string> pieces = {
      "<|endoftext|>", "{",     "}",    "\"",    ":",  ",",  " ", "a",  "b", "ab",
      "{\"",           "\":",   "true", "false", "tr", "ue", "1", "12", "é", "\xC3",
      "\xA9",          "x\xC3", "}}",   "\n",    "  "};
  // GPT-2 stores pieces byte-mapped; map each byte to its printable stand-in.
  for (const auto& p : pieces) {
    if (p.front() == '<') {
      spec.tokens.push_back(p);
      continue;
    }
    std::string mapped;
    for (const char c : p) mapped += unicode::byte_to_utf8(static_cast<uint8_t>(c));
    spec.tokens.push_back(mapped);
  }
  spec.merges = {"a b"};  // BPE vocabularies need merges; the constraint never tokenizes
  spec.types.assign(spec.tokens.size(), 1);
  spec.types[0] = 3;  // control
  spec.eos = 0;
  return Vocab::from_spec(spec);
}

// The tokens mask() leaves finite.
std::vector<int32_t> masked_allowed(GrammarConstraint& c, size_t n_vocab) {
  std::vector<float> logits(n_vocab, 0.0f);
  c.mask(logits);
  std::vector<int32_t> out;
  for (size_t i = 0; i < n_vocab; ++i)
    if (std::isfinite(logits[i])) out.push_back(static_cast<int32_t>(i));
  return out;
}

TEST(GrammarConstraint, MaskAgreesWithCheckingEachToken) {
  const auto vocab = test_vocab();
  const auto n = static_cast<size_t>(vocab->n_tokens());
  auto c = make_grammar_constraint(
      R"(root ::= "{" ( "\"" [ab]+ "\":" ws ( "true" | "false" | [0-9]{1,3} ) ) "}"
         ws ::= " "?)",
      *vocab);
  std::mt19937 rng(3);
  for (int run = 0; run < 20; ++run) {
    c->reset();
    std::string text;
    int steps = 0;
    while (!c->finished()) {
      ASSERT_LT(++steps, 100) << text;
      const std::vector<int32_t> allowed = masked_allowed(*c, n);
      std::vector<int32_t> expected;
      for (size_t t = 0; t < n; ++t)
        if (c->allows(static_cast<int32_t>(t))) expected.push_back(static_cast<int32_t>(t));
      ASSERT_EQ(allowed, expected) << "after '" << text << "'";
      ASSERT_FALSE(allowed.empty());
      const int32_t t = allowed[rng() % allowed.size()];
      c->accept(t);
      text += vocab->token_to_piece(t, false);
    }
    EXPECT_EQ(text.front(), '{');
    EXPECT_EQ(text.back(), '}');
  }
}

TEST(GrammarConstraint, TokensEndingInsideACharacter) {
  const auto vocab = test_vocab();
  auto c = make_grammar_constraint(R"(root ::= "x" "é"+ "}")", *vocab);
  const TokenId x_lead = vocab->find(unicode::byte_to_utf8('x') + unicode::byte_to_utf8(0xC3));
  const TokenId tail = vocab->find(unicode::byte_to_utf8(0xA9));
  const TokenId lead = vocab->find(unicode::byte_to_utf8(0xC3));
  const TokenId close = vocab->find("}");
  ASSERT_GE(x_lead, 0);
  EXPECT_TRUE(c->allows(x_lead));
  EXPECT_FALSE(c->allows(lead));
  c->accept(x_lead);
  EXPECT_FALSE(c->allows(close));  // the é is not complete yet
  EXPECT_TRUE(c->allows(tail));
  c->accept(tail);
  EXPECT_TRUE(c->allows(close));
  EXPECT_TRUE(c->allows(lead));
  c->accept(close);
  EXPECT_TRUE(c->finished());
  EXPECT_THROW(c->accept(close), Error);
}

TEST(GrammarConstraint, EndOfGenerationOnlyWhereTheGrammarMayEnd) {
  const auto vocab = test_vocab();
  auto c = make_grammar_constraint(R"(root ::= [0-9]+)", *vocab);
  const TokenId eos = vocab->eos();
  EXPECT_FALSE(c->allows(eos));
  c->accept(vocab->find("12"));
  EXPECT_FALSE(c->finished());  // more digits may follow
  EXPECT_TRUE(c->allows(eos));
  c->accept(eos);
  EXPECT_TRUE(c->finished());
  // A grammar no token can start: masking says so instead of returning all -inf.
  auto none = make_grammar_constraint(R"(root ::= "z")", *vocab);
  std::vector<float> logits(static_cast<size_t>(vocab->n_tokens()), 0.0f);
  EXPECT_THROW(none->mask(logits), Error);
}

}  // namespace
}  // namespace tq
