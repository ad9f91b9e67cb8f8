// Postal addresses, from the house number on.
// French: number [bis/ter] + street type + name [+ postcode + city]: "12 bis rue des
// Écoles, 75005 Paris". English (UK, Ireland, US, Canada): number + name + street type
// [+ direction] [+ unit] [+ city + postcode or state and ZIP]: "48 Clarendon Road, Leeds
// LS2 9PJ", "1450 Oak Drive, Suite 200, Palo Alto, CA 94301". A city is included only
// when a postcode follows it (without one, "Springfield" may be the start of the next
// sentence); a street without a postcode must end where the phrase ends, or follow words
// such as "at", "to", "address" ("Kensington Road Bike" is a product).
#include <array>

#include "guard/recogniser.h"
#include "guard/text_util.h"

namespace tq::guard {
namespace {

using namespace text;

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

size_t match_french(std::string_view t, size_t start, size_t j, std::vector<Entity>& out) {
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

// English street types, as written (capitalised), then their abbreviations (which may
// take a dot). "Broadway" needs no name before it.
constexpr std::array<std::string_view, 27> kEnglishStreetTypes = {
    "Street",  "Road",    "Avenue", "Lane",     "Drive",   "Boulevard", "Court",
    "Place",   "Way",     "Close",  "Crescent", "Terrace", "Square",    "Parkway",
    "Highway", "Gardens", "Grove",  "Row",      "Mews",    "Hill",      "Walk",
    "Circle",  "Trail",   "Wharf",  "Quay",     "Rise",    "Parade"};
constexpr std::array<std::string_view, 14> kEnglishStreetAbbreviations = {
    "St", "Rd", "Ave", "Ln", "Dr", "Blvd", "Ct", "Pl", "Cres", "Tce", "Sq", "Pkwy", "Hwy", "Cir"};

// Compass suffixes: "Queen Street West", "Pennsylvania Avenue NW".
constexpr std::array<std::string_view, 12> kDirections = {
    "North", "South", "East", "West", "NW", "NE", "SW", "SE", "N", "S", "E", "W"};

// Units between the street and the city: ", Apt 4B", ", Suite 200".
constexpr std::array<std::string_view, 8> kUnits = {"Apt",  "Apartment", "Suite", "Ste",
                                                    "Unit", "Flat",      "Floor", "Fl"};

// US state and Canadian province codes (USPS, Canada Post).
constexpr std::string_view kStates =
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AB BC MB NB NL NS NT NU ON "
    "PE QC SK YT";

bool is_state(std::string_view t, size_t i) {
  if (i + 2 > t.size() || !is_upper(t[i]) || !is_upper(t[i + 1]) || is_word_at(t, i + 2))
    return false;
  for (size_t k = 0; k + 2 <= kStates.size(); k += 3)
    if (kStates.substr(k, 2) == t.substr(i, 2)) return true;
  return false;
}

// The word at i if it is one of `list` (whole word, exact case), else empty.
template <size_t N>
std::string_view word_in(std::string_view t, size_t i,
                         const std::array<std::string_view, N>& list) {
  const size_t e = word_end(t, i);
  const std::string_view w = t.substr(i, e - i);
  for (std::string_view x : list)
    if (x == w) return w;
  return {};
}

// UK postcode (outward A9, A99, A9A, AA9, AA99, AA9A; inward 9AA), Irish Eircode (A99 or
// D6W + four letters or digits) or Canadian postal code (A9A 9A9) at i: its end, else 0.
size_t postcode_at(std::string_view t, size_t i) {
  const auto shape = [&](size_t k, std::string_view pattern) {  // A letter, 9 digit, * either
    if (k + pattern.size() > t.size()) return false;
    for (size_t p = 0; p < pattern.size(); ++p) {
      const char c = t[k + p];
      if (pattern[p] == 'A' ? !is_upper(c) : pattern[p] == '9' ? !is_digit(c) : !is_alnum(c))
        return false;
    }
    return !is_word_at(t, k + pattern.size());
  };
  for (std::string_view outward : {"A9", "A99", "A9A", "AA9", "AA99", "AA9A"}) {
    if (i + outward.size() >= t.size() || t[i + outward.size()] != ' ') continue;
    bool ok = true;
    for (size_t p = 0; p < outward.size() && ok; ++p)
      ok = outward[p] == 'A' ? is_upper(t[i + p]) : is_digit(t[i + p]);
    if (!ok) continue;
    const size_t in = i + outward.size() + 1;
    if (shape(in, "9AA")) return in + 3;
    if (outward.size() == 3 && shape(in, "****")) return in + 4;  // Eircode "T12 X8Y2"
    if (outward == "A9A" && shape(in, "9A9")) return in + 3;      // Canada "M5H 2M9"
  }
  return 0;
}

// After the street: [", City[ City]"] + [","] + (postcode | state + ZIP or postal code).
// Returns the end of the postal tail, or 0.
size_t postal_tail(std::string_view t, size_t i) {
  size_t k = i;
  if (k < t.size() && t[k] == ',') ++k;
  k = skip_spaces(t, k);
  if (k == i) return 0;
  if (const size_t e = postcode_at(t, k)) return e;
  for (int words = 0; words < 3 && starts_upper(t, k); ++words) {
    if (is_state(t, k)) break;
    k = word_end(t, k);
    size_t next = k;
    if (next < t.size() && t[next] == ',') ++next;
    next = skip_spaces(t, next);
    if (next == k) return 0;
    if (const size_t e = postcode_at(t, next)) return e;
    if (is_state(t, next)) {
      k = next;
      break;
    }
    k = next;
  }
  if (!is_state(t, k)) return 0;
  k = skip_spaces(t, k + 2);
  int zip = 0;
  if (read_int(t, k, 5, zip) == 5) {
    size_t e = k + 5;
    if (e + 5 <= t.size() && t[e] == '-' && read_int(t, e + 1, 4, zip) == 4) e += 5;
    return is_word_at(t, e) ? 0 : e;
  }
  return postcode_at(t, k);
}

size_t match_english(std::string_view t, size_t start, size_t j, std::vector<Entity>& out) {
  if (j < t.size() && is_upper(t[j]) && !is_word_at(t, j + 1)) ++j;  // "221B"
  if (j >= t.size() || t[j] != ' ') return 0;
  ++j;
  // Name words, then the street type: "Baker Street", "Harbour View Crescent", "5th Avenue".
  size_t type_end = 0;
  bool abbreviated = false;
  for (int words = 0; words < 5 && j < t.size(); ++words) {
    const size_t e = word_end(t, j);
    if (e == j) return 0;
    if (words > 0 && !word_in(t, j, kEnglishStreetTypes).empty()) {
      type_end = e;
      break;
    }
    if (words > 0 && !word_in(t, j, kEnglishStreetAbbreviations).empty()) {
      type_end = e < t.size() && t[e] == '.' ? e + 1 : e;
      abbreviated = true;
      break;
    }
    if (words == 0 && t.substr(j, e - j) == "Broadway") {
      type_end = e;
      break;
    }
    const bool ordinal = is_digit(t[j]) && e - j >= 3 && is_lower(t[e - 1]);  // "5th"
    if (!starts_upper(t, j) && !ordinal) return 0;
    if (e >= t.size() || t[e] != ' ') return 0;
    j = e + 1;
  }
  if (type_end == 0) return 0;
  size_t end = type_end;
  if (end + 1 < t.size() && t[end] == ' ' && !word_in(t, end + 1, kDirections).empty())
    end = word_end(t, end + 1);
  // ", Apt 4B", ", Suite 200"
  if (end + 2 < t.size() && t[end] == ',' && t[end + 1] == ' ' &&
      !word_in(t, end + 2, kUnits).empty()) {
    size_t u = word_end(t, end + 2);
    if (u < t.size() && t[u] == '.') ++u;
    u = skip_spaces(t, u);
    if (u < t.size() && t[u] == '#') ++u;
    const size_t ue = word_end(t, u);
    bool has_digit = false;
    for (size_t k = u; k < ue; ++k) has_digit = has_digit || is_digit(t[k]);
    if (has_digit) {
      if (const size_t tail = postal_tail(t, ue)) {
        emit(out, EntityType::Address, t, start, tail, 0.9);
        return tail;
      }
    }
  }
  if (const size_t tail = postal_tail(t, end)) {
    emit(out, EntityType::Address, t, start, tail, 0.9);
    return tail;
  }
  // No postcode: the street must end there (punctuation, end of line) or the words before
  // must say an address follows; "2 Supreme Court justices", "Kensington Road Bike" are
  // not addresses.
  const size_t after = skip_spaces(t, end);
  const bool ends_here = after >= t.size() || !is_word_at(t, after);
  if (!ends_here &&
      !context_before(t, start, 16,
                      {" at ", " to ", "address", "live", "located", "moved", "deliver", "ship"}))
    return 0;
  emit(out, EntityType::Address, t, start, end, abbreviated ? 0.7 : 0.8);
  return end;
}

// "Flat 2, " or "Apartment 4B, " right before the house number: where the address starts.
size_t unit_prefix(std::string_view t, size_t number) {
  if (number < 4 || t[number - 1] != ' ' || t[number - 2] != ',') return number;
  size_t u = number - 2;
  while (u > 0 && is_alnum(t[u - 1])) --u;
  if (u == number - 2 || u < 2 || t[u - 1] != ' ') return number;
  size_t w = u - 1;
  while (w > 0 && is_alpha(t[w - 1])) --w;
  const std::string_view unit = t.substr(w, u - 1 - w);
  if (word_before(t, w)) return number;
  for (std::string_view x : kUnits)
    if (x == unit) return w;
  return number;
}

class AddressRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    for (size_t i = 0; i < t.size(); ++i) {
      if (!is_digit(t[i]) || (i > 0 && (is_word_at(t, i - 1) || t[i - 1] == '.' ||
                                        t[i - 1] == ',' || t[i - 1] == '/')))
        continue;
      int number = 0;
      const size_t n = read_int(t, i, 5, number);
      if (n == 0) {
        while (i < t.size() && is_digit(t[i])) ++i;
        continue;
      }
      size_t e = n <= 4 ? match_french(t, i, i + n, out) : 0;
      if (e == 0) e = match_english(t, unit_prefix(t, i), i + n, out);
      i = e != 0 ? e - 1 : i + n - 1;
    }
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_address_recogniser() {
  return std::make_unique<AddressRecogniser>();
}

}  // namespace tq::guard
