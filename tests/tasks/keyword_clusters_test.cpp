// Keyword clustering on a hand-labelled Search Console-style list: five topics a shop
// would give five landing pages. The expected groups were written by hand before running.
#include "tasks/seo/keyword_clusters.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"

namespace tq::tasks {
namespace {

struct Labelled {
  const char* query;
  int group;
  double clicks;
  double impressions;
};

const std::vector<Labelled> kQueries = {
    {"lampe de chevet", 0, 40, 900},
    {"lampe de chevet bois", 0, 12, 300},
    {"lampes de chevet pas cher", 0, 8, 260},
    {"lampe chevet tactile", 0, 5, 150},
    {"suspension luminaire cuisine", 1, 20, 700},
    {"suspension en rotin", 1, 15, 400},
    {"luminaire suspension rotin", 1, 6, 120},
    {"suspensions luminaires salon", 1, 4, 90},
    {"ampoule led e27", 2, 30, 800},
    {"ampoules led e14", 2, 9, 310},
    {"ampoule led filament", 2, 7, 200},
    {"ampoule e27 dimmable", 2, 3, 80},
    {"délai de livraison", 3, 2, 150},
    {"livraison gratuite", 3, 6, 220},
    {"frais de livraison", 3, 1, 60},
    {"retour produit remboursement", 4, 1, 40},
    {"politique de retour", 4, 2, 70},
    {"retours et remboursements", 4, 1, 30},
};

TEST(KeywordClusters, FindsTheHandLabelledGroups) {
  std::vector<KeywordRow> rows;
  rows.reserve(kQueries.size());
  for (const auto& q : kQueries) rows.push_back({q.query, q.clicks, q.impressions});
  const auto clusters = cluster_keywords(rows);
  std::map<std::string, size_t> cluster_of;
  for (size_t c = 0; c < clusters.size(); ++c)
    for (const auto& k : clusters[c].queries) cluster_of[k.query] = c;
  ASSERT_EQ(cluster_of.size(), kQueries.size());  // every query in exactly one cluster
  EXPECT_EQ(clusters.size(), 5U);
  for (const auto& a : kQueries)
    for (const auto& b : kQueries)
      EXPECT_EQ(a.group == b.group, cluster_of[a.query] == cluster_of[b.query])
          << "'" << a.query << "' and '" << b.query << "'";

  // Sorted by impressions: the bedside lamps (900+300+260+150) come first, with their totals.
  ASSERT_FALSE(clusters.empty());
  EXPECT_EQ(clusters[0].impressions, 1610);
  EXPECT_EQ(clusters[0].clicks, 65);
  EXPECT_EQ(clusters[0].label, "lampe de chevet");
  EXPECT_EQ(clusters[0].top_terms.at(0), "lampe");
  EXPECT_EQ(clusters[0].queries.front().query, "lampe de chevet");  // busiest first
}

TEST(KeywordClusters, DuplicatesAfterFoldingAreOneQuery) {
  const auto clusters = cluster_keywords({{"Lampe Chevet", 1, 10}, {"lampe  chevet", 2, 20}});
  ASSERT_EQ(clusters.size(), 1U);
  ASSERT_EQ(clusters[0].queries.size(), 1U);
  EXPECT_EQ(clusters[0].clicks, 3);
  EXPECT_EQ(clusters[0].impressions, 30);
}

TEST(KeywordClusters, ThresholdOneKeepsEveryQueryApart) {
  std::vector<KeywordRow> rows;
  rows.reserve(kQueries.size());
  for (const auto& q : kQueries) rows.push_back({q.query, q.clicks, q.impressions});
  ClusterOptions o;
  o.threshold = 1.0;
  EXPECT_EQ(cluster_keywords(rows, o).size(), kQueries.size());
  o.language = "klingon";
  EXPECT_THROW((void)cluster_keywords(rows, o), InputError);
}

TEST(KeywordCsv, SearchConsoleExportsInFrenchAndEnglish) {
  const auto fr = parse_keywords_csv(
      "Requêtes les plus fréquentes;Clics;Impressions;CTR;Position\n"
      "lampe de chevet;1 234;12\u00a0345;10 %;3,2\n"
      "\"suspension; rotin\";0;7;0 %;12\n",
      "fr.csv");
  ASSERT_EQ(fr.size(), 2U);
  EXPECT_EQ(fr[0].query, "lampe de chevet");
  EXPECT_EQ(fr[0].clicks, 1234);
  EXPECT_EQ(fr[0].impressions, 12345);
  EXPECT_EQ(fr[1].query, "suspension; rotin");

  const auto en = parse_keywords_csv(
      "Top queries,Clicks,Impressions,CTR,Position\nbedside lamp,\"1,234\",5000,1%,4.5\n",
      "en.csv");
  ASSERT_EQ(en.size(), 1U);
  EXPECT_EQ(en[0].clicks, 1234);
  EXPECT_EQ(en[0].impressions, 5000);

  // No known header name: the first text column; no counts: zeros.
  const auto plain = parse_keywords_csv("id,phrase\n1,lampe\n2,ampoule\n", "p.csv");
  ASSERT_EQ(plain.size(), 2U);
  EXPECT_EQ(plain[1].query, "ampoule");
  EXPECT_EQ(plain[1].clicks, 0);
}

TEST(KeywordCsv, BadCountsNameTheLineAndColumn) {
  try {
    (void)parse_keywords_csv("query,clicks\nlampe,beaucoup\n", "k.csv");
    FAIL() << "accepted a non-numeric count";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("k.csv:2: column 'clicks': 'beaucoup' is not a count"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)parse_keywords_csv("a,b\n1,2\n", "n.csv"), InputError);
}

}  // namespace
}  // namespace tq::tasks
