// GBNF, the grammar notation of llama.cpp, parsed into a compiled Grammar.
//
//   root  ::= item ("," ws item)*      # rules: name ::= alternatives
//   item  ::= "\"" [a-z0-9\u00e9]+ "\"" | "null" | [^\x00-\x1f]{1,8} | . | (a | b)?
//
// Literals and character classes take the escapes \n \r \t \\ \" \' \[ \] \- \^ \/ \xHH
// \uHHHH \UHHHHHHHH; classes take ranges and ^ for negation; postfix * + ? {m} {m,}
// {m,n}; # starts a comment. Newlines are plain white space: a rule ends where the next
// `name ::=` begins (llama.cpp ends a rule at a newline outside parentheses; every grammar
// it reads reads the same here). Rule names are letters, digits, '-' and '_'.
#pragma once

#include <string_view>

#include "engine/grammar/grammar.h"

namespace tq {

// Throws InputError "grammar: line L, column C: what was expected, what was found".
Grammar parse_gbnf(std::string_view text, std::string_view root = "root");

}  // namespace tq
