#include "tasks/jobs/fidelity.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "tasks/jobs/scan.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

// French thousands separators are often no-break or narrow no-break spaces.
std::string normalise_spaces(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 2, "\xC2\xA0") == 0) {
      out += ' ';
      i += 2;
    } else if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0) {
      out += ' ';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// French: "1 299,50" / "1.299,50"; English: "1,299.50"; plain "29,9" or "29.9" — as the
// expression
//   \d{1,3}(?: \d{3}){1,5}(?:,\d{1,6})? | \d{1,3}(?:\.\d{3}){1,5},\d{1,6}
//   | \d{1,3}(?:,\d{3}){1,5}\.\d{1,6} | \d{1,15}(?:[.,]\d{1,15})?
// would match it (tasks/jobs/scan.h).
bool number_at(std::string_view t, size_t p, scan::Next next) {
  using scan::is_digit;
  using scan::run;
  // One thousands group: the separator, then three digits.
  auto group = [&](char sep) {
    return [&t, sep](size_t q, scan::Next k) {
      return q < t.size() && t[q] == sep && run(t, q + 1, 3, 3, is_digit, k);
    };
  };
  auto decimals = [&](char sep, size_t max, scan::Next k) {
    return [&t, sep, max, k](size_t q) {
      return q < t.size() && t[q] == sep && run(t, q + 1, 1, max, is_digit, k);
    };
  };
  const auto space_group = group(' ');
  const auto dot_group = group('.');
  const auto comma_group = group(',');
  // 1 299 / 1 299,50
  const auto fr_decimals = decimals(',', 6, next);
  if (run(t, p, 1, 3, is_digit, [&](size_t a) {
        return scan::times(a, 1, 5, space_group,
                           [&](size_t b) { return fr_decimals(b) || next(b); });
      }))
    return true;
  // 1.299,50
  if (run(t, p, 1, 3, is_digit,
          [&](size_t a) { return scan::times(a, 1, 5, dot_group, fr_decimals); }))
    return true;
  // 1,299.50
  const auto en_decimals = decimals('.', 6, next);
  if (run(t, p, 1, 3, is_digit,
          [&](size_t a) { return scan::times(a, 1, 5, comma_group, en_decimals); }))
    return true;
  // 29 / 29,9 / 29.9
  return run(t, p, 1, 15, is_digit, [&](size_t a) {
    const bool sep = a < t.size() && (t[a] == '.' || t[a] == ',');
    return (sep && run(t, a + 1, 1, 15, is_digit, next)) || next(a);
  });
}

// The units, in the order the expression tried them:
// mm|cm|km|m|kg|mg|g|ml|cl|dl|l|%|€|euros?|eur (any case).
bool unit_at(std::string_view t, size_t p, scan::Next next) {
  for (const char* u : {"mm", "cm", "km", "m", "kg", "mg", "g", "ml", "cl", "dl", "l", "%",
                        "\xE2\x82\xAC", "euros", "euro", "eur"})
    if (scan::lit(t, p, u, next, true)) return true;
  return false;
}

// A unit ends where a word would: "5 g de", not "5 grands"; "l'" is an article, not litres.
bool unit_ends(std::string_view t, size_t p) {
  if (p < t.size() && (scan::is_alpha(t[p]) || t[p] == '\'')) return false;
  return t.substr(p, 3) != "\xE2\x80\x99";
}

// One stated quantity: a number, up to three more after "x", "*" or "×" (dimensions), a
// unit, and for prices the cents written after the sign ("29€90": digits follow only so).
struct QuantityMatch {
  scan::Span first, chain, unit;
  std::optional<scan::Span> cents;
};

bool quantity_at(std::string_view t, size_t s, QuantityMatch& m, size_t& end) {
  using scan::spaces;
  const auto times_sign = [&](size_t q, scan::Next k) {
    return spaces(t, q, [&](size_t r) {
      const auto then_number = [&](size_t u) {
        return spaces(t, u, [&](size_t v) { return number_at(t, v, k); });
      };
      return scan::lit(t, r, "x", then_number, true) || scan::lit(t, r, "*", then_number) ||
             scan::lit(t, r, "\xC3\x97", then_number);
    });
  };
  return number_at(t, s, [&](size_t a) {
    m.first = {s, a};
    return scan::times(a, 0, 3, times_sign, [&](size_t b) {
      m.chain = {a, b};
      return spaces(t, b, [&](size_t c) {
        return unit_at(t, c, [&](size_t d) {
          if (!unit_ends(t, d)) return false;
          m.unit = {c, d};
          const bool cents = d + 1 < t.size() && scan::is_digit(t[d]) && scan::is_digit(t[d + 1]) &&
                             !(d + 2 < t.size() && scan::is_digit(t[d + 2]));
          m.cents = cents ? std::optional(scan::Span{d, d + 2}) : std::nullopt;
          end = cents ? d + 2 : d;
          return true;
        });
      });
    });
  });
}

// A price with the sign first: "€ 29,90", "EUR 1 299".
bool prefix_price_at(std::string_view t, size_t s, scan::Span& number, size_t& end) {
  const auto then_number = [&](size_t q) {
    return scan::spaces(t, q, [&](size_t v) {
      return number_at(t, v, [&](size_t e) {
        number = {v, e};
        end = e;
        return true;
      });
    });
  };
  return scan::lit(t, s, "\xE2\x82\xAC", then_number) || scan::lit(t, s, "eur", then_number, true);
}

// The first number in `t` (a quantity's text), or nullopt.
std::optional<std::string> first_number(std::string_view t) {
  for (size_t s = 0; s < t.size(); ++s) {
    size_t end = 0;
    if (number_at(t, s, [&](size_t e) {
          end = e;
          return true;
        }))
      return std::string(t.substr(s, end - s));
  }
  return std::nullopt;
}

std::string str(std::string_view t, scan::Span s) {
  return std::string(t.substr(s.begin, s.end - s.begin));
}

struct UnitInfo {
  Dimension dim;
  double factor;
};

bool unit_info(const std::string& unit, UnitInfo& out) {
  static const std::map<std::string, UnitInfo, std::less<>> kUnits = {
      {"mm", {Dimension::Length, 1}},   {"cm", {Dimension::Length, 10}},
      {"m", {Dimension::Length, 1000}}, {"km", {Dimension::Length, 1e6}},
      {"mg", {Dimension::Mass, 0.001}}, {"g", {Dimension::Mass, 1}},
      {"kg", {Dimension::Mass, 1000}},  {"ml", {Dimension::Volume, 1}},
      {"cl", {Dimension::Volume, 10}},  {"dl", {Dimension::Volume, 100}},
      {"l", {Dimension::Volume, 1000}}, {"%", {Dimension::Percent, 1}},
      {"€", {Dimension::Price, 1}},     {"eur", {Dimension::Price, 1}},
      {"euro", {Dimension::Price, 1}},  {"euros", {Dimension::Price, 1}},
  };
  const auto it = kUnits.find(fold(unit));
  if (it == kUnits.end()) return false;
  out = it->second;
  return true;
}

const char* dimension_name(Dimension d) {
  switch (d) {
    case Dimension::Length:
      return "length";
    case Dimension::Mass:
      return "weight";
    case Dimension::Volume:
      return "volume";
    case Dimension::Percent:
      return "percentage";
    case Dimension::Price:
      return "price";
  }
  return "value";
}

bool starts_inside_word(const std::string& s, size_t pos) {
  if (pos == 0) return false;
  const auto c = static_cast<unsigned char>(s[pos - 1]);
  return std::isalnum(c) != 0 || c == '.' || c == ',';
}

bool same_value(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b));
}

// ---- sizes, materials, colours -------------------------------------------------------

const std::set<std::string, std::less<>>& size_tokens() {
  static const std::set<std::string, std::less<>> s = {"XXS", "XS",   "S",   "M",   "L",  "XL",
                                                       "XXL", "XXXL", "2XL", "3XL", "4XL"};
  return s;
}

// Sizes written as whole upper-case tokens ("S, M et L"); "L'étui" and "M. Dupont" are not.
std::vector<std::string> sizes_in(const std::string& text, bool any_case) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isalnum(c) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])) != 0) ++j;
    const bool glued = j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80;
    const bool apostrophe =
        j < text.size() && (text[j] == '\'' || text.compare(j, 3, "\xE2\x80\x99") == 0);
    const bool abbreviation = j < text.size() && text[j] == '.';
    const bool after_letter = i > 0 && static_cast<unsigned char>(text[i - 1]) >= 0x80;
    std::string tok = text.substr(i, j - i);
    if (any_case) std::transform(tok.begin(), tok.end(), tok.begin(), ::toupper);
    if (!glued && !apostrophe && !abbreviation && !after_letter && size_tokens().count(tok) > 0)
      out.push_back(tok);
    i = j;
  }
  return out;
}

struct Term {
  const char* id;
  std::vector<const char*> forms;  // folded words
};

const std::vector<Term>& materials() {
  static const std::vector<Term> v = {
      {"cotton", {"coton", "cotton"}},
      {"linen", {"lin", "linen"}},
      {"wool", {"laine", "wool", "woollen", "woolen"}},
      {"merino", {"merinos", "merino"}},
      {"silk", {"soie", "silk"}},
      {"leather", {"cuir", "leather"}},
      {"polyester", {"polyester"}},
      {"nylon", {"nylon", "polyamide"}},
      {"elastane", {"elasthanne", "elastane", "spandex", "lycra"}},
      {"viscose", {"viscose"}},
      {"cashmere", {"cachemire", "cashmere"}},
      {"hemp", {"chanvre", "hemp"}},
      {"bamboo", {"bambou", "bamboo"}},
      {"oak", {"chene", "oak"}},
      {"beech", {"hetre", "beech"}},
      {"walnut", {"noyer", "walnut"}},
      {"pine", {"pin", "pine"}},
      {"wood", {"bois", "wood", "wooden"}},
      {"steel", {"acier", "steel", "inox", "inoxydable", "stainless"}},
      {"aluminium", {"aluminium", "aluminum"}},
      {"glass", {"verre", "glass"}},
      {"ceramic", {"ceramique", "ceramic"}},
      {"porcelain", {"porcelaine", "porcelain"}},
      {"stoneware", {"gres", "stoneware"}},
      {"plastic", {"plastique", "plastic"}},
      {"rubber", {"caoutchouc", "rubber"}},
      {"cork", {"liege", "cork"}},
      {"rattan", {"rotin", "rattan"}},
      {"wicker", {"osier", "wicker"}},
      {"marble", {"marbre", "marble"}},
      {"brass", {"laiton", "brass"}},
      {"copper", {"cuivre", "copper"}},
      {"concrete", {"beton", "concrete"}},
      {"velvet", {"velours", "velvet"}},
      {"jute", {"jute"}},
  };
  return v;
}

const std::vector<Term>& colours() {
  static const std::vector<Term> v = {
      {"black", {"noir", "noire", "noirs", "noires", "black"}},
      {"white", {"blanc", "blanche", "blancs", "blanches", "white"}},
      {"red", {"rouge", "rouges", "red"}},
      {"blue", {"bleu", "bleue", "bleus", "bleues", "blue"}},
      {"green", {"vert", "verte", "verts", "vertes", "green"}},
      {"yellow", {"jaune", "jaunes", "yellow"}},
      {"grey", {"gris", "grise", "grises", "grey", "gray"}},
      {"pink", {"rose", "roses", "pink"}},
      {"purple", {"violet", "violette", "violets", "violettes", "purple"}},
      {"orange", {"orange", "oranges"}},
      {"brown", {"marron", "brun", "brune", "bruns", "brunes", "brown"}},
      {"beige", {"beige", "beiges"}},
      {"ecru", {"ecru", "ecrue", "ecrus", "ecrues"}},
      {"golden", {"dore", "doree", "dores", "dorees", "golden"}},
      {"silver", {"argent", "argente", "argentee", "argentes", "argentees", "silver"}},
      {"khaki", {"kaki", "khaki"}},
      {"turquoise", {"turquoise", "turquoises"}},
      {"anthracite", {"anthracite"}},
  };
  return v;
}

// Words that deny what follows ("sans plastique", "plastic-free").
bool negated(const std::vector<std::string>& w, size_t i) {
  static const std::set<std::string, std::less<>> before = {"sans",   "without", "no", "aucun",
                                                            "aucune", "zero",    "non"};
  if (i > 0 && before.count(w[i - 1]) > 0) return true;
  if (i > 1 && w[i - 1] == "de" && (w[i - 2] == "pas" || w[i - 2] == "zero")) return true;
  return i + 1 < w.size() && w[i + 1] == "free";
}

// Term ids mentioned in folded words (negated mentions left out).
std::set<std::string> terms_in(const std::vector<std::string>& w, const std::vector<Term>& terms,
                               bool skip_negated) {
  std::set<std::string> out;
  for (size_t i = 0; i < w.size(); ++i) {
    if (skip_negated && negated(w, i)) continue;
    for (const auto& t : terms)
      for (const char* f : t.forms)
        if (w[i] == f) out.insert(t.id);
  }
  return out;
}

// ---- what the record states ----------------------------------------------------------

struct RecordFacts {
  std::vector<Quantity> quantities;
  std::vector<double> bare_numbers;  // numeric fields whose unit the key does not say
  std::set<std::string> sizes;
  std::string all_text;  // every value, for materials and colours
};

// The unit a numeric field's key names: "price", "prix_ttc", "width_cm", "poids_kg".
bool unit_from_key(const std::string& key, UnitInfo& out) {
  const auto parts = words(fold(key));
  static const std::set<std::string, std::less<>> price_words = {"price", "prix", "tarif",
                                                                 "cost",  "eur",  "euros"};
  for (const auto& p : parts) {
    if (price_words.count(p) > 0) {
      out = {Dimension::Price, 1};
      return true;
    }
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    if (unit_info(*it, out)) return true;
  for (const auto& p : parts) {
    // "weight_kg" splits on '_' already; "widthcm" style keys are rare enough to skip.
    if (p == "percent" || p == "pourcentage" || p == "pct") {
      out = {Dimension::Percent, 1};
      return true;
    }
  }
  return false;
}

void collect(const json& v, const std::string& key, RecordFacts& facts) {
  if (v.is_object()) {
    for (const auto& [k, sub] : v.items()) collect(sub, k, facts);
  } else if (v.is_array()) {
    for (const auto& sub : v) collect(sub, key, facts);
  } else if (v.is_number()) {
    const double d = v.get<double>();
    UnitInfo u{};
    if (unit_from_key(key, u))
      facts.quantities.push_back({d * u.factor, u.dim, v.dump()});
    else
      facts.bare_numbers.push_back(d);
  } else if (v.is_string()) {
    const auto s = v.get<std::string>();
    for (auto& q : extract_quantities(s)) facts.quantities.push_back(std::move(q));
    UnitInfo u{};
    double d = 0;
    // "29,90" in a field named "prix" is a price even without the € sign.
    if (parse_number(s, d)) {
      if (unit_from_key(key, u))
        facts.quantities.push_back({d * u.factor, u.dim, s});
      else
        facts.bare_numbers.push_back(d);
    }
    const auto k = words(fold(key));
    const bool size_field = std::any_of(k.begin(), k.end(), [](const std::string& w) {
      return w == "size" || w == "sizes" || w == "taille" || w == "tailles";
    });
    for (const auto& sz : sizes_in(s, size_field)) facts.sizes.insert(sz);
    facts.all_text += ' ';
    facts.all_text += s;
  } else if (v.is_boolean()) {
    facts.all_text += ' ';
    facts.all_text += key;
  }
}

std::string list_of(const std::vector<Quantity>& qs, Dimension d) {
  std::string out;
  for (const auto& q : qs) {
    if (q.dim != d) continue;
    if (!out.empty()) out += ", ";
    out += q.text;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

bool parse_number(const std::string& raw, double& out) {
  if (raw.size() > 40) return false;  // no price or size is written longer
  std::string s = normalise_spaces(raw);
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty() || !number_at(s, 0, [&s](size_t end) { return end == s.size(); })) return false;
  const size_t comma = s.find(',');
  const size_t dot = s.find('.');
  std::string t;
  if (comma != std::string::npos && dot != std::string::npos) {
    // The later separator is the decimal one.
    const char decimal = comma > dot ? ',' : '.';
    for (const char c : s)
      if (c == decimal)
        t += '.';
      else if (std::isdigit(static_cast<unsigned char>(c)) != 0)
        t += c;
  } else {
    for (const char c : s)
      if (c == ',')
        t += '.';
      else if (c != ' ')
        t += c;
  }
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end != nullptr && *end == '\0' && !t.empty();
}

std::vector<Quantity> extract_quantities(const std::string& raw) {
  const std::string text = compact_for_scan(normalise_spaces(raw));
  std::vector<Quantity> out;
  std::vector<std::pair<size_t, size_t>> spans;
  QuantityMatch m;
  scan::search_all(
      text, [&](size_t s, size_t& end) { return quantity_at(text, s, m, end); },
      [&](scan::Span whole) {
        if (starts_inside_word(text, whole.begin)) return;
        UnitInfo u{};
        if (!unit_info(str(text, m.unit), u)) return;
        std::vector<std::string> nums = {str(text, m.first)};
        const std::string chain = str(text, m.chain);
        scan::search_all(
            chain,
            [&](size_t s, size_t& end) {
              return number_at(chain, s, [&](size_t e) {
                end = e;
                return true;
              });
            },
            [&](scan::Span n) { nums.push_back(str(chain, n)); });
        const std::string cents = m.cents ? str(text, *m.cents) : "";
        const bool digit_follows = whole.end < text.size() && scan::is_digit(text[whole.end]);
        // "5 cm12", "5 cm3": not quantities.
        if ((!cents.empty() && u.dim != Dimension::Price) || digit_follows) return;
        for (size_t i = 0; i < nums.size(); ++i) {
          double d = 0;
          if (!parse_number(nums[i], d)) continue;
          if (!cents.empty() && i + 1 == nums.size()) d += std::stod(cents) / 100.0;  // 29€90
          out.push_back({d * u.factor, u.dim, str(text, whole)});
        }
        spans.emplace_back(whole.begin, whole.end);
      });
  scan::Span number;
  scan::search_all(
      text, [&](size_t s, size_t& end) { return prefix_price_at(text, s, number, end); },
      [&](scan::Span whole) {
        const bool covered = std::any_of(spans.begin(), spans.end(), [&](const auto& s) {
          return whole.begin < s.second && whole.end > s.first;
        });
        if (covered || starts_inside_word(text, whole.begin)) return;
        double d = 0;
        if (parse_number(str(text, number), d))
          out.push_back({d, Dimension::Price, str(text, whole)});
      });
  return out;
}

FidelityReport check_fidelity(const json& record, const std::string& text) {
  RecordFacts facts;
  collect(record, "", facts);
  FidelityReport r;

  for (const auto& q : extract_quantities(text)) {
    bool found = false;
    for (const auto& rq : facts.quantities)
      found = found || (rq.dim == q.dim && same_value(rq.value, q.value));
    // A numeric field with no unit in its name ("weight": 1.2) vouches for the number as written.
    if (!found) {
      double written = 0;
      const auto n = first_number(q.text);
      if (n && parse_number(*n, written))
        for (const double b : facts.bare_numbers) found = found || same_value(b, written);
    }
    if (found) {
      r.checked.push_back(q.text);
    } else {
      r.problems.push_back("states \"" + q.text + "\" but the record has no such " +
                           dimension_name(q.dim) + " (record: " + list_of(facts.quantities, q.dim) +
                           ")");
    }
  }

  std::set<std::string> seen;
  for (const auto& sz : sizes_in(text, false)) {
    if (!seen.insert(sz).second) continue;
    if (facts.sizes.count(sz) > 0) {
      r.checked.push_back("size " + sz);
    } else {
      std::string have;
      for (const auto& s : facts.sizes) have += (have.empty() ? "" : ", ") + s;
      r.problems.push_back("states size " + sz + " but the record's sizes are " +
                           (have.empty() ? "not given" : have));
    }
  }

  const auto text_words = words(fold(text));
  const auto record_words = words(fold(facts.all_text));
  for (const auto* terms : {&materials(), &colours()}) {
    const auto allowed = terms_in(record_words, *terms, false);
    for (const auto& id : terms_in(text_words, *terms, true)) {
      const char* what = terms == &materials() ? "material" : "colour";
      if (allowed.count(id) > 0)
        r.checked.push_back(std::string(what) + " " + id);
      else
        r.problems.push_back(std::string("mentions the ") + what + " \"" + id +
                             "\" which the record does not state");
    }
  }
  r.ok = r.problems.empty();
  return r;
}

}  // namespace tq::tasks
