// The IR measures on a ranking small enough to work out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "rag/ir_eval.h"

namespace tq::rag::eval {
namespace {

TEST(Metrics, GradedExampleByHand) {
  // Ranking d3 d1 d7 d2; judged d1 (gain 3), d2 (gain 1), d9 (gain 2, never retrieved).
  // DCG@10  = 3/log2(3) + 1/log2(5)           = 1.892789 + 0.430677 = 2.323466
  // IDCG@10 = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860
  // nDCG@10 = 0.487932
  // AP      = (1/2 + 2/4) / 3 = 0.333333 (precision at each relevant hit, over |R| = 3)
  // R@100 = R@5 = 2/3, MRR@10 = 1/2 (first relevant at rank 2)
  auto m = score_ranking({"d3", "d1", "d7", "d2"}, {{"d1", 3}, {"d2", 1}, {"d9", 2}});
  EXPECT_NEAR(m.ndcg10, 0.487932, 1e-6);
  EXPECT_NEAR(m.map, 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(m.recall100, 2.0 / 3.0, 1e-9);
  EXPECT_NEAR(m.recall5, 2.0 / 3.0, 1e-9);
  EXPECT_NEAR(m.mrr10, 0.5, 1e-9);
}

TEST(Metrics, RelevantBeyondTheCutoffs) {
  // The one relevant document at rank 11: outside @5 and @10, inside @100.
  // AP = 1/11; nDCG@10 = 0; MRR@10 = 0; R@100 = 1; R@5 = 0.
  std::vector<std::string> ranking;
  for (int i = 0; i < 10; ++i) ranking.push_back("x" + std::to_string(i));
  ranking.push_back("r");
  auto m = score_ranking(ranking, {{"r", 1}});
  EXPECT_DOUBLE_EQ(m.ndcg10, 0.0);
  EXPECT_NEAR(m.map, 1.0 / 11.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.mrr10, 0.0);
  EXPECT_DOUBLE_EQ(m.recall100, 1.0);
  EXPECT_DOUBLE_EQ(m.recall5, 0.0);
}

TEST(Metrics, PerfectRankingScoresOne) {
  auto m = score_ranking({"a", "b"}, {{"a", 4}, {"b", 1}});
  EXPECT_NEAR(m.ndcg10, 1.0, 1e-12);
  EXPECT_NEAR(m.map, 1.0, 1e-12);
  EXPECT_NEAR(m.mrr10, 1.0, 1e-12);
}

}  // namespace
}  // namespace tq::rag::eval
