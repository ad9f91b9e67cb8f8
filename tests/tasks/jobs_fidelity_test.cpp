// The fidelity check against values worked out by hand: French and English number
// formats, unit conversions, sizes, materials and colours, and the texts that must not
// trip it ("L'étui", "sans plastique").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tasks/jobs/fidelity.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

TEST(JobsFidelity, ParsesFrenchAndEnglishNumbers) {
  double d = 0;
  ASSERT_TRUE(parse_number("29,90", d));
  EXPECT_DOUBLE_EQ(d, 29.9);
  ASSERT_TRUE(parse_number("1 299,50", d));
  EXPECT_DOUBLE_EQ(d, 1299.5);
  ASSERT_TRUE(
      parse_number("1\xC2\xA0"
                   "299,50",
                   d));  // no-break space
  EXPECT_DOUBLE_EQ(d, 1299.5);
  ASSERT_TRUE(parse_number("1.299,50", d));
  EXPECT_DOUBLE_EQ(d, 1299.5);
  ASSERT_TRUE(parse_number("1,299.50", d));
  EXPECT_DOUBLE_EQ(d, 1299.5);
  ASSERT_TRUE(parse_number("29.9", d));
  EXPECT_DOUBLE_EQ(d, 29.9);
  EXPECT_FALSE(parse_number("abc", d));
  EXPECT_FALSE(parse_number("", d));
}

TEST(JobsFidelity, ExtractsQuantitiesWithUnits) {
  const auto q = extract_quantities(
      "Prix : 29,90 €, soit €29.90 ou 29€90. Contenance 1,5 L (1500 ml), format 40 x 60 cm, "
      "poids 1,2 kg, 100 % coton, grand modèle à 1\xE2\x80\xAF"
      "299,00 €.");
  std::vector<std::pair<Dimension, double>> got;
  for (const auto& x : q) got.emplace_back(x.dim, x.value);
  const std::vector<std::pair<Dimension, double>> want = {
      {Dimension::Price, 29.9},  {Dimension::Price, 29.9},  {Dimension::Volume, 1500},
      {Dimension::Volume, 1500}, {Dimension::Length, 400},  {Dimension::Length, 600},
      {Dimension::Mass, 1200},   {Dimension::Percent, 100}, {Dimension::Price, 1299},
      {Dimension::Price, 29.9}};  // the prefixed "€29.90" is found by the second pass
  ASSERT_EQ(got.size(), want.size()) << [&] {
    std::string t;
    for (const auto& x : q) t += x.text + " = " + std::to_string(x.value) + "; ";
    return t;
  }();
  for (const auto& w : want) {
    const auto it = std::find_if(got.begin(), got.end(), [&](const auto& g) {
      return g.first == w.first && std::abs(g.second - w.second) < 1e-9;
    });
    ASSERT_NE(it, got.end()) << "missing value " << w.second;
    got.erase(it);
  }
}

TEST(JobsFidelity, WordsThatLookLikeUnitsAreNot) {
  EXPECT_TRUE(extract_quantities("3 grands bols, 2 mois de garantie, 5 l'an").empty());
  EXPECT_TRUE(extract_quantities("réf. AB12cm3").empty());
}

json shirt() {
  return {{"sku", "CH-LIN-42"},     {"name", "Chemise en lin"},   {"composition", "100% lin"},
          {"couleur", "Bleu ciel"}, {"tailles", {"S", "M", "L"}}, {"prix", "49,90"},
          {"poids_g", 180}};
}

TEST(JobsFidelity, FaithfulTextPasses) {
  const auto r = check_fidelity(
      shirt(),
      "Chemise 100 % lin bleu ciel, légère (180 g), disponible en S, M et L, à 49,90 €. "
      "L'étui n'est pas fourni ; emballage sans plastique.");
  EXPECT_TRUE(r.ok) << testing::PrintToString(r.problems);
  EXPECT_GE(r.checked.size(), 7u) << testing::PrintToString(r.checked);
}

TEST(JobsFidelity, EveryWrongValueIsReported) {
  const auto r =
      check_fidelity(shirt(), "Chemise en coton blanc, taille XL, 59,90 €, 200 g, 100 % lin.");
  ASSERT_FALSE(r.ok);
  const std::string all = testing::PrintToString(r.problems);
  EXPECT_NE(all.find("59,90"), std::string::npos) << all;
  EXPECT_NE(all.find("200 g"), std::string::npos) << all;
  EXPECT_NE(all.find("size XL"), std::string::npos) << all;
  EXPECT_NE(all.find("cotton"), std::string::npos) << all;
  EXPECT_NE(all.find("white"), std::string::npos) << all;
  EXPECT_EQ(r.problems.size(), 5u) << all;
}

TEST(JobsFidelity, UnitsConvertAndLanguagesMeet) {
  const json vase = {{"nom", "Vase"},
                     {"hauteur_cm", 30},
                     {"contenance", "1,5 L"},
                     {"matiere", "grès"},
                     {"price", 24.5}};
  EXPECT_TRUE(check_fidelity(vase, "A 300 mm stoneware vase holding 1500 ml, €24.50.").ok);
  const auto wrong = check_fidelity(vase, "Vase en grès de 35 cm.");
  ASSERT_FALSE(wrong.ok);
  EXPECT_NE(wrong.problems[0].find("35 cm"), std::string::npos);
  EXPECT_NE(wrong.problems[0].find("length"), std::string::npos);
}

}  // namespace
}  // namespace tq::tasks
