#include "engine/chat/text.h"

#include <utf8proc.h>

#include "engine/tokenizer/unicode.h"

namespace tq::jinja::text {
namespace {

std::string encode(const std::vector<uint32_t>& cps, size_t from = 0, size_t to = SIZE_MAX) {
  std::string out;
  for (size_t i = from; i < cps.size() && i < to; ++i) unicode::append_utf8(out, cps[i]);
  return out;
}

uint32_t to_upper(uint32_t cp) {
  return static_cast<uint32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)));
}
uint32_t to_lower(uint32_t cp) {
  return static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}
bool is_cased_letter(uint32_t cp) {
  return unicode::is_letter(cp);
}

}  // namespace

bool is_space(uint32_t cp) {
  // Python's str.isspace also counts the ASCII information separators 0x1c-0x1f.
  return (cp >= 0x1c && cp <= 0x1f) || unicode::is_whitespace(cp);
}

size_t length(std::string_view s) {
  return unicode::decode_utf8(s).size();
}

std::vector<std::string> chars(std::string_view s) {
  std::vector<std::string> out;
  for (uint32_t cp : unicode::decode_utf8(s)) out.push_back(unicode::encode_utf8(cp));
  return out;
}

std::string strip(std::string_view s, const std::string* chars, bool left, bool right) {
  const auto cps = unicode::decode_utf8(s);
  std::vector<uint32_t> set;
  if (chars) set = unicode::decode_utf8(*chars);
  auto strippable = [&](uint32_t cp) {
    if (!chars) return is_space(cp);
    for (uint32_t c : set)
      if (c == cp) return true;
    return false;
  };
  size_t b = 0;
  size_t e = cps.size();
  if (left)
    while (b < e && strippable(cps[b])) ++b;
  if (right)
    while (e > b && strippable(cps[e - 1])) --e;
  return encode(cps, b, e);
}

std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (sep && !sep->empty()) {
    size_t start = 0;
    for (;;) {
      const size_t at = s.find(*sep, start);
      if (at == std::string_view::npos ||
          (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit))
        break;
      out.emplace_back(s.substr(start, at - start));
      start = at + sep->size();
    }
    out.emplace_back(s.substr(start));
    return out;
  }
  const auto cps = unicode::decode_utf8(s);
  size_t i = 0;
  while (i < cps.size()) {
    while (i < cps.size() && is_space(cps[i])) ++i;
    if (i >= cps.size()) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit) {
      // The rest, less trailing whitespace, is the last piece.
      size_t e = cps.size();
      while (e > i && is_space(cps[e - 1])) --e;
      out.push_back(encode(cps, i, e));
      break;
    }
    const size_t b = i;
    while (i < cps.size() && !is_space(cps[i])) ++i;
    out.push_back(encode(cps, b, i));
  }
  return out;
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` between characters (and at both ends).
    const auto pieces = chars(s);
    int64_t done = 0;
    for (const auto& p : pieces) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      out += p;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  for (;;) {
    const size_t at = s.find(from, start);
    if (at == std::string_view::npos || (count >= 0 && done >= count)) break;
    out.append(s.substr(start, at - start));
    out.append(to);
    start = at + from.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

std::string upper(std::string_view s) {
  auto cps = unicode::decode_utf8(s);
  for (auto& cp : cps) cp = to_upper(cp);
  return encode(cps);
}

std::string lower(std::string_view s) {
  auto cps = unicode::decode_utf8(s);
  for (auto& cp : cps) cp = to_lower(cp);
  return encode(cps);
}

std::string capitalize(std::string_view s) {
  auto cps = unicode::decode_utf8(s);
  for (size_t i = 0; i < cps.size(); ++i) cps[i] = i == 0 ? to_upper(cps[i]) : to_lower(cps[i]);
  return encode(cps);
}

std::string py_title(std::string_view s) {
  auto cps = unicode::decode_utf8(s);
  bool prev_cased = false;
  for (auto& cp : cps) {
    const bool cased = is_cased_letter(cp);
    if (cased) cp = prev_cased ? to_lower(cp) : to_upper(cp);
    prev_cased = cased;
  }
  return encode(cps);
}

std::string jinja_title(std::string_view s) {
  auto cps = unicode::decode_utf8(s);
  bool word_start = true;
  for (auto& cp : cps) {
    const bool boundary =
        is_space(cp) || cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<';
    if (boundary) {
      word_start = true;
      continue;
    }
    cp = word_start ? to_upper(cp) : to_lower(cp);
    word_start = false;
  }
  return encode(cps);
}

std::vector<std::string> splitlines(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\n' || s[i] == '\r') {
      out.emplace_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = ++i;
    } else {
      ++i;
    }
  }
  if (start < s.size()) out.emplace_back(s.substr(start));
  return out;
}

}  // namespace tq::jinja::text
