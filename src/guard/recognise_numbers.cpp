// Digit runs: groups of digits joined by one separator (space, no-break space, dot or
// hyphen). A match must end where a group ends; the longest valid reading of the run
// wins, and when none fits the run is retried from its next group ("Réf 2024 06 12 34
// 56 78" still yields the phone number).
#include <array>
#include <string>

#include "guard/recogniser.h"
#include "guard/text_util.h"
#include "guard/validators.h"

namespace tq::guard {
namespace {

using namespace text;

constexpr size_t kMaxGroups = 12;
constexpr size_t kMaxDigits = 24;

enum Sep : char { kNone = 0, kSpace = 1, kDot = 2, kDash = 3 };

struct DigitRun {
  std::string digits;
  std::array<size_t, kMaxGroups> digit_end{};  // digits.size() at the end of each group
  std::array<size_t, kMaxGroups> byte_start{};
  std::array<size_t, kMaxGroups> byte_end{};
  std::array<Sep, kMaxGroups> sep_after{};
  size_t groups = 0;
  bool trunk_zero = false;  // "+33 (0)1 …": the national trunk prefix in brackets
};

// Separator at i followed by a digit: its kind and byte length.
std::pair<Sep, size_t> separator_at(std::string_view t, size_t i) {
  if (i >= t.size()) return {kNone, 0};
  size_t len = 0;
  Sep kind = kNone;
  if (t[i] == ' ') {
    kind = kSpace, len = 1;
  } else if (t[i] == '.') {
    kind = kDot, len = 1;
  } else if (t[i] == '-') {
    kind = kDash, len = 1;
  } else if (size_t n = unicode_space_len(t, i)) {
    kind = kSpace, len = n;
  }
  if (len == 0 || i + len >= t.size() || !is_digit(t[i + len])) return {kNone, 0};
  return {kind, len};
}

DigitRun collect_run(std::string_view t, size_t i, bool international) {
  DigitRun run;
  while (run.groups < kMaxGroups) {
    const size_t start = i;
    while (i < t.size() && is_digit(t[i]) && run.digits.size() < kMaxDigits)
      run.digits.push_back(t[i++]);
    if (i < t.size() && is_digit(t[i])) {  // too long for any identifier: drop this group
      run.digits.resize(run.groups == 0 ? 0 : run.digit_end[run.groups - 1]);
      break;
    }
    run.byte_start[run.groups] = start;
    run.byte_end[run.groups] = i;
    run.digit_end[run.groups] = run.digits.size();
    ++run.groups;
    // After the country code: "+33 (0)1 …" (the national trunk prefix, skipped) or
    // "+1 (312) 555-0176" (an area code in brackets, a group of its own).
    if (international && run.groups == 1 && run.digits.size() <= 3) {
      size_t j = i < t.size() && t[i] == ' ' ? i + 1 : i;
      if (j < t.size() && t[j] == '(') {
        size_t close = j + 1;
        while (close < t.size() && close < j + 6 && is_digit(t[close])) ++close;
        size_t next = close + 1;
        if (next < t.size() && t[next] == ' ') ++next;
        if (close > j + 1 && close < t.size() && t[close] == ')' && next < t.size() &&
            is_digit(t[next])) {
          run.sep_after[0] = kSpace;
          i = next;
          if (t.substr(j, 3) == "(0)") {
            run.trunk_zero = true;
            continue;
          }
          run.digits.append(t.substr(j + 1, close - j - 1));
          run.byte_start[1] = j + 1;
          run.byte_end[1] = close;
          run.digit_end[1] = run.digits.size();
          run.sep_after[1] = kSpace;
          run.groups = 2;
          continue;
        }
      }
    }
    auto [kind, len] = separator_at(t, i);
    if (kind == kNone) break;
    run.sep_after[run.groups - 1] = kind;
    i += len;
  }
  return run;
}

// The byte after the run's last group must not continue a word or a number.
bool ends_cleanly(std::string_view t, size_t end) {
  if (end >= t.size()) return true;
  const char c = t[end];
  if (is_word_at(t, end) || c == '@') return false;
  if ((c == ',' || c == '/' || c == '.') && end + 1 < t.size() && is_digit(t[end + 1]))
    return false;
  return true;
}

// Words that say a number nearby is a phone number: before it ("Tél.", "call me on",
// "joignable au") or just after it ("(mobile)").
bool phone_context(std::string_view t, size_t start, size_t end) {
  if (context_before(
          t, start, 40,
          {"tél",    "tel",     "phone",     "mobile", "portable", "call",     "appel",
           "rappel", "joindre", "joignable", "reach",  "fax",      "standard", "cell",
           "sms",    "text me", "whatsapp",  "dial",   "ligne",    "line",     "contact"}))
    return true;
  const std::string_view after = t.substr(end, 14);
  for (std::string_view w : {"mobile", "portable", "cell", "phone", "tél", "tel"})
    if (after.find(w) != std::string_view::npos) return true;
  return false;
}

class NumberRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    size_t i = 0;
    while (i < t.size()) {
      if (!is_digit(t[i])) {
        ++i;
        continue;
      }
      // Start of a number: not inside a word or a longer number ("v1.06…", "12,06…").
      if (i > 0 && (is_word_at(t, i - 1) ||
                    ((t[i - 1] == '.' || t[i - 1] == ',' || t[i - 1] == '-' || t[i - 1] == '/') &&
                     i > 1 && is_digit(t[i - 2])))) {
        while (i < t.size() && is_digit(t[i])) ++i;
        continue;
      }
      if (i > 0 && t[i - 1] == '(') {
        if (const size_t end = match_bracketed_area_code(t, i, out)) {
          i = end;
          continue;
        }
      }
      const bool plus = i > 0 && t[i - 1] == '+' && !(i > 1 && is_word_at(t, i - 2));
      const bool double_zero = t.substr(i, 2) == "00";
      const DigitRun run = collect_run(t, i, plus || double_zero);
      if (run.groups == 0) {
        while (i < t.size() && is_digit(t[i])) ++i;
        continue;
      }
      size_t next = run.byte_end[0];
      if (plus || double_zero) {
        if (const size_t end = match_international(t, run, plus, out)) next = end;
      } else {
        for (size_t g = 0; g < run.groups; ++g) {
          if (const size_t end = match_national(t, run, g, out)) {
            next = end;
            break;
          }
          next = run.byte_end[run.groups - 1];
        }
      }
      i = next;
      while (i < t.size() && is_digit(t[i])) ++i;
    }
  }

 private:
  // "(415) 555-0132": a North American number with its area code in brackets.
  static size_t match_bracketed_area_code(std::string_view t, size_t i, std::vector<Entity>& out) {
    std::string d;
    size_t j = i;
    auto digits = [&](size_t n) {
      for (size_t k = 0; k < n; ++k, ++j) {
        if (j >= t.size() || !is_digit(t[j])) return false;
        d.push_back(t[j]);
      }
      return true;
    };
    if (!digits(3) || j >= t.size() || t[j] != ')') return 0;
    ++j;
    if (j < t.size() && t[j] == ' ') ++j;
    if (!digits(3) || j >= t.size() || (t[j] != '-' && t[j] != ' ' && t[j] != '.')) return 0;
    ++j;
    if (!digits(4) || (j < t.size() && is_digit(t[j])) || !ends_cleanly(t, j) ||
        !nanp_national_valid(d))
      return 0;
    emit(out, EntityType::Phone, t, i - 1, j, 0.9);
    return j;
  }

  static size_t match_international(std::string_view t, const DigitRun& run, bool plus,
                                    std::vector<Entity>& out) {
    const size_t skip = plus ? 0 : 2;  // "00" is the international call prefix
    const size_t start = plus ? run.byte_start[0] - 1 : run.byte_start[0];
    for (size_t k = run.groups; k-- > 0;) {
      const size_t end = run.byte_end[k];
      if (k + 1 == run.groups && !ends_cleanly(t, end)) continue;
      if (run.digit_end[k] <= skip) break;
      const std::string_view d = std::string_view(run.digits).substr(skip, run.digit_end[k] - skip);
      if (const int cc = e164_valid(d)) {
        const double conf = d.substr(0, static_cast<size_t>(cc)) == "33" ? 0.97 : 0.93;
        emit(out, EntityType::Phone, t, start, end, conf);
        return end;
      }
    }
    return 0;
  }

  // Tries every reading of the groups [g0, k] for k from the longest down.
  static size_t match_national(std::string_view t, const DigitRun& run, size_t g0,
                               std::vector<Entity>& out) {
    const size_t d0 = g0 == 0 ? 0 : run.digit_end[g0 - 1];
    for (size_t k = run.groups; k-- > g0;) {
      const size_t end = run.byte_end[k];
      if (k + 1 == run.groups && !ends_cleanly(t, end)) continue;
      // One separator kind throughout ("06 12.34-56 78" is not how numbers are written).
      bool consistent = true;
      for (size_t g = g0; g + 1 <= k; ++g)
        consistent = consistent && run.sep_after[g] == run.sep_after[g0];
      if (!consistent) continue;
      std::array<size_t, kMaxGroups> lens{};
      const size_t n_groups = k - g0 + 1;
      for (size_t g = g0; g <= k; ++g)
        lens[g - g0] = run.digit_end[g] - (g == 0 ? 0 : run.digit_end[g - 1]);
      const std::string_view d = std::string_view(run.digits).substr(d0, run.digit_end[k] - d0);
      const size_t start = run.byte_start[g0];
      const Sep sep = n_groups > 1 ? run.sep_after[g0] : kNone;
      const bool continues = k + 1 < run.groups && run.sep_after[k] == sep;
      if (const double conf =
              classify(t, start, d, lens, n_groups, g0 > 0, sep, continues, out, end);
          conf > 0)
        return end;
    }
    return 0;
  }

  static bool groups_are(const std::array<size_t, kMaxGroups>& lens, size_t n,
                         std::initializer_list<size_t> want) {
    if (n != want.size()) return false;
    size_t g = 0;
    for (size_t w : want)
      if (lens[g++] != w) return false;
    return true;
  }

  // `sep`: the separator between the groups; `continues`: the run goes on after `end`
  // with that separator (the reading is a prefix of a longer number).
  static double classify(std::string_view t, size_t start, std::string_view d,
                         const std::array<size_t, kMaxGroups>& lens, size_t n, bool mid_run,
                         Sep sep, bool continues, std::vector<Entity>& out, size_t end) {
    const bool contiguous = n == 1;
    auto found = [&](EntityType type, double conf) {
      emit(out, type, t, start, end, conf);
      return conf;
    };
    // Inside a longer run (an invalid IBAN's groups, a reference) only a phone number is
    // plausible: "Réf 2024 06 12 34 56 78".
    if (mid_run) {
      if (d.size() == 10 && fr_national_phone_valid(d) && n == 5)
        return found(EntityType::Phone, 0.9);
      return 0;
    }
    if (d.size() == 14 && siret_valid(d)) {
      const bool ctx =
          context_before(t, start, 48, {"siret", "siège", "etablissement", "établissement"});
      if (ctx) return found(EntityType::Siret, 0.97);
      if (groups_are(lens, n, {3, 3, 3, 5})) return found(EntityType::Siret, 0.9);
    }
    if (d.size() >= 13 && d.size() <= 19 && card_valid(d)) {
      bool fours = n >= 3;
      for (size_t g = 0; g + 1 < n; ++g) fours = fours && lens[g] == 4;
      fours = fours && lens[n - 1] >= 1 && lens[n - 1] <= 4;
      const bool amex = groups_are(lens, n, {4, 6, 5}) || groups_are(lens, n, {4, 6, 4});
      return found(EntityType::Card, contiguous || fours || amex ? 0.95 : 0.7);
    }
    if (d.size() == 14 && siret_valid(d)) return found(EntityType::Siret, 0.55);
    if (d.size() == 10 && fr_national_phone_valid(d)) {
      bool pairs = n == 5;
      for (size_t g = 0; g < n; ++g) pairs = pairs && lens[g] == 2;
      // Ten digits in one block right after "Invoice", "N°", "#" are more likely a
      // reference that happens to start with 0.
      if (contiguous && context_before(t, start, 12,
                                       {"invoice", "facture", "order", "commande", "n°", "no.", "#",
                                        "ref", "réf", "dossier", "ticket", "client", "contrat"}))
        return found(EntityType::Phone, 0.4);
      if (pairs) return found(EntityType::Phone, 0.96);
      if (contiguous) return found(EntityType::Phone, 0.85);
      // Swiss "022 730 11 11" and Belgian mobile "0470 12 34 56" groupings; any other
      // grouping of ten digits ("0612-3456-78", a SKU) is a phone only where the text says so.
      if (groups_are(lens, n, {3, 3, 2, 2}) || groups_are(lens, n, {4, 2, 2, 2}))
        return found(EntityType::Phone, 0.8);
      if (!continues && phone_context(t, start, end)) return found(EntityType::Phone, 0.7);
      return 0;
    }
    // UK national: "020 7946 0321", "0117 496 0852", "07700 900456", "07700 900 456".
    if (d.size() == 11 && uk_national_phone_valid(d)) {
      if (groups_are(lens, n, {3, 4, 4}) || groups_are(lens, n, {4, 3, 4}) ||
          groups_are(lens, n, {5, 6}) || groups_are(lens, n, {5, 3, 3}))
        return found(EntityType::Phone, 0.85);
      if (contiguous && phone_context(t, start, end)) return found(EntityType::Phone, 0.75);
    }
    // North American: "415-555-0132", "415.555.0132", "1-202-555-0164"; with spaces only
    // where the text says it is a phone number.
    if (sep != kNone && sep != kSpace && groups_are(lens, n, {3, 3, 4}) && nanp_national_valid(d))
      return found(EntityType::Phone, 0.85);
    if (sep == kDash && groups_are(lens, n, {1, 3, 3, 4}) && d[0] == '1' &&
        nanp_national_valid(d.substr(1)))
      return found(EntityType::Phone, 0.85);
    if (sep == kSpace && groups_are(lens, n, {3, 3, 4}) && nanp_national_valid(d) &&
        phone_context(t, start, end))
      return found(EntityType::Phone, 0.8);
    if (d.size() == 9 && siren_valid(d)) {
      if (context_before(t, start, 40, {"siren", "rcs", "sirene"}))
        return found(EntityType::Siren, 0.93);
      if (groups_are(lens, n, {3, 3, 3})) return found(EntityType::Siren, 0.6);
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_number_recogniser() {
  return std::make_unique<NumberRecogniser>();
}

}  // namespace tq::guard
