// Identifiers with letters or a fixed layout: IBAN (country code + check digits, then the
// BBAN, often in groups of four), French VAT numbers (FR + key + SIREN) and the NIR
// (sex, year, month, department — 2A/2B in Corsica —, commune, order, key).
#include <string>

#include "guard/recogniser.h"
#include "guard/text_util.h"
#include "guard/validators.h"

namespace tq::guard {
namespace {

using namespace text;

// Length of a single separator (space, no-break space, hyphen, dot when allowed) at i.
size_t sep_len(std::string_view t, size_t i, bool dots) {
  if (i >= t.size()) return 0;
  if (t[i] == ' ' || t[i] == '-' || (dots && t[i] == '.')) return 1;
  return unicode_space_len(t, i);
}

// Collects `want` characters accepted by `ok` from i, allowing one separator between
// them; returns the end offset, or 0 if the text ends or changes before.
template <typename Ok>
size_t collect(std::string_view t, size_t i, size_t want, bool dots, std::string& compact, Ok ok) {
  while (compact.size() < want) {
    if (i < t.size() && ok(t[i], compact.size())) {
      compact.push_back(t[i++]);
      continue;
    }
    const size_t s = sep_len(t, i, dots);
    if (s == 0 || compact.empty() || i + s >= t.size() || !ok(t[i + s], compact.size())) return 0;
    i += s;
  }
  return is_word_at(t, i) ? 0 : i;
}

class CodeRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    std::string compact;
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      const char c = t[i];
      if (!is_upper(c) && !is_digit(c)) continue;
      if (word_before(t, i)) continue;
      if (is_upper(c)) {
        if (is_upper(t[i + 1])) {
          scan_iban(t, i, compact, out);
          if (c == 'F' && t[i + 1] == 'R') scan_vat(t, i, compact, out);
        }
      } else if (c == '1' || c == '2') {
        scan_nir(t, i, compact, out);
      }
    }
  }

 private:
  static void scan_iban(std::string_view t, size_t i, std::string& compact,
                        std::vector<Entity>& out) {
    if (i + 3 >= t.size() || !is_digit(t[i + 2]) || !is_digit(t[i + 3])) return;
    const int len = iban_length(t.substr(i, 2));
    if (len == 0) return;
    compact.clear();
    const size_t end = collect(t, i, static_cast<size_t>(len), false, compact,
                               [](char ch, size_t) { return is_digit(ch) || is_upper(ch); });
    if (end != 0 && iban_valid(compact)) emit(out, EntityType::Iban, t, i, end, 0.99);
  }

  static void scan_vat(std::string_view t, size_t i, std::string& compact,
                       std::vector<Entity>& out) {
    compact.assign("FR");
    size_t j = i + 2;
    if (j < t.size() && t[j] == ' ') ++j;
    const size_t end =
        collect(t, j, 13, false, compact, [](char ch, size_t) { return is_digit(ch); });
    if (end != 0 && vat_fr_valid(compact)) emit(out, EntityType::Vat, t, i, end, 0.97);
  }

  static void scan_nir(std::string_view t, size_t i, std::string& compact,
                       std::vector<Entity>& out) {
    compact.clear();
    // Position 6 (0-based) may be A/B after a 2: Corsica's departments 2A and 2B.
    const size_t end = collect(t, i, 15, false, compact, [&compact](char ch, size_t pos) {
      if (is_digit(ch)) return true;
      return pos == 6 && compact.size() == 6 && compact[5] == '2' &&
             (ch == 'A' || ch == 'B' || ch == 'a' || ch == 'b');
    });
    if (end == 0 || !nir_valid(compact)) return;
    if (end < t.size() && sep_len(t, end, true) != 0 && end + 1 < t.size() && is_digit(t[end + 1]))
      return;  // a longer number that happens to start like a NIR
    emit(out, EntityType::Nir, t, i, end, 0.97);
  }
};

bool email_local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}

class EmailRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    size_t at = t.find('@');
    while (at != std::string_view::npos) {
      size_t s = at;
      while (s > 0 && email_local_char(t[s - 1])) --s;
      while (s < at && (t[s] == '.' || t[s] == '\'' || t[s] == '-')) ++s;
      size_t e = at + 1;
      size_t last_dot = 0;
      while (e < t.size() && (is_alnum(t[e]) || t[e] == '-' || t[e] == '.')) {
        if (t[e] == '.') {
          if (t[e - 1] == '.' || t[e - 1] == '@') break;
          last_dot = e;
        }
        ++e;
      }
      while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;
      // The sentence's full stop is not part of the domain: find its last dot again.
      if (last_dot >= e) {
        last_dot = 0;
        for (size_t k = e; k-- > at + 1 && last_dot == 0;)
          if (t[k] == '.') last_dot = k;
      }
      bool ok = s < at && last_dot > at + 1 && last_dot + 2 < e + 0 + 1 && !is_word_at(t, e);
      if (ok) {
        size_t tld = 0;
        for (size_t k = e; k > at && t[k - 1] != '.'; --k) {
          ok = ok && is_alpha(t[k - 1]);
          ++tld;
        }
        ok = ok && tld >= 2 && t[at - 1] != '.' && !word_before(t, s);
      }
      if (ok) emit(out, EntityType::Email, t, s, e, 0.99);
      at = t.find('@', at + 1);
    }
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_code_recogniser() {
  return std::make_unique<CodeRecogniser>();
}
std::unique_ptr<Recogniser> make_email_recogniser() {
  return std::make_unique<EmailRecogniser>();
}

}  // namespace tq::guard
