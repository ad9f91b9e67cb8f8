// Template source → tokens. Text between tags becomes Text tokens with whitespace control
// already applied, so the parser never thinks about whitespace:
//  - `{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}` strip all whitespace on that side;
//  - trim_blocks: the first newline after a block or comment tag is dropped;
//  - lstrip_blocks: spaces and tabs before a block or comment tag on its own line are
//    dropped (`{%+` keeps them, `+%}` keeps the newline);
//  - one trailing newline of the source is dropped and \r\n / \r read as \n
// (Jinja2's defaults as Hugging Face configures them: trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=False).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tq::jinja {

struct Token {
  enum class Type {
    Text,        // literal output
    VarBegin,    // {{
    VarEnd,      // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,
    String,  // value already unescaped
    Int,
    Float,
    Op,  // operators and punctuation: + - * / // % ** ~ == != < > <= >= = . , : | ( ) [ ] { }
    End,
  };
  Type type;
  std::string value;
  int line;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
};

// Throws TemplateError on an unterminated tag, comment or string, or a stray character.
std::vector<Token> tokenize(std::string_view source, const LexOptions& options = {});

}  // namespace tq::jinja
