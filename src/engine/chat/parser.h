// Tokens → Program. Recursive descent with Jinja2's operator precedence (lowest first):
// conditional `a if c else b`, or, and, not, comparisons / in / not in, + -, ~, * / // %,
// **, unary - +, then postfix (.attr, [index/slice], (call)) and filters / `is` tests.
#pragma once

#include <string_view>

#include "engine/chat/ast.h"

namespace tq::jinja {

// Throws TemplateError with the line of the offending token. Nesting deeper than a fixed
// bound (expressions and blocks) is an error too, so hostile input cannot exhaust the stack.
Program parse_template(std::string_view source);

}  // namespace tq::jinja
