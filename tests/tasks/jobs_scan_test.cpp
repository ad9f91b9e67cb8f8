// The hand-written pattern scanners that replaced std::regex in the jobs (tasks/jobs/scan.h
// and the patterns written with it): the backtracking a regular expression did is kept
// (greedy repeats giving back, alternatives in order, look-aheads), on the cases where it
// decides the answer — French amounts ("1 299,00 €"), accents, units that are words, dates
// whose year is too long, references after accented keywords — and long inputs end quickly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tasks/jobs/email.h"
#include "tasks/jobs/fidelity.h"
#include "tasks/jobs/references.h"
#include "tasks/jobs/scan.h"

namespace tq::tasks {
namespace {

std::vector<double> values(const std::string& text) {
  std::vector<double> out;
  for (const auto& q : extract_quantities(text)) out.push_back(q.value);
  return out;
}

TEST(JobsScan, RepeatsGiveBackAsARegularExpressionDoes) {
  // [a-z]{1,4} then "b": the longest run first, then shorter ones.
  const std::string t = "aaab";
  size_t end = 0;
  EXPECT_TRUE(scan::run(
      t, 0, 1, 4, [](char c) { return c == 'a' || c == 'b'; },
      [&](size_t p) {
        return scan::lit(t, p, "b", [&](size_t e) {
          end = e;
          return true;
        });
      }));
  EXPECT_EQ(end, 4u);
  // A repeated group gives back whole repetitions: (?:-[0-9]+){0,3}-9 on "-1-2-9".
  const std::string g = "-1-2-9";
  const auto segment = [&](size_t p, scan::Next k) {
    return scan::lit(g, p, "-", [&](size_t q) { return scan::run(g, q, 1, 9, scan::is_digit, k); });
  };
  EXPECT_TRUE(scan::times(0, 0, 3, segment, [&](size_t p) {
    return scan::lit(g, p, "-9", [&](size_t e) { return e == g.size(); });
  }));
}

TEST(JobsScan, FrenchAmountsWithEveryKindOfSpace) {
  // Plain, no-break and narrow no-break spaces between thousands; the sign after or before.
  for (const char* text : {"1 299,00 €",
                           "1\xC2\xA0"
                           "299,00\xC2\xA0€",
                           "1\xE2\x80\xAF"
                           "299,00 €",
                           "€ 1 299,00", "EUR 1 299,00", "1.299,00 €", "1 299,00 euros"}) {
    const auto v = values(text);
    ASSERT_EQ(v.size(), 1u) << text;
    EXPECT_DOUBLE_EQ(v[0], 1299.0) << text;
  }
  double d = 0;
  ASSERT_TRUE(parse_number("1 299,00", d));
  EXPECT_DOUBLE_EQ(d, 1299.0);
  ASSERT_TRUE(parse_number("12 345 678,5", d));
  EXPECT_DOUBLE_EQ(d, 12345678.5);
  // A group of two digits is not a thousands group: "1 29" is no number.
  EXPECT_FALSE(parse_number("1 29", d));
  // Cents written after the sign.
  EXPECT_EQ(values("29€90"), (std::vector<double>{29.9}));
  // Three digits after the sign are not cents.
  EXPECT_TRUE(values("29€901").empty());
}

TEST(JobsScan, UnitsAfterAccentsAndApostrophes) {
  // "à 5 €" with an accented word before; "l'" and "l’" are articles, not litres.
  EXPECT_EQ(values("Livré à 5 € près"), (std::vector<double>{5.0}));
  EXPECT_TRUE(values("5 l'été, 5 l\xE2\x80\x99"
                     "été")
                  .empty());
  // Units of any case; the longest unit that ends a word ("mg", not "m" then "g").
  EXPECT_EQ(values("40 CM"), (std::vector<double>{400.0}));
  EXPECT_EQ(values("500 mg"), (std::vector<double>{0.5}));
  // Dimensions with "×" and "x".
  EXPECT_EQ(values("40 × 60 × 2 cm"), (std::vector<double>{400.0, 600.0, 20.0}));
}

TEST(JobsScan, DatesKeepTheirLookAheads) {
  const CivilDate ref{2026, 11, 24};
  // A five-digit "year" is no date at all; a day-month before a long number still is.
  EXPECT_TRUE(find_dates("03/12/20261", ref).empty());
  EXPECT_EQ(find_dates("dec 3 20261", ref), (std::vector<CivilDate>{{2026, 12, 3}}));
  // Accented month names fold: "3 décembre 2026", "1er février".
  EXPECT_EQ(find_dates("le 3 décembre 2026", ref), (std::vector<CivilDate>{{2026, 12, 3}}));
  EXPECT_EQ(find_dates("avant le 1er février", ref), (std::vector<CivilDate>{{2027, 2, 1}}));
}

TEST(JobsScan, ReferencesAfterAccentedKeywords) {
  const auto r = extract_references("Numéro de commande : ML-10482. Réf. produit ML-SUS-002.");
  EXPECT_EQ(r.orders, (std::vector<std::string>{"ML-10482"}));
  EXPECT_EQ(r.products, (std::vector<std::string>{"ML-SUS-002"}));
  // "reference" is tried as "ref" first, as the expression's alternatives were.
  const auto word = extract_references("reference VAS-030");
  EXPECT_EQ(word.products, (std::vector<std::string>{"VAS-030"}));
}

TEST(JobsScan, LongInputsStayBounded) {
  // std::regex recursed per character here; the scanners loop, over digit runs cut to 15.
  const std::string digits(200000, '7');
  EXPECT_EQ(values(digits + " cm").size(), 1u);
  const std::string spaces = "commande" + std::string(100000, ' ') + "AB-123";
  EXPECT_EQ(extract_references(spaces).orders, (std::vector<std::string>{"AB-123"}));
}

}  // namespace
}  // namespace tq::tasks
