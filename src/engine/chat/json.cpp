#include "engine/chat/json.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/error.h"
#include "engine/chat/template_error.h"
#include "engine/tokenizer/unicode.h"

namespace tq::jinja {
namespace {

constexpr int kMaxJsonDepth = 512;

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}

  Value document() {
    Value v = value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected data after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("JSON: " + what + " at byte " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool take(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Value value(int depth) {
    if (depth > kMaxJsonDepth) fail("nesting too deep");
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end of input");
    const char c = s_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return Value(string());
    if (take("true")) return Value(true);
    if (take("false")) return Value(false);
    if (take("null")) return Value::none();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    fail(std::string("unexpected character '") + c + "'");
  }

  Value object(int depth) {
    ++pos_;
    ValueDict d;
    skip_ws();
    if (take("}")) return Value(std::move(d));
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string key");
      std::string key = string();
      skip_ws();
      if (!take(":")) fail("expected ':'");
      d.set(std::move(key), value(depth + 1));
      skip_ws();
      if (take(",")) continue;
      if (take("}")) return Value(std::move(d));
      fail("expected ',' or '}'");
    }
  }

  Value array(int depth) {
    ++pos_;
    ValueList l;
    skip_ws();
    if (take("]")) return Value(std::move(l));
    for (;;) {
      l.push_back(value(depth + 1));
      skip_ws();
      if (take(",")) continue;
      if (take("]")) return Value(std::move(l));
      fail("expected ',' or ']'");
    }
  }

  uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      else
        fail("bad \\u escape");
    }
    return cp;
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = hex4();
          // A surrogate pair encodes one code point above U+FFFF.
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            const uint32_t lo = hex4();
            if (lo >= 0xDC00 && lo < 0xE000)
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else
              pos_ = save;
          }
          unicode::append_utf8(out, cp);
          break;
        }
        default:
          fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  Value number() {
    const size_t start = pos_;
    bool is_float = false;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_float = true;
        ++pos_;
      } else {
        break;
      }
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + pos_;
    if (!is_float) {
      int64_t i = 0;
      auto r = std::from_chars(b, e, i);
      if (r.ec == std::errc() && r.ptr == e) return Value(i);
    }
    double d = 0;
    auto r = std::from_chars(b, e, d);
    if (r.ec != std::errc() || r.ptr != e) fail("bad number");
    return Value(d);
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void write_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  const auto cps = unicode::decode_utf8(s);
  for (uint32_t cp : cps) {
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    char buf[16];
    if (cp < 0x20 || (ensure_ascii && cp > 0x7e && cp != 0x7f)) {
      if (cp >= 0x10000) {
        const uint32_t v = cp - 0x10000;
        std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
      }
      out += buf;
    } else {
      unicode::append_utf8(out, cp);
    }
  }
  out += '"';
}

class JsonWriter {
 public:
  explicit JsonWriter(const JsonFormat& f) : f_(f) {
    item_sep_ = !f.item_separator.empty() ? f.item_separator : (f.indent ? "," : ", ");
  }

  void write(std::string& out, const Value& v, int level) {
    if (level > kMaxJsonDepth) throw TemplateError(0, "tojson: value nested too deeply");
    switch (v.kind()) {
      case Value::Kind::None:
        out += "null";
        return;
      case Value::Kind::Bool:
        out += v.as_bool() ? "true" : "false";
        return;
      case Value::Kind::Int:
        out += std::to_string(v.as_int());
        return;
      case Value::Kind::Float: {
        const double d = v.as_float();
        // json.dumps spells the non-finite floats as JavaScript does.
        if (d != d)
          out += "NaN";
        else if (d > 0 && d * 0.5 == d)
          out += "Infinity";
        else if (d < 0 && d * 0.5 == d)
          out += "-Infinity";
        else
          out += python_float_repr(d);
        return;
      }
      case Value::Kind::String:
        write_string(out, v.as_string(), f_.ensure_ascii);
        return;
      case Value::Kind::List: {
        const auto& l = v.as_list();
        if (l.empty()) {
          out += "[]";
          return;
        }
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
          if (i) out += item_sep_;
          newline(out, level + 1);
          write(out, l[i], level + 1);
        }
        newline(out, level);
        out += ']';
        return;
      }
      case Value::Kind::Dict:
      case Value::Kind::Namespace: {
        auto items = v.is_dict() ? v.as_dict().items() : v.as_namespace().items();
        if (items.empty()) {
          out += "{}";
          return;
        }
        if (f_.sort_keys)
          std::stable_sort(items.begin(), items.end(),
                           [](const auto& a, const auto& b) { return a.first < b.first; });
        out += '{';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += item_sep_;
          newline(out, level + 1);
          write_string(out, items[i].first, f_.ensure_ascii);
          out += f_.key_separator;
          write(out, items[i].second, level + 1);
        }
        newline(out, level);
        out += '}';
        return;
      }
      default:
        throw TemplateError(0, "Object of type " + v.type_name() + " is not JSON serializable");
    }
  }

 private:
  void newline(std::string& out, int level) const {
    if (!f_.indent) return;
    out += '\n';
    for (int i = 0; i < level; ++i) out += *f_.indent;
  }

  const JsonFormat& f_;
  std::string item_sep_;
};

}  // namespace

Value parse_json(std::string_view text) {
  return JsonReader(text).document();
}

std::string to_json(const Value& v, const JsonFormat& format) {
  std::string out;
  JsonWriter(format).write(out, v, 0);
  return out;
}

}  // namespace tq::jinja
