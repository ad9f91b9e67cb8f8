// The building blocks checked against independent references: the CRC-32 check value
// from the CRC catalogue, distances against double-precision loops, the exact index
// against a full sort.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string_view>

#include "core/error.h"
#include "rag/vector/distance.h"
#include "rag/vector/exact_index.h"
#include "rag/vector/index_file.h"
#include "rag/vector_test_support.h"

namespace tq {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(VectorKernels, Crc32MatchesTheStandardCheckValues) {
  // CRC-32/ISO-HDLC (zlib's): check value of "123456789" from the CRC catalogue.
  EXPECT_EQ(crc32_update(0, bytes_of("123456789")), 0xCBF43926U);
  EXPECT_EQ(crc32_update(0, bytes_of("")), 0U);
  // Chained calls equal one call over the concatenation.
  EXPECT_EQ(crc32_update(crc32_update(0, bytes_of("1234")), bytes_of("56789")), 0xCBF43926U);
  // zlib.crc32(b"The quick brown fox jumps over the lazy dog") == 0x414FA339
  EXPECT_EQ(crc32_update(0, bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339U);
}

TEST(VectorKernels, DistancesAgreeWithDoublePrecisionLoops) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  for (const size_t n : {1U, 3U, 8U, 15U, 16U, 17U, 384U, 385U, 1024U}) {
    std::vector<float> a(n), b(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = u(rng);
      b[i] = u(rng);
    }
    double dot = 0, l2 = 0;
    for (size_t i = 0; i < n; ++i) {
      dot += double{a[i]} * b[i];
      l2 += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
    }
    const double tol = 1e-5 * static_cast<double>(n);
    EXPECT_NEAR(dot_product(a.data(), b.data(), n), dot, tol) << "n=" << n;
    EXPECT_NEAR(squared_l2(a.data(), b.data(), n), l2, tol) << "n=" << n;
  }
}

TEST(VectorKernels, NormalizeRejectsDirectionlessVectors) {
  std::vector<float> v{3.0f, 4.0f};
  ASSERT_TRUE(normalize(v));
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  std::vector<float> zero{0.0f, 0.0f};
  EXPECT_FALSE(normalize(zero));
  std::vector<float> nan{NAN, 1.0f};
  EXPECT_FALSE(normalize(nan));
  // Large components: the norm is summed in double, not overflowed to inf.
  std::vector<float> big{3e38f, 3e38f};
  ASSERT_TRUE(normalize(big));
  EXPECT_NEAR(big[0], std::sqrt(0.5f), 1e-6);
}

TEST(ExactVectorIndex, ScoresWorkedOutByHand) {
  ExactVectorIndex cosine(2, VectorMetric::kCosine);
  cosine.add(10, std::vector<float>{2.0f, 0.0f});   // normalised to (1, 0)
  cosine.add(11, std::vector<float>{0.0f, 5.0f});   // (0, 1)
  cosine.add(12, std::vector<float>{1.0f, 1.0f});   // (√½, √½)
  cosine.add(13, std::vector<float>{-1.0f, 0.0f});  // (-1, 0)
  const auto hits = cosine.search(std::vector<float>{3.0f, 0.0f}, 3);
  ASSERT_EQ(hits.size(), 3U);
  EXPECT_EQ(hits[0].id, 10);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-6);
  EXPECT_EQ(hits[1].id, 12);
  EXPECT_NEAR(hits[1].score, std::sqrt(0.5f), 1e-6);
  EXPECT_EQ(hits[2].id, 11);
  EXPECT_NEAR(hits[2].score, 0.0f, 1e-6);

  ExactVectorIndex l2(2, VectorMetric::kL2);
  l2.add(1, std::vector<float>{0.0f, 0.0f});
  l2.add(2, std::vector<float>{3.0f, 4.0f});
  const auto near = l2.search(std::vector<float>{3.0f, 0.0f}, 2);
  ASSERT_EQ(near.size(), 2U);
  EXPECT_EQ(near[0].id, 1);  // distance² 9
  EXPECT_FLOAT_EQ(near[0].score, -9.0f);
  EXPECT_EQ(near[1].id, 2);  // distance² 16
  EXPECT_FLOAT_EQ(near[1].score, -16.0f);
}

TEST(ExactVectorIndex, AgreesWithAFullSortAndHonoursFiltersAndRemoval) {
  const size_t dim = 32, n = 2000;
  const auto rows = test::clustered_vectors(n, dim, 20, 0.1f, 3);
  const auto queries = test::clustered_vectors(20, dim, 20, 0.1f, 4);
  ExactVectorIndex index(dim, VectorMetric::kCosine);
  for (size_t i = 0; i < n; ++i)
    index.add(static_cast<int64_t>(i), std::span<const float>(&rows[i * dim], dim));
  ASSERT_TRUE(index.remove(5));
  ASSERT_FALSE(index.remove(5));
  const auto allowed = [](int64_t id) { return id % 3 != 0 && id != 5; };
  for (size_t q = 0; q < 20; ++q) {
    const float* query = &queries[q * dim];
    const auto truth = test::reference_top_k(rows, dim, query, 10, false, allowed);
    const auto hits = index.search(std::span<const float>(query, dim), 10,
                                   [](int64_t id) { return id % 3 != 0; });
    std::vector<int64_t> ids;
    ids.reserve(hits.size());
    for (const auto& h : hits) ids.push_back(h.id);
    EXPECT_EQ(ids, truth) << "query " << q;
  }
}

TEST(ExactVectorIndex, RejectsBadVectorsByName) {
  ExactVectorIndex index(3, VectorMetric::kCosine);
  EXPECT_THROW(index.add(1, std::vector<float>{1.0f, 2.0f}), InputError);
  EXPECT_THROW(index.add(1, std::vector<float>{0.0f, 0.0f, 0.0f}), InputError);
  try {
    index.add(42, std::vector<float>{1.0f, NAN, 0.0f});
    FAIL() << "NaN accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("vector 42"), std::string::npos) << e.what();
  }
  EXPECT_EQ(index.size(), 0U);
}

}  // namespace
}  // namespace tq
