// Entities that need their surroundings: a date is a date of birth only after words that
// say so ("né le", "date of birth", "DOB"); an address is a house number, a street type
// and a name, optionally followed by a postcode and a city.
#include <array>

#include "guard/recogniser.h"
#include "guard/text_util.h"

namespace tq::guard {
namespace {

using namespace text;

// Lower-case month names (French without and with accents, English, abbreviations).
constexpr std::array<std::string_view, 40> kMonths = {
    "janvier",  "février",  "fevrier",   "mars",    "avril",    "mai",      "juin",     "juillet",
    "août",     "aout",     "septembre", "octobre", "novembre", "décembre", "decembre", "january",
    "february", "march",    "april",     "may",     "june",     "july",     "august",   "september",
    "october",  "november", "december",  "janv.",   "févr.",    "sept.",    "oct.",     "nov.",
    "déc.",     "jan",      "feb",       "mar",     "apr",      "jun",      "jul",      "aug"};

size_t read_int(std::string_view t, size_t i, size_t max_digits, int& v) {
  size_t n = 0;
  v = 0;
  while (i + n < t.size() && is_digit(t[i + n]) && n < max_digits) v = v * 10 + (t[i + n++] - '0');
  if (i + n < t.size() && is_digit(t[i + n])) return 0;
  return n;
}

// A month name at i (case-insensitive, whole word): its length, else 0.
size_t month_at(std::string_view t, size_t i) {
  for (std::string_view m : kMonths)
    if (matches_ci(t, i, m) && (m.back() == '.' || !is_word_at(t, i + m.size()))) return m.size();
  return 0;
}

bool plausible(int day, int month, int year) {
  return day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1900 && year <= 2030;
}

// End of a date starting at i: 12/03/1985, 12.03.85, 1985-03-12, 12 mars 1985,
// 1er avril 1990, March 12, 1985, 12 March 1985. 0 if none.
size_t parse_date(std::string_view t, size_t i) {
  int a = 0;
  int b = 0;
  int c = 0;
  if (is_digit(t[i])) {
    const size_t n1 = read_int(t, i, 4, a);
    if (n1 == 4 && i + 5 < t.size() && t[i + 4] == '-') {  // ISO 8601
      const size_t n2 = read_int(t, i + 5, 2, b);
      if (n2 == 2 && i + 8 < t.size() && t[i + 7] == '-' && read_int(t, i + 8, 2, c) == 2 &&
          plausible(c, b, a))
        return i + 10;
      return 0;
    }
    if (n1 == 0 || n1 > 2) return 0;
    size_t j = i + n1;
    if (j < t.size() && (t[j] == '/' || t[j] == '.' || t[j] == '-')) {
      const char sep = t[j];
      const size_t n2 = read_int(t, j + 1, 2, b);
      if (n2 == 0 || j + 1 + n2 >= t.size() || t[j + 1 + n2] != sep) return 0;
      const size_t k = j + 2 + n2;
      const size_t n3 = read_int(t, k, 4, c);
      if (n3 == 2) c += c > 30 ? 1900 : 2000;
      // Day first (European), or month first when the second number cannot be a month
      // (US "03/22/1958").
      if ((n3 != 2 && n3 != 4) || !(plausible(a, b, c) || plausible(b, a, c))) return 0;
      return k + n3;
    }
    if (t.substr(j, 2) == "er") j += 2;  // "1er avril"
    j = skip_spaces(t, j);
    const size_t m = month_at(t, j);
    if (m == 0) return 0;
    j = skip_spaces(t, j + m);
    const size_t n3 = read_int(t, j, 4, c);
    if (n3 != 4 || !plausible(a, 1, c)) return 0;
    return j + 4;
  }
  const size_t m = month_at(t, i);  // "March 12, 1985"
  if (m == 0) return 0;
  size_t j = skip_spaces(t, i + m);
  const size_t n1 = read_int(t, j, 2, a);
  if (n1 == 0) return 0;
  j += n1;
  for (std::string_view suffix : {"st", "nd", "rd", "th"})
    if (t.substr(j, 2) == suffix) j += 2;
  if (j < t.size() && t[j] == ',') ++j;
  j = skip_spaces(t, j);
  const size_t n3 = read_int(t, j, 4, c);
  if (n3 != 4 || !plausible(a, 1, c)) return 0;
  return j + 4;
}

constexpr std::array<std::string_view, 16> kBirthWords = {
    "né le",   "née le", "né(e) le", "nee le",        "date de naissance", "naissance",
    "né en",   "dob",    "d.o.b",    "date of birth", "birth date",        "birthdate",
    "born on", "born",   "birthday", "date naissance"};

// The date of birth after a keyword ending at `kw`: the first number that follows in the
// same sentence, within a few words ("Date de naissance : 12/03/1985", "born on the 12
// March 1985", "ma date de naissance est erronée : il est écrit 12/05/1980"). A question
// ("Can I have your date of birth?") takes its answer from the next line. A number that
// is not a date ends the search: "né en 1985, embauché le 12/03/2010" has no full date of
// birth. Returns the date's end, or 0.
size_t date_after(std::string_view t, size_t kw, std::vector<Entity>& out) {
  size_t limit = kw + 64;
  bool answer_line = false;
  for (size_t j = kw; j < t.size() && j < limit; ++j) {
    const char c = t[j];
    if (c == '?' && !answer_line) {  // the answer is on the next line
      const size_t nl = t.find('\n', j);
      if (nl == std::string_view::npos || nl > j + 4) return 0;
      answer_line = true;
      j = nl;
      limit = nl + 48;
      continue;
    }
    if (c == '\n' && j > kw + 2) {
      if (!answer_line) return 0;
      if (j + 1 < t.size() && t[j + 1] == '\n') return 0;
      continue;
    }
    if ((c == '.' || c == '!') && j > kw && (j + 1 >= t.size() || t[j + 1] == ' ' || t[j + 1] == '\n'))
      return 0;  // end of the sentence
    if (word_before(t, j) || !(is_digit(c) || is_alpha(c))) continue;
    if (const size_t e = parse_date(t, j); e != 0 && !is_word_at(t, e)) {
      emit(out, EntityType::DateOfBirth, t, j, e, 0.9);
      return e;
    }
    if (is_digit(c)) return 0;
  }
  return 0;
}

class BirthDateRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    for (size_t i = 0; i < t.size(); ++i) {
      const char c = lower(t[i]);
      if (c != 'n' && c != 'd' && c != 'b') continue;
      if (word_before(t, i)) continue;
      size_t kw_end = 0;
      for (std::string_view w : kBirthWords)
        if (matches_ci(t, i, w) && !is_word_at(t, i + w.size())) {
          kw_end = i + w.size();
          break;
        }
      if (kw_end == 0) continue;
      if (const size_t e = date_after(t, kw_end, out); e != 0) i = e;
    }
  }
};

// Street types, lower case; abbreviations carry their dot.
constexpr std::array<std::string_view, 40> kStreetTypes = {
    "rue",       "avenue",    "av.",        "boulevard",   "bd",     "bld",       "allée",
    "allee",     "impasse",   "imp.",       "place",       "pl.",    "chemin",    "ch.",
    "quai",      "route",     "rte",        "cours",       "square", "passage",   "villa",
    "voie",      "sentier",   "rond-point", "faubourg",    "fbg",    "esplanade", "parvis",
    "promenade", "résidence", "residence",  "lotissement", "hameau", "lieu-dit",  "cité",
    "cite",      "chaussée",  "montée",     "mail",        "sentier"};

// Lower-case words allowed inside a street name: "rue de la Paix", "quai d'Orsay".
constexpr std::array<std::string_view, 14> kParticles = {
    "de", "du", "des", "la", "le", "les", "l'", "d'", "aux", "au", "sur", "sous", "et", "en"};

size_t street_type_at(std::string_view t, size_t i) {
  for (std::string_view s : kStreetTypes)
    if (matches_ci(t, i, s) && (s.back() == '.' || !is_word_at(t, i + s.size()))) return s.size();
  return 0;
}

class AddressRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    for (size_t i = 0; i < t.size(); ++i) {
      if (!is_digit(t[i]) || (i > 0 && (is_word_at(t, i - 1) || t[i - 1] == '.' ||
                                        t[i - 1] == ',' || t[i - 1] == '/')))
        continue;
      int number = 0;
      const size_t n = read_int(t, i, 4, number);
      if (n == 0) {
        while (i < t.size() && is_digit(t[i])) ++i;
        continue;
      }
      if (const size_t e = match_address(t, i, i + n, out); e != 0) {
        i = e - 1;
      } else {
        i += n - 1;
      }
    }
  }

 private:
  static size_t match_address(std::string_view t, size_t start, size_t j,
                              std::vector<Entity>& out) {
    // "12 bis", "12bis", "12 B", "12, rue"
    for (std::string_view suffix : {" bis", "bis", " ter", "ter", " quater"})
      if (matches_ci(t, j, suffix) && !is_word_at(t, j + suffix.size())) {
        j += suffix.size();
        break;
      }
    if (j < t.size() && t[j] == ',') ++j;
    const size_t after_number = j;
    j = skip_spaces(t, j);
    if (j == after_number) return 0;
    const size_t st = street_type_at(t, j);
    if (st == 0) return 0;
    j = skip_spaces(t, j + st);
    // The street name: up to six words on the line, capitalised or particles.
    size_t end = 0;
    int words = 0;
    while (j < t.size() && words < 6) {
      size_t w = j;
      bool particle = false;
      for (std::string_view p : kParticles)
        if (matches_ci(t, j, p) && (p.back() == '\'' || !is_word_at(t, j + p.size()))) {
          w = j + p.size();
          particle = true;
          break;
        }
      if (!particle) {
        if (!(starts_upper(t, j) || is_digit(t[j]))) break;
        w = word_end(t, j);
        if (w == j) break;
        if (is_digit(t[j]) && w - j == 5) break;  // a postcode
        end = w;
      }
      ++words;
      j = w;
      if (particle && j > 0 && t[j - 1] == '\'') continue;
      const size_t next = skip_spaces(t, j);
      if (next == j) break;
      j = next;
    }
    if (end == 0) return 0;
    // ", 75002 Paris", " 69003 LYON", "75008 Paris Cedex 08"
    size_t k = end;
    if (k < t.size() && t[k] == ',') ++k;
    k = skip_spaces(t, k);
    if (k + 5 <= t.size()) {
      int postcode = 0;
      if (read_int(t, k, 5, postcode) == 5 && !is_word_at(t, k + 5) && postcode >= 1000) {
        size_t c = skip_spaces(t, k + 5);
        size_t city_end = 0;
        for (int cw = 0; cw < 4 && c < t.size() && starts_upper(t, c); ++cw) {
          city_end = word_end(t, c);
          const size_t next = skip_spaces(t, city_end);
          if (next == city_end) break;
          c = next;
        }
        if (city_end != 0) {
          size_t cedex = skip_spaces(t, city_end);
          int dummy = 0;
          if (cedex < t.size() && is_digit(t[cedex]) && city_end >= 5 &&
              matches_ci(t, city_end - 5, "cedex")) {
            const size_t d = read_int(t, cedex, 2, dummy);
            if (d != 0) city_end = cedex + d;
          }
          emit(out, EntityType::Address, t, start, city_end, 0.9);
          return city_end;
        }
      }
    }
    emit(out, EntityType::Address, t, start, end, 0.75);
    return end;
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_birth_date_recogniser() {
  return std::make_unique<BirthDateRecogniser>();
}
std::unique_ptr<Recogniser> make_address_recogniser() {
  return std::make_unique<AddressRecogniser>();
}

}  // namespace tq::guard
