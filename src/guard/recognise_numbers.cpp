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
    if (international && !run.trunk_zero && run.digits.size() <= 3) {
      size_t j = i < t.size() && t[i] == ' ' ? i + 1 : i;
      if (t.substr(j, 3) == "(0)") {
        j += 3;
        if (j < t.size() && t[j] == ' ') ++j;
        if (j < t.size() && is_digit(t[j])) {
          run.trunk_zero = true;
          run.sep_after[run.groups - 1] = kSpace;
          i = j;
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
      if (const double conf = classify(t, start, d, lens, n_groups, g0 > 0, out, end); conf > 0)
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

  static double classify(std::string_view t, size_t start, std::string_view d,
                         const std::array<size_t, kMaxGroups>& lens, size_t n, bool mid_run,
                         std::vector<Entity>& out, size_t end) {
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
                                        "ref", "réf", "dossier", "ticket", "client"}))
        return found(EntityType::Phone, 0.4);
      return found(EntityType::Phone, pairs ? 0.96 : contiguous ? 0.85 : 0.7);
    }
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
