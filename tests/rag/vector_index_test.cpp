// The HNSW index against exact search computed independently in the test: recall on
// clustered data, filters, removal, concurrent searches, input errors.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "rag/vector/vector_index.h"
#include "rag/vector_test_support.h"

namespace tq {
namespace {

constexpr size_t kDim = 64;
constexpr size_t kCount = 5000;
constexpr size_t kQueries = 200;

struct Corpus {
  std::vector<float> rows = test::clustered_vectors(kCount, kDim, 50, 0.2f, 11);
  std::vector<float> queries = test::clustered_vectors(kQueries, kDim, 50, 0.2f, 12);
  std::vector<int64_t> ids;
  Corpus() {
    for (size_t i = 0; i < kCount; ++i) ids.push_back(static_cast<int64_t>(i));
  }
  std::span<const float> query(size_t q) const { return {&queries[q * kDim], kDim}; }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

VectorIndexOptions options(VectorMetric metric = VectorMetric::kCosine) {
  VectorIndexOptions o;
  o.dim = kDim;
  o.metric = metric;
  o.m = 16;
  o.ef_construction = 100;
  o.ef_search = 64;
  o.build_threads = 2;
  return o;
}

std::vector<int64_t> ids_of(const std::vector<VectorHit>& hits) {
  std::vector<int64_t> ids;
  ids.reserve(hits.size());
  for (const auto& h : hits) ids.push_back(h.id);
  return ids;
}

std::unique_ptr<VectorIndex> build(VectorMetric metric = VectorMetric::kCosine) {
  auto index = std::make_unique<VectorIndex>(options(metric));
  index->add_batch(corpus().ids, corpus().rows);
  return index;
}

TEST(VectorIndex, RecallAtTenAgainstExactSearch) {
  for (const auto metric : {VectorMetric::kCosine, VectorMetric::kL2}) {
    const auto index = build(metric);
    ASSERT_EQ(index->size(), kCount);
    double recall = 0;
    for (size_t q = 0; q < kQueries; ++q) {
      const auto hits = index->search(corpus().query(q), 10);
      ASSERT_EQ(hits.size(), 10U);
      for (size_t i = 1; i < hits.size(); ++i) ASSERT_GE(hits[i - 1].score, hits[i].score);
      recall +=
          test::overlap(ids_of(hits), test::reference_top_k(corpus().rows, kDim,
                                                            corpus().queries.data() + q * kDim, 10,
                                                            metric == VectorMetric::kL2));
    }
    recall /= kQueries;
    EXPECT_GE(recall, 0.95) << metric_name(metric);
    std::cout << metric_name(metric) << " recall@10 = " << recall << "\n";
  }
}

TEST(VectorIndex, ScoresAreTheMetricsValues) {
  const auto index = build();
  const auto hits = index->search(corpus().query(0), 5);
  for (const auto& h : hits) {
    // Independent: the stored row is already unit length, the query too.
    double dot = 0;
    for (size_t d = 0; d < kDim; ++d)
      dot += double{corpus().rows[static_cast<size_t>(h.id) * kDim + d]} * corpus().queries[d];
    EXPECT_NEAR(h.score, dot, 1e-5);
  }
}

TEST(VectorIndex, FiltersAreRespectedAndSelectiveFiltersStillFindEverything) {
  const auto index = build();
  const auto even = [](int64_t id) { return id % 2 == 0; };
  double recall = 0;
  for (size_t q = 0; q < 50; ++q) {
    const auto hits = index->search(corpus().query(q), 10, even);
    ASSERT_EQ(hits.size(), 10U);
    for (const auto& h : hits) ASSERT_EQ(h.id % 2, 0) << "filter ignored";
    recall += test::overlap(
        ids_of(hits),
        test::reference_top_k(corpus().rows, kDim, &corpus().queries[q * kDim], 10, false, even));
  }
  EXPECT_GE(recall / 50, 0.95);

  // Only 8 ids pass: all of them must come back, in exact order.
  const auto rare = [](int64_t id) { return id % 700 == 3; };
  const auto truth =
      test::reference_top_k(corpus().rows, kDim, corpus().queries.data(), 10, false, rare);
  ASSERT_EQ(truth.size(), 8U);  // 3, 703, …, 4903
  EXPECT_EQ(ids_of(index->search(corpus().query(0), 10, rare)), truth);
  // Nothing passes: nothing returned.
  EXPECT_TRUE(index->search(corpus().query(0), 10, [](int64_t) { return false; }).empty());
}

TEST(VectorIndex, RemovedIdsNeverComeBackAndCanBeReAdded) {
  const auto index = build();
  const auto before = ids_of(index->search(corpus().query(1), 10));
  for (const int64_t id : before) ASSERT_TRUE(index->remove(id));
  EXPECT_FALSE(index->remove(before[0]));  // already removed
  EXPECT_FALSE(index->remove(999'999));    // never added
  EXPECT_EQ(index->size(), kCount - 10);
  EXPECT_EQ(index->deleted_count(), 10U);
  EXPECT_FALSE(index->contains(before[0]));

  const auto removed = [&](int64_t id) {
    return std::find(before.begin(), before.end(), id) != before.end();
  };
  const auto after = ids_of(index->search(corpus().query(1), 10, {}, 200));
  for (const int64_t id : after) EXPECT_FALSE(removed(id)) << id;
  const auto truth = test::reference_top_k(corpus().rows, kDim, &corpus().queries[kDim], 10, false,
                                           [&](int64_t id) { return !removed(id); });
  EXPECT_GE(test::overlap(after, truth), 0.9);

  index->add(before[0],
             std::span<const float>(&corpus().rows[static_cast<size_t>(before[0]) * kDim], kDim));
  EXPECT_TRUE(index->contains(before[0]));
  EXPECT_EQ(index->deleted_count(), 9U);
  EXPECT_EQ(index->search(corpus().query(1), 1)[0].id, before[0]);
}

TEST(VectorIndex, ReplacingAVectorMovesIt) {
  VectorIndex index(options());
  index.add_batch(corpus().ids, corpus().rows);
  // Give id 17 the vector of query 0: it becomes that query's best hit, with score 1.
  index.add(17, corpus().query(0));
  EXPECT_EQ(index.size(), kCount);
  const auto hits = index.search(corpus().query(0), 1);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].id, 17);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
}

TEST(VectorIndex, ConcurrentSearchesAgreeWithSerialOnes) {
  const auto index = build();
  std::vector<std::vector<VectorHit>> serial(kQueries);
  for (size_t q = 0; q < kQueries; ++q) serial[q] = index->search(corpus().query(q), 10);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t q = static_cast<size_t>(t); q < kQueries; q += 2)
        if (index->search(corpus().query(q), 10) != serial[q]) ++mismatches;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(VectorIndex, SearchesRunWhileVectorsAreAdded) {
  VectorIndex index(options());
  const size_t half = kCount / 2;
  index.add_batch(std::span(corpus().ids).first(half), std::span(corpus().rows).first(half * kDim));
  std::atomic<bool> done{false};
  std::atomic<size_t> searches{0};
  std::thread reader([&] {
    while (!done.load()) {
      const auto hits = index.search(corpus().query(searches % kQueries), 10);
      EXPECT_EQ(hits.size(), 10U);
      ++searches;
    }
  });
  for (size_t i = half; i < kCount; i += 500)
    index.add_batch(std::span(corpus().ids).subspan(i, 500),
                    std::span(corpus().rows).subspan(i * kDim, 500 * kDim));
  done = true;
  reader.join();
  EXPECT_EQ(index.size(), kCount);
  EXPECT_GT(searches.load(), 0U);
}

TEST(VectorIndex, BadInputIsRejectedWithoutPartialInserts) {
  VectorIndex index(options());
  std::vector<float> rows(3 * kDim, 0.5f);
  rows[kDim + 5] = NAN;  // the second vector
  const std::vector<int64_t> ids{1, 2, 3};
  EXPECT_THROW(index.add_batch(ids, rows), InputError);
  EXPECT_EQ(index.size(), 0U);
  rows[kDim + 5] = 0.5f;
  EXPECT_THROW(index.add_batch(std::vector<int64_t>{1, 2, 1}, rows), InputError);  // repeated id
  EXPECT_THROW(index.add_batch(ids, std::span(rows).first(2 * kDim)), InputError);
  EXPECT_THROW(index.search(std::vector<float>(kDim - 1, 1.0f), 10), InputError);
  EXPECT_THROW(index.search(std::vector<float>(kDim, 0.0f), 10), InputError);
  EXPECT_EQ(index.size(), 0U);
  EXPECT_TRUE(index.search(std::vector<float>(kDim, 1.0f), 10).empty());  // empty index

  VectorIndexOptions bad = options();
  bad.dim = 0;
  EXPECT_THROW(VectorIndex{bad}, InputError);
  bad = options();
  bad.m = 1;
  EXPECT_THROW(VectorIndex{bad}, InputError);
}

TEST(VectorIndex, NegativeAndLargeIdsRoundTrip) {
  VectorIndex index(options());
  const std::vector<int64_t> ids{-1, INT64_MAX, INT64_MIN};
  index.add_batch(ids, std::span(corpus().rows).first(3 * kDim));
  EXPECT_EQ(index.search(std::span(corpus().rows).first(kDim), 1)[0].id, -1);
  EXPECT_EQ(index.search(std::span(corpus().rows).subspan(kDim, kDim), 1)[0].id, INT64_MAX);
  EXPECT_EQ(index.search(std::span(corpus().rows).subspan(2 * kDim, kDim), 1)[0].id, INT64_MIN);
}

}  // namespace
}  // namespace tq
