// Dates of birth: a date is one only after words that say so ("né le", "date of birth",
// "DOB").
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
    if ((c == '.' || c == '!') && j > kw &&
        (j + 1 >= t.size() || t[j + 1] == ' ' || t[j + 1] == '\n'))
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

}  // namespace

std::unique_ptr<Recogniser> make_birth_date_recogniser() {
  return std::make_unique<BirthDateRecogniser>();
}

}  // namespace tq::guard
