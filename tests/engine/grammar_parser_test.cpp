// GBNF parsing: what compiles, and errors that say where and what.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "engine/grammar/gbnf_parser.h"

namespace tq {
namespace {

std::string error_of(const std::string& gbnf) {
  try {
    parse_gbnf(gbnf);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GbnfParser, ParsesLlamaCppStyleGrammars) {
  // The shapes of llama.cpp's grammars/json.gbnf: groups spanning lines, comments,
  // classes with escapes, repetitions.
  const Grammar g = parse_gbnf(R"(
    root   ::= object
    value  ::= object | array | string | number | ("true" | "false" | "null") ws

    object ::=
      "{" ws (
                string ":" ws value
        ("," ws string ":" ws value)*
      )? "}" ws

    array  ::=
      "[" ws (
                value
        ("," ws value)*
      )? "]" ws

    string ::=
      "\"" (
        [^"\\\x7F\x00-\x1F] |
        "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
      )* "\"" ws

    number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
    ws ::= | " " | "\n" [ \t]{0,20}
  )");
  EXPECT_EQ(g.rule_name(g.root()), "root");
  EXPECT_GT(g.n_rules(), 7u);
}

TEST(GbnfParser, AcceptsEveryElementKind) {
  EXPECT_NO_THROW(parse_gbnf(R"(root ::= "a" [b-d] [^e] . x? x* x+ x{2} x{1,} x{0,3} ("f" | "g")
                               x ::= "\u00e9\U0001F600\x41\t\n\r\\\"" | [\]\-\^])"));
  EXPECT_NO_THROW(parse_gbnf("root ::= \"\"\n"));   // the empty string
  EXPECT_NO_THROW(parse_gbnf("root ::= [à-ü]\n"));  // raw UTF-8 in classes
  EXPECT_NO_THROW(parse_gbnf("start ::= \"x\"", "start"));
  EXPECT_NO_THROW(parse_gbnf("root ::= \"a\"\n     | \"b\""));  // a line starting with |
}

TEST(GbnfParser, ErrorsNameLineAndColumn) {
  EXPECT_EQ(error_of("root ::= \"abc"), "grammar: line 1, column 10: unterminated string literal");
  EXPECT_EQ(error_of("root ::= [a-"), "grammar: line 1, column 10: unterminated character class");
  EXPECT_EQ(error_of("root ::= x\n"),
            "grammar: line 1, column 10: rule 'x' is used but not defined");
  EXPECT_EQ(error_of("root ::= \"a\"\nroot ::= \"b\""),
            "grammar: line 2, column 1: rule 'root' is defined twice");
  EXPECT_EQ(error_of("root ::= (\"a\" | \"b\"\n"),
            "grammar: line 2, column 1: expected ')' to close the group opened at line 1, column "
            "10");
  EXPECT_EQ(error_of("root ::= [z-a]"),
            "grammar: line 1, column 11: character range with its end before its start");
  EXPECT_EQ(error_of("root ::= \"\\q\""), "grammar: line 1, column 11: unknown escape '\\q'");
  EXPECT_EQ(error_of("root ::= \"\\u12\""),
            "grammar: line 1, column 11: escape needs 4 hex digits");
  EXPECT_EQ(error_of("root ::= \"a\"{3,1}"),
            "grammar: line 1, column 13: repetition {m,n} with n < m");
  EXPECT_EQ(error_of("root ::= \"a\"{x}"),
            "grammar: line 1, column 14: expected a repetition count, found 'x'");
  EXPECT_EQ(error_of("root \"a\""), "grammar: line 1, column 6: expected '::=' after 'root'");
  EXPECT_EQ(error_of("::= \"a\""), "grammar: line 1, column 1: expected a rule name, found ':'");
  EXPECT_EQ(error_of("root ::= \"a\" }"),
            "grammar: line 1, column 14: expected a literal, a character class, a rule name or "
            "'(', found '}'");
  EXPECT_EQ(error_of("root ::= \"\xff\""), "grammar: line 1, column 11: invalid UTF-8");
  EXPECT_EQ(error_of("# only a comment\n"), "grammar: no rule named 'root' (the start rule)");
}

TEST(GbnfParser, RejectsLeftRecursion) {
  // Expanding these would never reach a character.
  EXPECT_EQ(error_of("root ::= root \"a\" | \"b\""),
            "grammar: rule 'root' is left-recursive (root -> root): every loop must match a "
            "character first");
  EXPECT_NE(error_of("root ::= a\na ::= b \"x\"\nb ::= \"\" | a").find("left-recursive"),
            std::string::npos);
  EXPECT_NE(error_of("root ::= (\"a\"?)*").find("left-recursive"), std::string::npos);
  // Right recursion is fine, and so is recursion after a character.
  EXPECT_NO_THROW(parse_gbnf("root ::= \"a\" root | \"\""));
  EXPECT_NO_THROW(parse_gbnf("root ::= \"(\" root \")\" | \"x\""));
}

TEST(GbnfParser, BoundsTheExpandedSize) {
  EXPECT_NE(error_of("root ::= \"a\"{999999}{999999}").find("too large"), std::string::npos);
  EXPECT_NE(error_of("root ::= \"a\"{99999999999}").find("too large"), std::string::npos);
  std::string deep = "root ::= ";
  for (int i = 0; i < 300; ++i) deep += "(";
  EXPECT_NE(error_of(deep).find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace tq
