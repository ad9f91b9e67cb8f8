#include "engine/chat/lexer.h"

#include <cstring>

#include "engine/chat/template_error.h"
#include "engine/tokenizer/unicode.h"

namespace tq::jinja {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

// Jinja2 splits lines on \r\n, \r and \n and joins them with \n, dropping one final newline.
std::string normalize_newlines(std::string_view src) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out += '\n';
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out += src[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view source, const LexOptions& options)
      : src_(normalize_newlines(source)), opt_(options) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      const size_t tag = find_tag(pos_);
      if (tag == std::string::npos) {
        emit_text(src_.substr(pos_), line_);
        break;
      }
      const char kind = src_[tag + 1];
      const char mod = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      std::string text = src_.substr(pos_, tag - pos_);
      const int text_line = line_;
      advance_to(tag);
      strip_before_tag(text, mod, kind != '{');
      emit_text(std::move(text), text_line);
      const int tag_line = line_;
      advance_to(tag + 2 + ((mod == '-' || mod == '+') ? 1 : 0));
      if (kind == '#') {
        comment(tag_line);
      } else if (kind == '{') {
        out_.push_back({Token::Type::VarBegin, "{{", tag_line});
        expression("}}", Token::Type::VarEnd, tag_line);
      } else {
        if (raw_begin()) {
          raw(tag_line);
        } else {
          out_.push_back({Token::Type::BlockBegin, "{%", tag_line});
          expression("%}", Token::Type::BlockEnd, tag_line);
        }
      }
    }
    out_.push_back({Token::Type::End, "", line_});
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw TemplateError(line, what);
  }

  size_t find_tag(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#'))
        return i;
    }
    return std::string::npos;
  }

  void advance_to(size_t p) {
    for (; pos_ < p; ++pos_)
      if (src_[pos_] == '\n') ++line_;
  }

  static void rstrip(std::string& s) {
    size_t n = s.size();
    while (n > 0 && is_space(s[n - 1])) --n;
    s.resize(n);
  }

  // Whitespace control on the text before a tag: `-` strips it all; lstrip_blocks drops
  // the blanks between the line start and a block or comment tag (the tag owns its line).
  void strip_before_tag(std::string& text, char mod, bool is_block) const {
    if (mod == '-') {
      rstrip(text);
    } else if (mod != '+' && opt_.lstrip_blocks && is_block) {
      const size_t nl = text.rfind('\n');
      const size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
      if ((l_pos > 0 || line_starting_) && l_pos < text.size() &&
          text.find_first_not_of(" \t\f\v", l_pos) == std::string::npos)
        text.resize(l_pos);
    }
  }

  void emit_text(std::string text, int line) {
    if (!text.empty()) out_.push_back({Token::Type::Text, std::move(text), line});
  }

  // After a closing tag: `-` eats all following whitespace, trim_blocks one newline.
  void after_close(char mod, bool is_block) {
    line_starting_ = false;
    if (mod == '-') {
      size_t p = pos_;
      while (p < src_.size() && is_space(src_[p])) ++p;
      advance_to(p);
      line_starting_ = p > 0 && src_[p - 1] == '\n';
    } else if (mod != '+' && is_block && opt_.trim_blocks && pos_ < src_.size() &&
               src_[pos_] == '\n') {
      advance_to(pos_ + 1);
      line_starting_ = true;
    }
  }

  void comment(int tag_line) {
    const size_t end = src_.find("#}", pos_);
    if (end == std::string::npos) fail(tag_line, "unclosed comment");
    const char mod = end > pos_ ? src_[end - 1] : '\0';
    advance_to(end + 2);
    after_close(mod, true);
  }

  // At `raw %}` / `raw -%}` (just past `{%`): consumes it. Jinja2 does not apply
  // trim_blocks to the opening raw tag, only `-`.
  bool raw_begin() {
    size_t p = pos_;
    while (p < src_.size() && is_space(src_[p])) ++p;
    if (src_.compare(p, 3, "raw") != 0) return false;
    p += 3;
    while (p < src_.size() && is_space(src_[p])) ++p;
    const bool strip = p < src_.size() && src_[p] == '-';
    if (strip) ++p;
    if (src_.compare(p, 2, "%}") != 0) return false;
    advance_to(p + 2);
    line_starting_ = false;
    if (strip) after_close('-', true);
    return true;
  }

  // The body of {% raw %}…{% endraw %}: output as written. The closing tag strips and
  // trims like any block tag.
  void raw(int tag_line) {
    size_t search = pos_;
    for (;;) {
      const size_t open = src_.find("{%", search);
      if (open == std::string::npos) fail(tag_line, "missing {% endraw %}");
      size_t p = open + 2;
      const char lmod = p < src_.size() ? src_[p] : '\0';
      if (lmod == '-' || lmod == '+') ++p;
      while (p < src_.size() && is_space(src_[p])) ++p;
      if (src_.compare(p, 6, "endraw") != 0) {
        search = open + 2;
        continue;
      }
      p += 6;
      while (p < src_.size() && is_space(src_[p])) ++p;
      char rmod = '\0';
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) rmod = src_[p++];
      if (src_.compare(p, 2, "%}") != 0) {
        search = open + 2;
        continue;
      }
      std::string text = src_.substr(pos_, open - pos_);
      const int text_line = line_;
      strip_before_tag(text, lmod, true);
      emit_text(std::move(text), text_line);
      advance_to(p + 2);
      after_close(rmod, true);
      return;
    }
  }

  void expression(const char* close, Token::Type close_type, int tag_line) {
    int depth = 0;  // inside (), [] or {} a `}}` belongs to the expression
    for (;;) {
      while (pos_ < src_.size() && is_space(src_[pos_])) advance_to(pos_ + 1);
      if (pos_ >= src_.size()) fail(tag_line, std::string("unclosed tag: missing '") + close + "'");
      if (depth == 0) {
        const char c = src_[pos_];
        char mod = '\0';
        size_t at = pos_;
        if ((c == '-' || c == '+') && src_.compare(pos_ + 1, 2, close) == 0) {
          mod = c;
          at = pos_ + 1;
        }
        if (src_.compare(at, 2, close) == 0) {
          out_.push_back({close_type, close, line_});
          advance_to(at + 2);
          after_close(mod, close_type == Token::Type::BlockEnd);
          return;
        }
      }
      const char c = src_[pos_];
      if (is_name_start(c)) {
        size_t e = pos_;
        while (e < src_.size() && is_name_char(src_[e])) ++e;
        out_.push_back({Token::Type::Name, src_.substr(pos_, e - pos_), line_});
        advance_to(e);
      } else if (is_digit(c)) {
        number();
      } else if (c == '\'' || c == '"') {
        string_literal();
      } else {
        op(depth);
      }
    }
  }

  void number() {
    size_t e = pos_;
    std::string digits;
    auto take_digits = [&] {
      while (e < src_.size() && (is_digit(src_[e]) || src_[e] == '_')) {
        if (src_[e] != '_') digits += src_[e];
        ++e;
      }
    };
    take_digits();
    bool is_float = false;
    // After `.` (as in `x.0`) a number is an attribute index, never a float.
    const bool after_dot = !out_.empty() && out_.back().type == Token::Type::Op &&
                           out_.back().value == "." && pos_ > 0 && src_[pos_ - 1] == '.';
    if (!after_dot && e + 1 < src_.size() && src_[e] == '.' && is_digit(src_[e + 1])) {
      is_float = true;
      digits += '.';
      ++e;
      take_digits();
    }
    if (!after_dot && e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
      size_t x = e + 1;
      if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
      if (x < src_.size() && is_digit(src_[x])) {
        is_float = true;
        digits += 'e';
        digits.append(src_, e + 1, x - e - 1);
        e = x;
        take_digits();
      }
    }
    out_.push_back({is_float ? Token::Type::Float : Token::Type::Int, digits, line_});
    advance_to(e);
  }

  uint32_t hex_escape(size_t& p, int n, int line) const {
    uint32_t cp = 0;
    for (int i = 0; i < n; ++i, ++p) {
      if (p >= src_.size()) fail(line, "truncated escape in string");
      const char h = src_[p];
      cp <<= 4;
      if (is_digit(h))
        cp |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      else
        fail(line, "bad escape in string");
    }
    if (cp > 0x10FFFF) fail(line, "escape outside Unicode in string");
    return cp;
  }

  // Python string literal escapes (Jinja2 decodes them the same way).
  void string_literal() {
    const char q = src_[pos_];
    const int line = line_;
    size_t p = pos_ + 1;
    std::string out;
    for (;;) {
      if (p >= src_.size()) fail(line, "unterminated string literal");
      const char c = src_[p++];
      if (c == q) break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p >= src_.size()) fail(line, "unterminated string literal");
      const char e = src_[p++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '\\':
        case '\'':
        case '"':
          out += e;
          break;
        case '\n':  // a backslash-newline continues the line
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case '0':
          out += '\0';
          break;
        case 'x':
          unicode::append_utf8(out, hex_escape(p, 2, line));
          break;
        case 'u':
          unicode::append_utf8(out, hex_escape(p, 4, line));
          break;
        case 'U':
          unicode::append_utf8(out, hex_escape(p, 8, line));
          break;
        default:  // Python keeps unknown escapes as written
          out += '\\';
          out += e;
      }
    }
    out_.push_back({Token::Type::String, std::move(out), line});
    advance_to(p);
  }

  void op(int& depth) {
    static const char* const kTwo[] = {"//", "**", "==", "!=", "<=", ">="};
    for (const char* t : kTwo) {
      if (src_.compare(pos_, 2, t) == 0) {
        out_.push_back({Token::Type::Op, t, line_});
        advance_to(pos_ + 2);
        return;
      }
    }
    const char c = src_[pos_];
    if (std::strchr("+-*/%~<>=.,:|()[]{}", c) == nullptr)
      fail(line_, std::string("unexpected character '") + c + "' in tag");
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    out_.push_back({Token::Type::Op, std::string(1, c), line_});
    advance_to(pos_ + 1);
  }

  std::string src_;
  LexOptions opt_;
  size_t pos_ = 0;
  int line_ = 1;
  bool line_starting_ = true;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const LexOptions& options) {
  return Lexer(source, options).run();
}

}  // namespace tq::jinja
