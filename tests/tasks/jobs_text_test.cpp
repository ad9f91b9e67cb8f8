#include <gtest/gtest.h>

#include "tasks/jobs/references.h"
#include "tasks/jobs/schema_check.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

TEST(JobsText, FoldsAccents) {
  EXPECT_EQ(fold("Écru, CŒUR, garçon à Noël"), "ecru, coeur, garcon a noel");
  EXPECT_EQ(words(fold("L'été: 29,90€")),
            (std::vector<std::string>{"l", "ete", "29", "90\xE2\x82\xAC"}));  // € is a letter here
}

TEST(JobsText, DetectsFrenchAndEnglish) {
  EXPECT_EQ(detect_language("Bonjour, où en est ma commande ?"), "fr");
  EXPECT_EQ(detect_language("Quel est le délai de livraison"), "fr");
  EXPECT_EQ(detect_language("Puis-je retourner un article soldé"), "fr");
  EXPECT_EQ(detect_language("Where is my order?"), "en");
  EXPECT_EQ(detect_language("How long does delivery take to Belgium"), "en");
  EXPECT_EQ(detect_language("Can I return a sale item?"), "en");
  EXPECT_EQ(detect_language("été"), "fr");    // accents alone
  EXPECT_EQ(detect_language("12345"), "en");  // no evidence
}

TEST(JobsText, ContentWordOverlap) {
  EXPECT_TRUE(shares_content_word("Quels sont les délais de livraison ?",
                                  "Livraisons : 48 h en France métropolitaine."));
  EXPECT_FALSE(shares_content_word("Quels sont les délais de livraison ?",
                                   "Nos bougies sont coulées à la main."));
  EXPECT_FALSE(shares_content_word("the and of", "the and of"));  // function words only
}

TEST(JobsSchema, NamesEveryBadField) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {"q": {"type": "string", "maxLength": 3}, "n": {"type": "integer", "minimum": 1},
                   "lang": {"enum": ["fr", "en"]},
                   "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                   "when": {"type": "string", "format": "date"}},
    "required": ["q", "n"], "additionalProperties": false})");
  EXPECT_TRUE(schema_problems(json{{"q", "€€€"}, {"n", 2}}, schema).empty());  // 3 characters
  const auto p = schema_problems(
      json{
          {"q", "abcd"}, {"lang", "de"}, {"tags", {"a", 1, "c"}}, {"x", 1}, {"when", "2026-02-29"}},
      schema);
  const std::string all = testing::PrintToString(p);
  EXPECT_EQ(p.size(), 7u) << all;
  for (const char* want :
       {"/: missing required field \\\"n\\\"", "/q: 4 characters, at most 3",
        "/lang: \\\"de\\\" is not one of", "/tags/1: expected string, got integer",
        "/tags: 3 items, at most 2", "unknown field \\\"x\\\"", "/when"})
    EXPECT_NE(all.find(want), std::string::npos) << want << " in " << all;
  EXPECT_EQ(schema_problems(json{{"q", "a"}, {"n", 0}}, schema).size(), 1u);
}

TEST(JobsSchema, IsoDates) {
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2026-02-29"));
  EXPECT_FALSE(is_iso_date("1900-02-29"));
  EXPECT_TRUE(is_iso_date("2000-02-29"));
  EXPECT_FALSE(is_iso_date("2026-13-01"));
  EXPECT_FALSE(is_iso_date("2026-1-01"));
}

TEST(JobsReferences, OrdersAndProducts) {
  const auto r = extract_references(
      "Bonjour, ma commande n° 458812 est arrivée incomplète : il manque le vase réf. VAS-030. "
      "Aussi l'order #A-2291 et CMD-2026-0153. SKU: TS-001-BL. Merci !");
  EXPECT_EQ(r.orders, (std::vector<std::string>{"458812", "A-2291", "CMD-2026-0153"}));
  EXPECT_EQ(r.products, (std::vector<std::string>{"VAS-030", "TS-001-BL"}));
  const auto none = extract_references("Je voudrais juste un conseil sur la taille.");
  EXPECT_TRUE(none.orders.empty());
  EXPECT_TRUE(none.products.empty());
}

}  // namespace
}  // namespace tq::tasks
