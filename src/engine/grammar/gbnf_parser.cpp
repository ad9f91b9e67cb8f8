#include "engine/grammar/gbnf_parser.h"

#include <string>
#include <unordered_map>

#include "core/error.h"

namespace tq {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Recursive descent over the text; rules go to a GrammarBuilder as they are read.
class GbnfParser {
 public:
  explicit GbnfParser(std::string_view text) : s_(text) {}

  Grammar parse(std::string_view root) {
    skip_space();
    while (pos_ < s_.size()) {
      parse_rule();
      skip_space();
    }
    // Report the earliest use of an undefined rule.
    size_t bad_at = s_.size();
    uint32_t bad = 0;
    for (const auto& [rule, offset] : first_ref_)
      if (!b_.defined(rule) && offset < bad_at) bad_at = offset, bad = rule;
    if (bad_at < s_.size()) fail(bad_at, "rule '" + b_.name(bad) + "' is used but not defined");
    return b_.build(root);
  }

 private:
  static constexpr int kMaxDepth = 200;  // nested parentheses; bounds the recursion

  // "line L, column C" of a byte offset, for messages.
  std::string location(size_t at) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
  }
  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw InputError("grammar: " + location(at) + ": " + what);
  }
  std::string found() const {
    if (pos_ >= s_.size()) return "the end of the text";
    const char c = s_[pos_];
    if (c == '\n') return "a line break";
    if (static_cast<unsigned char>(c) < 0x20) return "a control character";
    return "'" + std::string(1, c) + "'";
  }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

  void skip_space() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  std::string_view name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // Whether a new rule ("name ::=") starts here; the previous rule ends before it.
  bool rule_starts_here() {
    const size_t save = pos_;
    const bool yes = !name().empty() && (skip_space(), s_.substr(pos_, 3) == "::=");
    pos_ = save;
    return yes;
  }

  void parse_rule() {
    const size_t start = pos_;
    const std::string_view n = name();
    if (n.empty()) fail(pos_, "expected a rule name, found " + found());
    skip_space();
    if (s_.substr(pos_, 3) != "::=") fail(pos_, "expected '::=' after '" + std::string(n) + "'");
    pos_ += 3;
    const uint32_t id = b_.rule(n);
    if (b_.defined(id)) fail(start, "rule '" + std::string(n) + "' is defined twice");
    std::vector<GrammarAlt> alts = parse_alternatives(n, 0);
    b_.define(id, std::move(alts));
  }

  std::vector<GrammarAlt> parse_alternatives(std::string_view base, int depth) {
    std::vector<GrammarAlt> alts;
    alts.push_back(parse_sequence(base, depth));
    while (peek('|')) {
      ++pos_;
      alts.push_back(parse_sequence(base, depth));
    }
    return alts;
  }

  GrammarAlt parse_sequence(std::string_view base, int depth) {
    GrammarAlt seq;
    for (;;) {
      skip_space();
      if (pos_ >= s_.size() || peek('|') || peek(')')) break;
      if (depth == 0 && rule_starts_here()) break;
      GrammarAlt item = parse_primary(base, depth);
      for (;;) {
        skip_space();
        if (!parse_postfix(item, base)) break;
      }
      seq.insert(seq.end(), item.begin(), item.end());
    }
    return seq;
  }

  // Applies one postfix operator to `item` if one follows; false when none does.
  bool parse_postfix(GrammarAlt& item, std::string_view base) {
    if (pos_ >= s_.size()) return false;
    const char op = s_[pos_];
    if (op != '*' && op != '+' && op != '?' && op != '{') return false;
    const size_t at = pos_++;
    GrammarItem atom = as_atom(item, base);
    if (op == '*') {
      item = {b_.star(atom, base)};
    } else if (op == '+') {
      item = b_.repeat(atom, 1, -1, base);
    } else if (op == '?') {
      item = {b_.optional(atom, base)};
    } else {
      skip_space();
      const int64_t min = count(at);
      int64_t max = min;
      skip_space();
      if (peek(',')) {
        ++pos_;
        skip_space();
        max = pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9' ? count(at) : -1;
        skip_space();
      }
      if (!peek('}')) fail(pos_, "expected '}' to close the repetition, found " + found());
      ++pos_;
      if (max >= 0 && max < min) fail(at, "repetition {m,n} with n < m");
      item = b_.repeat(atom, static_cast<uint32_t>(min), max, base);
    }
    return true;
  }

  int64_t count(size_t at) {
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9')
      fail(pos_, "expected a repetition count, found " + found());
    int64_t n = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      n = n * 10 + (s_[pos_++] - '0');
      if (n > static_cast<int64_t>(GrammarBuilder::kMaxItems))
        fail(at, "repetition count too large");
    }
    return n;
  }

  // Postfix operators apply to one item; a multi-character literal becomes a rule first.
  GrammarItem as_atom(const GrammarAlt& item, std::string_view base) {
    if (item.size() == 1) return item[0];
    const uint32_t r = b_.fresh_rule(base);
    b_.define(r, {item});
    return GrammarItem::ref(r);
  }

  GrammarAlt parse_primary(std::string_view base, int depth) {
    const size_t start = pos_;
    const char c = s_[pos_];
    if (c == '"') {
      ++pos_;
      GrammarAlt seq;
      while (!peek('"')) {
        if (pos_ >= s_.size()) fail(start, "unterminated string literal");
        seq.push_back(GrammarItem::one(parse_char()));
      }
      ++pos_;
      return seq;
    }
    if (c == '[') return {parse_class()};
    if (c == '.') {
      ++pos_;
      return {GrammarItem::chars({{0, kMaxCodePoint}}, false)};
    }
    if (c == '(') {
      if (depth >= kMaxDepth) fail(pos_, "parentheses nested too deeply");
      ++pos_;
      std::vector<GrammarAlt> alts = parse_alternatives(base, depth + 1);
      if (!peek(')')) fail(pos_, "expected ')' to close the group opened at " + location(start));
      ++pos_;
      const uint32_t r = b_.fresh_rule(base);
      b_.define(r, std::move(alts));
      return {GrammarItem::ref(r)};
    }
    if (is_name_char(c)) {
      const uint32_t r = b_.rule(name());
      first_ref_.try_emplace(r, start);
      return {GrammarItem::ref(r)};
    }
    fail(pos_, "expected a literal, a character class, a rule name or '(', found " + found());
  }

  GrammarItem parse_class() {
    const size_t start = pos_++;
    const bool negated = peek('^');
    if (negated) ++pos_;
    std::vector<CharRange> ranges;
    while (!peek(']')) {
      if (pos_ >= s_.size()) fail(start, "unterminated character class");
      const size_t at = pos_;
      const uint32_t lo = parse_char();
      uint32_t hi = lo;
      if (peek('-') && pos_ + 1 < s_.size() && s_[pos_ + 1] != ']') {
        ++pos_;
        hi = parse_char();
        if (hi < lo) fail(at, "character range with its end before its start");
      }
      ranges.push_back({lo, hi});
    }
    ++pos_;
    return GrammarItem::chars(std::move(ranges), negated);
  }

  // One code point of a literal or class: an escape or a UTF-8 sequence.
  uint32_t parse_char() {
    const size_t at = pos_;
    const auto b0 = static_cast<unsigned char>(s_[pos_]);
    if (b0 == '\\') {
      if (++pos_ >= s_.size()) fail(at, "unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case 'x':
          return hex(2, at);
        case 'u':
          return hex(4, at);
        case 'U':
          return hex(8, at);
        case '\\':
        case '"':
        case '\'':
        case '[':
        case ']':
        case '-':
        case '^':
        case '/':
          return static_cast<uint32_t>(e);
        default:
          fail(at, "unknown escape '\\" + std::string(1, e) + "'");
      }
    }
    if (b0 < 0x80) {
      ++pos_;
      return b0;
    }
    const int len = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 < 0xE0 ? 2 : 0;
    uint32_t cp = len == 4 ? b0 & 0x07u : len == 3 ? b0 & 0x0Fu : b0 & 0x1Fu;
    for (int i = 1; i < len; ++i) {
      const auto b = pos_ + static_cast<size_t>(i) < s_.size()
                         ? static_cast<unsigned char>(s_[pos_ + static_cast<size_t>(i)])
                         : 0;
      if ((b & 0xC0) != 0x80) {
        cp = UINT32_MAX;
        break;
      }
      cp = (cp << 6) | (b & 0x3Fu);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (len == 0 || cp == UINT32_MAX || cp < kMin[len] || cp > kMaxCodePoint ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      fail(at, "invalid UTF-8");
    pos_ += static_cast<size_t>(len);
    return cp;
  }

  uint32_t hex(int digits, size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < digits; ++i) {
      const int d = pos_ < s_.size() ? hex_value(s_[pos_]) : -1;
      if (d < 0) fail(at, "escape needs " + std::to_string(digits) + " hex digits");
      v = v * 16 + static_cast<uint32_t>(d);
      ++pos_;
    }
    if (v > kMaxCodePoint) fail(at, "code point above U+10FFFF");
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
  GrammarBuilder b_;
  std::unordered_map<uint32_t, size_t> first_ref_;  // rule → where it was first used
};

}  // namespace

Grammar parse_gbnf(std::string_view text, std::string_view root) {
  return GbnfParser(text).parse(root);
}

}  // namespace tq
