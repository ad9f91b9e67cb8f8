// Pruned BM25 (retriever.cpp) must return exactly what scoring every matching chunk
// returns — same chunks, same order, same scores — on skewed text where pruning skips
// most chunks, and on edge cases (repeated terms, long chunks, field filters).
#include <gtest/gtest.h>

#include <random>

#include "rag/retriever.h"
#include "rag/sqlite_util.h"
#include "rag/store.h"

namespace tq::rag {
namespace {

std::string word(size_t rank) {
  static const char* cons = "bcdfghjklmnprstvz";
  static const char* vow = "aeiou";
  std::string w;
  for (size_t r = rank + 1; r > 0; r /= 85) {
    w += cons[r % 17];
    w += vow[(r / 17) % 5];
  }
  return w;
}

// Zipf(1) ranks over `n` words.
class Zipf {
 public:
  explicit Zipf(size_t n) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / static_cast<double>(i + 1));
    for (auto& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

void fill(KnowledgeBase& kb, const Collection& c, size_t chunks, std::mt19937_64& rng) {
  Zipf zipf(2000);
  std::uniform_int_distribution<size_t> len(3, 60);
  WriteBatch batch(kb);
  for (size_t d = 0; d * 100 < chunks; ++d) {
    DocumentInput doc;
    doc.source = "doc" + std::to_string(d);
    doc.content_hash = doc.source;
    for (size_t i = 0; i < 100; ++i) {
      std::string title = word(zipf(rng));
      std::string body;
      for (size_t w = len(rng); w > 0; --w) body += word(zipf(rng)) + " ";
      nlohmann::json fields = {{"parity", i % 2 == 0 ? "even" : "odd"}};
      doc.chunks.push_back({title, body, "", fields});
    }
    batch.put(c, doc);
  }
  batch.finish();
}

void expect_same(const std::vector<std::pair<int64_t, double>>& pruned,
                 const std::vector<std::pair<int64_t, double>>& exhaustive,
                 const std::string& query) {
  ASSERT_EQ(pruned.size(), exhaustive.size()) << query;
  for (size_t i = 0; i < pruned.size(); ++i) {
    EXPECT_EQ(pruned[i].first, exhaustive[i].first) << query << " rank " << i;
    EXPECT_DOUBLE_EQ(pruned[i].second, exhaustive[i].second) << query << " rank " << i;
  }
}

TEST(Bm25Pruning, SameTopKAsExhaustiveScoring) {
  KnowledgeBase kb(":memory:");
  auto c = kb.ensure_collection("zipf", "public", {"none", false, false});
  std::mt19937_64 rng(11);
  fill(kb, c, 3000, rng);
  // Repeated terms were recorded as bounds; the shortest chunk too.
  Stmt bounds(kb.db(), "SELECT count(*), min(max_tf) FROM tf_bounds");
  ASSERT_TRUE(bounds.step());
  EXPECT_GT(bounds.int64(0), 0);
  EXPECT_GT(bounds.int64(1), kTfBoundFloor);
  Retriever r(kb);
  Zipf zipf(2000);
  std::uniform_int_distribution<int> qlen(1, 12);  // > 8 terms: in-query pruning only
  for (int q = 0; q < 80; ++q) {
    std::string query;
    for (int i = qlen(rng); i > 0; --i) query += word(20 + zipf(rng) % 1980) + " ";
    for (size_t k : {1, 10}) {
      SearchOptions o;
      o.k = k;
      if (q % 5 == 0) o.field_filters = {{"parity", "even"}};
      if (q % 7 == 0) o.bm25 = Bm25Params{2.0, 0.75, 2.0, 1.0};
      auto pruned = r.rank_bm25(query, o, k);
      o.exhaustive = true;
      auto exhaustive = r.rank_bm25(query, o, k);
      expect_same(pruned, exhaustive, query);
    }
  }
}

TEST(Bm25Pruning, CollectionsWithoutBoundsAreSearchedExhaustively) {
  KnowledgeBase kb(":memory:");
  auto c = kb.ensure_collection("old", "public", {"none", false, false});
  std::mt19937_64 rng(5);
  fill(kb, c, 300, rng);
  // As a store migrated from schema 2 has it: chunks but no bounds.
  exec(kb.db(), "DELETE FROM tf_bounds; UPDATE collections SET bounds_valid = 0");
  Retriever r(kb);
  SearchOptions o;
  o.k = 5;
  const std::string query = word(30) + " " + word(40) + " " + word(50);
  auto got = r.rank_bm25(query, o, 5);
  o.exhaustive = true;
  expect_same(got, r.rank_bm25(query, o, 5), query);
  EXPECT_FALSE(got.empty());
  // `kb optimize` computes the bounds from the chunks: pruning is back, same results.
  kb.optimize(c);
  Stmt valid(kb.db(), "SELECT bounds_valid, min_terms FROM collections");
  ASSERT_TRUE(valid.step());
  EXPECT_EQ(valid.int64(0), 1);
  EXPECT_GE(valid.int64(1), 4);  // a title word and at least three body words
  Retriever fresh(kb);
  o.exhaustive = false;
  expect_same(fresh.rank_bm25(query, o, 5), got, query);
}

}  // namespace
}  // namespace tq::rag
