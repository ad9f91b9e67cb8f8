// The FTS5 analysis: expected terms worked out from the Snowball algorithms' published
// behaviour and the French elision rules, not from the code's own output.
#include <gtest/gtest.h>

#include "rag/analyzer.h"

namespace tq::rag {
namespace {

using V = std::vector<std::string>;

TEST(Analyzer, FoldsCaseAndDiacriticsWithoutStemming) {
  Analyzer a({"none", false, false});
  EXPECT_EQ(a.terms("Électricité ÉTÉ Noël garçon"), (V{"electricite", "ete", "noel", "garcon"}));
}

TEST(Analyzer, SplitsFrenchElisionsWithBothApostrophes) {
  Analyzer a({"fr", false, false});
  EXPECT_EQ(a.terms("l'avion d’Air jusqu'à qu'il lorsqu'on"), (V{"avion", "air", "a", "il", "on"}));
  // A prefix that is not an elided article stays a word of its own.
  EXPECT_EQ(a.terms("aujourd'hui"), (V{"aujourd", "hui"}));
}

TEST(Analyzer, FrenchSnowballStemsThenStripsAccents) {
  Analyzer a({"fr", true, false});
  // Snowball French: "continuellement" → "continuel", "chevaux" → "cheval",
  // "données" → "don", "protégées" → "proteg" (é stripped after stemming).
  EXPECT_EQ(a.terms("continuellement chevaux"), (V{"continuel", "cheval"}));
  EXPECT_EQ(a.terms("Données protégées"), (V{"don", "proteg"}));
}

TEST(Analyzer, EnglishSnowball) {
  Analyzer a({"en", true, false});
  // Porter2: "generously" → "generous", "running" → "run", "flows" → "flow".
  EXPECT_EQ(a.terms("Generously running flows"), (V{"generous", "run", "flow"}));
}

TEST(Analyzer, StopwordsAreOptional) {
  Analyzer with({"fr", false, true});
  Analyzer without({"fr", false, false});
  EXPECT_EQ(with.terms("le chat et la souris"), (V{"chat", "souris"}));
  EXPECT_EQ(without.terms("le chat et la souris").size(), 5U);
}

TEST(Analyzer, OffsetsPointAtTheSurfaceWord) {
  Analyzer a({"fr", true, false});
  std::string text = "l'été, 3,5 €";
  std::vector<std::string> surfaces;
  a.analyze(text, [&](std::string_view, size_t b, size_t e) {
    surfaces.push_back(text.substr(b, e - b));
    return 0;
  });
  EXPECT_EQ(surfaces, (V{"été", "3", "5"}));
}

TEST(Analyzer, InvalidUtf8NeverStopsTheScan) {
  Analyzer a({"fr", true, false});
  EXPECT_EQ(a.terms(std::string("abc\xff\xfe"
                                "def")),
            (V{"abc", "def"}));
}

}  // namespace
}  // namespace tq::rag
