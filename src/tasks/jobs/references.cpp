#include "tasks/jobs/references.h"

#include <algorithm>
#include <cctype>

#include "tasks/jobs/scan.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

bool has_digit(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

void add_unique(std::vector<std::string>& v, std::string s) {
  while (!s.empty() && (s.back() == '-' || s.back() == '.')) s.pop_back();
  if (s.size() < 3 || !has_digit(s)) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

bool order_prefixed(const std::string& code) {
  std::string up;
  for (const char c : code) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* p : {"CMD", "CDE", "ORD", "ORDER", "COM"})
    if (up.rfind(p, 0) == 0 && up.size() > std::string(p).size() &&
        (up[std::string(p).size()] == '-' ||
         std::isdigit(static_cast<unsigned char>(up[std::string(p).size()])) != 0))
      return true;
  return false;
}

// The patterns below are written out as code (tasks/jobs/scan.h), each matching what its
// regular expression, given in the comment, matched on folded text.
using scan::is_digit;
using scan::is_lower_alnum;
using scan::lit;
using scan::Next;
using scan::run;
using scan::spaces;

// The code after a keyword: [a-z0-9][a-z0-9_/-]{2,40}
bool code_at(std::string_view t, size_t p, scan::Span& code, size_t& end) {
  return scan::one(t, p, is_lower_alnum, [&](size_t q) {
    return run(
        t, q, 2, 40, [](char c) { return is_lower_alnum(c) || c == '_' || c == '/' || c == '-'; },
        [&](size_t e) {
          code = {p, e};
          end = e;
          return true;
        });
  });
}

// "n°", "no.", "n o": n\s*(?:°|o\.?)
bool numero_sign(std::string_view t, size_t p, Next next) {
  return lit(t, p, "n", [&](size_t q) {
    return spaces(t, q, [&](size_t r) {
      return lit(t, r, "\xC2\xB0", next) ||
             lit(t, r, "o", [&](size_t u) { return lit(t, u, ".", next) || next(u); });
    });
  });
}

// `word` then an optional "." (as in no\.?).
bool word_dot(std::string_view t, size_t p, std::string_view word, Next next) {
  return lit(t, p, word, [&](size_t q) { return lit(t, q, ".", next) || next(q); });
}

// \b(?:commande|cde|order|cmd|ord)\s*(?:n\s*(?:°|o\.?)|no\.?|numero|number|nr\.?|num\.?|#)?
//   \s*:?\s*#?\s*([a-z0-9][a-z0-9_/-]{2,40})
bool order_word_at(std::string_view t, size_t s, scan::Span& code, size_t& end) {
  if (!scan::boundary(t, s)) return false;
  const auto tail = [&](size_t p) {  // \s*:?\s*#?\s*CODE
    return spaces(t, p, [&](size_t q) {
      const auto after_colon = [&](size_t r) {
        return spaces(t, r, [&](size_t u) {
          const auto after_hash = [&](size_t v) {
            return spaces(t, v, [&](size_t w) { return code_at(t, w, code, end); });
          };
          return lit(t, u, "#", after_hash) || after_hash(u);
        });
      };
      return lit(t, q, ":", after_colon) || after_colon(q);
    });
  };
  const auto after_keyword = [&](size_t p) {
    return spaces(t, p, [&](size_t q) {
      return numero_sign(t, q, tail) || word_dot(t, q, "no", tail) || lit(t, q, "numero", tail) ||
             lit(t, q, "number", tail) || word_dot(t, q, "nr", tail) ||
             word_dot(t, q, "num", tail) || lit(t, q, "#", tail) || tail(q);
    });
  };
  for (const char* k : {"commande", "cde", "order", "cmd", "ord"})
    if (lit(t, s, k, after_keyword)) return true;
  return false;
}

// #\s*([a-z0-9][a-z0-9-]{3,40})
bool hash_at(std::string_view t, size_t s, scan::Span& code, size_t& end) {
  return lit(t, s, "#", [&](size_t p) {
    return spaces(t, p, [&](size_t q) {
      return scan::one(t, q, is_lower_alnum, [&](size_t r) {
        return run(
            t, r, 3, 40, [](char c) { return is_lower_alnum(c) || c == '-'; },
            [&](size_t e) {
              code = {q, e};
              end = e;
              return true;
            });
      });
    });
  });
}

// \b(?:sku|ref|reference|article|produit|product|item)\s*(?:n\s*(?:°|o\.?)|no\.?|#)?
//   \s*[.:]?\s*([a-z0-9][a-z0-9_/-]{2,40})
bool product_word_at(std::string_view t, size_t s, scan::Span& code, size_t& end) {
  if (!scan::boundary(t, s)) return false;
  const auto tail = [&](size_t p) {  // \s*[.:]?\s*CODE
    return spaces(t, p, [&](size_t q) {
      const auto after_sign = [&](size_t r) {
        return spaces(t, r, [&](size_t u) { return code_at(t, u, code, end); });
      };
      return scan::one(
                 t, q, [](char c) { return c == '.' || c == ':'; }, after_sign) ||
             after_sign(q);
    });
  };
  const auto after_keyword = [&](size_t p) {
    return spaces(t, p, [&](size_t q) {
      return numero_sign(t, q, tail) || word_dot(t, q, "no", tail) || lit(t, q, "#", tail) ||
             tail(q);
    });
  };
  for (const char* k : {"sku", "ref", "reference", "article", "produit", "product", "item"})
    if (lit(t, s, k, after_keyword)) return true;
  return false;
}

// (?:^|[^a-z0-9-])([a-z]{2,6}(?:-[a-z0-9]{1,20}){0,4}-[0-9][a-z0-9]{0,20}(?:-[a-z0-9]{1,20}){0,4})
bool code_word_at(std::string_view t, size_t s, scan::Span& code, size_t& end) {
  const auto segment = [&](size_t p, Next k) {  // -[a-z0-9]{1,20}
    return lit(t, p, "-", [&](size_t q) { return run(t, q, 1, 20, is_lower_alnum, k); });
  };
  const auto from = [&](size_t p) {
    return run(t, p, 2, 6, scan::is_lower, [&](size_t a) {
      return scan::times(a, 0, 4, segment, [&](size_t b) {
        return lit(t, b, "-", [&](size_t c) {
          return scan::one(t, c, is_digit, [&](size_t d) {
            return run(t, d, 0, 20, is_lower_alnum, [&](size_t e) {
              return scan::times(e, 0, 4, segment, [&](size_t f) {
                code = {p, f};
                end = f;
                return true;
              });
            });
          });
        });
      });
    });
  };
  if (s == 0 && from(0)) return true;
  return s < t.size() && !is_lower_alnum(t[s]) && t[s] != '-' && from(s + 1);
}

}  // namespace

References extract_references(const std::string& raw) {
  References r;
  // Matching on folded text keeps "n°", "réf." and "numéro" simple; codes are ASCII, so their
  // positions map back to the original through the same folding (upper case restored below).
  const std::string text = compact_for_scan(fold(raw));
  auto upper = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  // Every match of one pattern, its code upper-cased.
  using Pattern = bool (*)(std::string_view, size_t, scan::Span&, size_t&);
  auto codes = [&](Pattern at, const auto& take) {
    scan::Span code;
    scan::search_all(
        text, [&](size_t s, size_t& end) { return at(text, s, code, end); },
        [&](scan::Span) { take(upper(text.substr(code.begin, code.end - code.begin))); });
  };
  codes(order_word_at, [&](std::string c) { add_unique(r.orders, std::move(c)); });
  codes(hash_at, [&](std::string c) { add_unique(r.orders, std::move(c)); });
  codes(product_word_at, [&](std::string code) {
    if (std::find(r.orders.begin(), r.orders.end(), code) == r.orders.end())
      add_unique(r.products, std::move(code));
  });
  codes(code_word_at, [&](std::string code) {
    if (std::find(r.orders.begin(), r.orders.end(), code) != r.orders.end()) return;
    if (order_prefixed(code))
      add_unique(r.orders, std::move(code));
    else
      add_unique(r.products, std::move(code));
  });
  return r;
}

}  // namespace tq::tasks
