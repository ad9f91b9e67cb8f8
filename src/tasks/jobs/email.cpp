#include "tasks/jobs/email.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "tasks/jobs/date_patterns.h"
#include "tasks/jobs/schema_check.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
  return s.substr(b, e - b);
}

// Month number from a folded name or abbreviation (French and English), 0 if none.
int month_of(const std::string& folded) {
  static const std::array<std::array<const char*, 4>, 12> kNames = {{
      {"janvier", "january", "janv", "jan"},
      {"fevrier", "february", "fevr", "feb"},
      {"mars", "march", "mar", ""},
      {"avril", "april", "avr", "apr"},
      {"mai", "may", "", ""},
      {"juin", "june", "jun", ""},
      {"juillet", "july", "juil", "jul"},
      {"aout", "august", "aug", ""},
      {"septembre", "september", "sept", "sep"},
      {"octobre", "october", "oct", ""},
      {"novembre", "november", "nov", ""},
      {"decembre", "december", "dec", ""},
  }};
  for (size_t m = 0; m < kNames.size(); ++m)
    for (const char* n : kNames[m])
      if (*n != '\0' && folded == n) return static_cast<int>(m) + 1;
  return 0;
}

int weekday_of(const std::string& folded) {
  static const std::array<std::array<const char*, 2>, 7> kDays = {{{"lundi", "monday"},
                                                                   {"mardi", "tuesday"},
                                                                   {"mercredi", "wednesday"},
                                                                   {"jeudi", "thursday"},
                                                                   {"vendredi", "friday"},
                                                                   {"samedi", "saturday"},
                                                                   {"dimanche", "sunday"}}};
  for (size_t d = 0; d < kDays.size(); ++d)
    for (const char* n : kDays[d])
      if (folded == n) return static_cast<int>(d);
  return -1;
}

bool valid(const CivilDate& d) {
  return is_iso_date(d.iso());
}

// A year-less date: the year that puts it closest to the e-mail's date, so that "le 2
// novembre" in a mail of 9 November is a week ago, and "le 3 janvier" in one of 24
// November is next January.
CivilDate with_year(int month, int day, const CivilDate& ref) {
  CivilDate best{ref.year, month, day};
  int64_t best_gap = -1;
  for (const int year : {ref.year - 1, ref.year, ref.year + 1}) {
    const CivilDate d{year, month, day};
    if (!valid(d)) continue;
    const int64_t gap = std::abs(days_from_civil(d) - days_from_civil(ref));
    if (best_gap < 0 || gap < best_gap) {
      best = d;
      best_gap = gap;
    }
  }
  return best;
}

std::string decode_quoted_printable(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    if (i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {  // soft line break
      i += (s[i + 1] == '\r' && i + 2 < s.size() && s[i + 2] == '\n') ? 2 : 1;
      continue;
    }
    if (i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
      continue;
    }
    out += '=';
  }
  return out;
}

std::string decode_base64(const std::string& s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : s) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    if (v < 0) continue;  // padding, line breaks
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// ISO-8859-1 bytes → UTF-8 (each byte is the code point).
std::string latin1_to_utf8(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// RFC 2047 encoded words in a header ("=?UTF-8?Q?re=C3=A7ue?=", "=?iso-8859-1?B?...?="):
// Q and B encodings, UTF-8 and Latin-1 charsets (others are kept as sent); the white space
// between two encoded words is dropped, as the RFC says.
std::string decode_encoded_words(const std::string& h) {
  std::string out;
  size_t pos = 0;
  bool last_was_word = false;
  while (pos < h.size()) {
    const size_t start = h.find("=?", pos);
    if (start == std::string::npos) break;
    const size_t q1 = h.find('?', start + 2);
    const size_t q2 = q1 == std::string::npos ? q1 : h.find('?', q1 + 1);
    const size_t end = q2 == std::string::npos ? q2 : h.find("?=", q2 + 1);
    if (end == std::string::npos || q2 != q1 + 2) {
      out += h.substr(pos, start + 2 - pos);
      pos = start + 2;
      last_was_word = false;
      continue;
    }
    const std::string between = h.substr(pos, start - pos);
    if (!(last_was_word && between.find_first_not_of(" \t") == std::string::npos)) out += between;
    const std::string charset = lower(h.substr(start + 2, q1 - start - 2));
    const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(h[q1 + 1])));
    std::string text = h.substr(q2 + 1, end - q2 - 1);
    if (enc == 'Q') {
      for (auto& c : text)
        if (c == '_') c = ' ';
      text = decode_quoted_printable(text);
    } else if (enc == 'B') {
      text = decode_base64(text);
    } else {
      text = h.substr(start, end + 2 - start);
    }
    if (charset == "iso-8859-1" || charset == "latin1" || charset == "iso-8859-15" ||
        charset == "windows-1252")
      text = latin1_to_utf8(text);
    out += text;
    pos = end + 2;
    last_was_word = true;
  }
  out += h.substr(pos);
  return out;
}

std::string strip_html(const std::string& s) {
  std::string out;
  bool in_tag = false;
  for (const char c : s) {
    if (c == '<')
      in_tag = true;
    else if (c == '>' && in_tag) {
      in_tag = false;
      out += ' ';
    } else if (!in_tag)
      out += c;
  }
  return out;
}

struct Headers {
  std::vector<std::pair<std::string, std::string>> fields;  // lower-case name, value
  std::string get(const std::string& name) const {
    for (const auto& [n, v] : fields)
      if (n == name) return v;
    return "";
  }
};

// Splits "headers\n\nbody"; false when the text does not start with a header block.
bool split_headers(const std::string& raw, Headers& h, std::string& body) {
  size_t pos = 0;
  std::string current;
  bool any = false;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::string line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = eol + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !h.fields.empty()) {
      h.fields.back().second += " " + trim(line);  // folded continuation
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.find_first_of(" \t") < colon) {
      if (!any) return false;  // the first line is not a header: plain text
      continue;
    }
    h.fields.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
    any = true;
  }
  body = pos < raw.size() ? raw.substr(pos) : "";
  return any;
}

std::string param(const std::string& header, const std::string& name) {
  const std::string l = lower(header);
  const size_t p = l.find(name + "=");
  if (p == std::string::npos) return "";
  std::string v = header.substr(p + name.size() + 1);
  if (!v.empty() && v[0] == '"') {
    const size_t q = v.find('"', 1);
    return v.substr(1, q == std::string::npos ? std::string::npos : q - 1);
  }
  const size_t end = v.find_first_of("; \t");
  return v.substr(0, end);
}

std::string decode_body(const Headers& h, const std::string& body) {
  const std::string enc = lower(h.get("content-transfer-encoding"));
  std::string text = body;
  if (enc == "quoted-printable")
    text = decode_quoted_printable(body);
  else if (enc == "base64")
    text = decode_base64(body);
  if (lower(h.get("content-type")).find("text/html") != std::string::npos) text = strip_html(text);
  return text;
}

// The first text/plain part of a multipart body (depth-limited), else the first text part.
std::string text_of(const Headers& h, const std::string& body, int depth) {
  const std::string ctype = h.get("content-type");
  if (depth > 4 || lower(ctype).find("multipart/") == std::string::npos)
    return decode_body(h, body);
  const std::string boundary = param(ctype, "boundary");
  if (boundary.empty()) return body;
  const std::string delim = "--" + boundary;
  std::string fallback;
  size_t pos = body.find(delim);
  while (pos != std::string::npos) {
    size_t start = body.find('\n', pos);
    if (start == std::string::npos) break;
    ++start;
    const size_t next = body.find(delim, start);
    const std::string part =
        body.substr(start, next == std::string::npos ? std::string::npos : next - start);
    Headers ph;
    std::string pbody;
    if (split_headers(part, ph, pbody)) {
      const std::string pt = lower(ph.get("content-type"));
      if (pt.find("multipart/") != std::string::npos) {
        std::string inner = text_of(ph, pbody, depth + 1);
        if (!inner.empty()) return inner;
      } else if (pt.empty() || pt.find("text/plain") != std::string::npos) {
        return decode_body(ph, pbody);
      } else if (fallback.empty() && pt.find("text/") != std::string::npos) {
        fallback = decode_body(ph, pbody);
      }
    }
    pos = next;
  }
  return fallback;
}

// The first "24 Nov 2026" of a Date header (RFC 5322: "Tue, 24 Nov 2026 10:15:00 +0100");
// the month is 0 when its letters name none.
std::optional<CivilDate> header_date(std::string_view t) {
  DateMatch m;
  size_t end = 0;
  for (size_t s = 0; s < t.size(); ++s) {
    if (!header_date_at(t, s, m, end)) continue;
    auto part = [&](scan::Span p) { return std::string(t.substr(p.begin, p.end - p.begin)); };
    return CivilDate{std::stoi(part(*m.year)), month_of(lower(part(m.b))), std::stoi(part(m.a))};
  }
  return std::nullopt;
}

}  // namespace

std::string CivilDate::iso() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

// Howard Hinnant's civil calendar algorithms.
int64_t days_from_civil(const CivilDate& d) {
  const int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

int weekday(const CivilDate& d) {
  const int64_t z = days_from_civil(d);  // 1970-01-01 was a Thursday (3)
  return static_cast<int>(((z % 7) + 7 + 3) % 7);
}

std::optional<CivilDate> parse_iso_date(const std::string& s) {
  if (!is_iso_date(s)) return std::nullopt;
  return CivilDate{std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))};
}

ParsedEmail parse_email(const std::string& raw) {
  ParsedEmail e;
  Headers h;
  std::string body;
  if (!split_headers(raw, h, body)) {
    e.body = raw;
    return e;
  }
  e.subject = decode_encoded_words(h.get("subject"));
  e.from = decode_encoded_words(h.get("from"));
  e.to = decode_encoded_words(h.get("to"));
  e.date_header = h.get("date");
  // RFC 5322: "Tue, 24 Nov 2026 10:15:00 +0100" — the day, month and year are what we need.
  const std::string date_header = compact_for_scan(e.date_header, 200);
  if (const auto d = header_date(date_header); d && d->month > 0 && valid(*d)) e.date = d;
  e.body = text_of(h, body, 0);
  return e;
}

std::vector<CivilDate> find_dates(const std::string& text, const std::optional<CivilDate>& ref) {
  std::set<int64_t> days;
  auto add = [&](const CivilDate& d) {
    if (valid(d)) days.insert(days_from_civil(d));
  };
  const std::string f = compact_for_scan(fold(text));
  std::string_view t = f;
  auto number = [&](scan::Span s) { return std::stoi(f.substr(s.begin, s.end - s.begin)); };
  DateMatch m;
  // 2026-12-03
  scan::search_all(
      t, [&](size_t s, size_t& end) { return iso_date_at(t, s, m, end); },
      [&](scan::Span) {
        add({number(*m.year), number(m.a), number(m.b)});
      });
  // 03/12/2026, 3.12.26, 03/12 (day first, as in France; 12/25 can only be month first)
  scan::search_all(
      t, [&](size_t s, size_t& end) { return numeric_date_at(t, s, m, end); },
      [&](scan::Span) {
        int a = number(m.a);
        int b = number(m.b);
        if (b > 12 && a <= 12) std::swap(a, b);
        if (m.year) {
          int y = number(*m.year);
          if (y < 100) y += 2000;
          add({y, b, a});
        } else if (ref) {
          add(with_year(b, a, *ref));
        }
      });
  // "3 décembre 2026", "le 1er mars", "December 3rd, 2026", "Dec 3"
  auto named = [&](bool day_first) {
    scan::search_all(
        t,
        [&](size_t s, size_t& end) {
          return day_first ? day_month_at(t, s, m, end) : month_day_at(t, s, m, end);
        },
        [&](scan::Span) {
          const int month = month_of(f.substr(m.b.begin, m.b.end - m.b.begin));
          if (month == 0) return;
          const int day = number(m.a);
          if (m.year)
            add({number(*m.year), month, day});
          else if (ref)
            add(with_year(month, day, *ref));
        });
  };
  named(true);
  named(false);
  if (ref) {
    const int64_t r = days_from_civil(*ref);
    const auto w = words(f);
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == "demain" && !(i > 0 && w[i - 1] == "apres")) days.insert(r + 1);
      if (w[i] == "tomorrow" && !(i > 2 && w[i - 1] == "after" && w[i - 2] == "day"))
        days.insert(r + 1);
      if (w[i] == "apres" && i + 1 < w.size() && w[i + 1] == "demain") days.insert(r + 2);
      if (w[i] == "day" && i + 2 < w.size() && w[i + 1] == "after" && w[i + 2] == "tomorrow")
        days.insert(r + 2);
      const int wd = weekday_of(w[i]);
      if (wd < 0) continue;
      // "lundi", "lundi prochain", "next Monday": the first such day after the e-mail.
      // "lundi 7 décembre" is already dated by the patterns above.
      if (i + 1 < w.size() && std::isdigit(static_cast<unsigned char>(w[i + 1][0])) != 0) continue;
      int64_t delta = (wd - weekday(*ref) + 7) % 7;
      if (delta == 0) delta = 7;
      days.insert(r + delta);
    }
  }
  std::vector<CivilDate> out;
  out.reserve(days.size());
  for (const int64_t d : days) out.push_back(civil_from_days(d));
  return out;
}

}  // namespace tq::tasks
