// Each stage of the sampler chain on hand-built distributions whose answer is known.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "engine/sampling/candidates.h"
#include "engine/sampling/penalties.h"
#include "engine/sampling/selection.h"
#include "engine/sampling/truncation.h"

namespace tq {
namespace {

// Logits whose softmax is exactly `probs` (up to rounding): log p.
std::vector<float> logits_of(const std::vector<float>& probs) {
  std::vector<float> out;
  for (float p : probs) out.push_back(std::log(p));
  return out;
}

std::vector<int32_t> ids(const CandidateList& list) {
  std::vector<int32_t> out;
  for (const auto& c : list.items()) out.push_back(c.id);
  return out;
}

TEST(SamplingStages, CandidateListRejectsEmptyAndNaN) {
  EXPECT_THROW({ CandidateList c(std::vector<float>{}); }, Error);
  const std::vector<float> bad = {0.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_THROW({ CandidateList c(bad); }, Error);
}

TEST(SamplingStages, SortBreaksTiesByLowestId) {
  const std::vector<float> logits = {1.0f, 3.0f, 1.0f, 3.0f, 2.0f};
  CandidateList list(logits);
  list.sort();
  EXPECT_TRUE(list.sorted());
  EXPECT_EQ(ids(list), (std::vector<int32_t>{1, 3, 4, 0, 2}));
}

TEST(SamplingStages, SoftmaxMatchesProbabilities) {
  CandidateList list(logits_of({0.1f, 0.2f, 0.3f, 0.4f}));
  list.softmax();
  EXPECT_NEAR(list[0].p, 0.1f, 1e-6);
  EXPECT_NEAR(list[3].p, 0.4f, 1e-6);
}

TEST(SamplingStages, GreedyPicksArgmax) {
  const std::vector<float> logits = {0.5f, -1.0f, 7.25f, 7.0f, 3.0f};
  CandidateList list(logits);
  GreedySampler().apply(list);
  ASSERT_TRUE(list.selected().has_value());
  EXPECT_EQ(list[*list.selected()].id, 2);
}

TEST(SamplingStages, GreedyTieGoesToLowestId) {
  const std::vector<float> logits = {1.0f, 4.0f, 2.0f, 4.0f};
  CandidateList list(logits);
  GreedySampler().apply(list);
  EXPECT_EQ(list[*list.selected()].id, 1);
}

TEST(SamplingStages, TopKKeepsTheKBest) {
  const std::vector<float> logits = {1.0f, 5.0f, 3.0f, 4.0f, 2.0f};
  CandidateList list(logits);
  TopKSampler(3, 1).apply(list);
  EXPECT_EQ(ids(list), (std::vector<int32_t>{1, 3, 2}));
  EXPECT_TRUE(list.sorted());
}

TEST(SamplingStages, TopKZeroIsOffAndMinKeepWins) {
  const std::vector<float> logits = {1.0f, 5.0f, 3.0f, 4.0f, 2.0f};
  CandidateList all(logits);
  TopKSampler(0, 1).apply(all);
  EXPECT_EQ(all.size(), 5u);
  CandidateList kept(logits);
  TopKSampler(1, 2).apply(kept);
  EXPECT_EQ(ids(kept), (std::vector<int32_t>{1, 3}));
}

TEST(SamplingStages, TopPKeepsTheSmallestNucleus) {
  // Probabilities by id; sorted: id2 .5, id0 .25, id3 .15, id1 .1
  const auto logits = logits_of({0.25f, 0.1f, 0.5f, 0.15f});
  auto run = [&](float p, size_t min_keep) {
    CandidateList list(logits);
    TopPSampler(p, min_keep).apply(list);
    return ids(list);
  };
  EXPECT_EQ(run(0.4f, 1), (std::vector<int32_t>{2}));
  EXPECT_EQ(run(0.7f, 1), (std::vector<int32_t>{2, 0}));
  EXPECT_EQ(run(0.8f, 1), (std::vector<int32_t>{2, 0, 3}));
  EXPECT_EQ(run(0.95f, 1), (std::vector<int32_t>{2, 0, 3, 1}));
  EXPECT_EQ(run(1.0f, 1).size(), 4u);
  EXPECT_EQ(run(0.1f, 3), (std::vector<int32_t>{2, 0, 3}));
}

TEST(SamplingStages, MinPIsRelativeToTheBestToken) {
  // p: .4 .3 .2 .06 .04 on ids 4 3 2 1 0
  const auto logits = logits_of({0.04f, 0.06f, 0.2f, 0.3f, 0.4f});
  auto run = [&](float min_p, size_t min_keep) {
    CandidateList list(logits);
    MinPSampler(min_p, min_keep).apply(list);
    auto out = ids(list);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(run(0.2f, 1), (std::vector<int32_t>{2, 3, 4}));      // threshold .08
  EXPECT_EQ(run(0.6f, 1), (std::vector<int32_t>{3, 4}));         // threshold .24
  EXPECT_EQ(run(0.12f, 1), (std::vector<int32_t>{1, 2, 3, 4}));  // threshold .048
  EXPECT_EQ(run(0.99f, 2), (std::vector<int32_t>{3, 4}));        // min_keep overrides
  EXPECT_EQ(run(0.0f, 1).size(), 5u);
}

TEST(SamplingStages, RepetitionPenaltyDividesPositiveMultipliesNegative) {
  const std::vector<float> logits = {2.0f, -2.0f, 1.0f, 0.5f};
  PenaltySampler penalties(64, 2.0f, 0.0f, 0.0f);
  penalties.accept(0);
  penalties.accept(1);
  penalties.accept(0);  // a second occurrence changes nothing for repetition alone
  CandidateList list(logits);
  penalties.apply(list);
  EXPECT_FLOAT_EQ(list[0].logit, 1.0f);
  EXPECT_FLOAT_EQ(list[1].logit, -4.0f);
  EXPECT_FLOAT_EQ(list[2].logit, 1.0f);
  EXPECT_FLOAT_EQ(list[3].logit, 0.5f);
}

TEST(SamplingStages, FrequencyAndPresencePenaltiesSubtractExactAmounts) {
  const std::vector<float> logits = {2.0f, -2.0f, 1.0f, 0.5f};
  PenaltySampler penalties(64, 1.0f, 0.5f, 0.25f);
  for (int32_t t : {0, 0, 0, 2}) penalties.accept(t);
  CandidateList list(logits);
  penalties.apply(list);
  EXPECT_FLOAT_EQ(list[0].logit, 2.0f - 3 * 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(list[1].logit, -2.0f);
  EXPECT_FLOAT_EQ(list[2].logit, 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(list[3].logit, 0.5f);
}

TEST(SamplingStages, RepetitionAppliesBeforeFrequencyAndPresence) {
  const std::vector<float> logits = {3.0f, -1.0f};
  PenaltySampler penalties(64, 1.5f, 0.5f, 1.0f);
  for (int32_t t : {0, 0, 1}) penalties.accept(t);
  CandidateList list(logits);
  penalties.apply(list);
  EXPECT_FLOAT_EQ(list[0].logit, 3.0f / 1.5f - 2 * 0.5f - 1.0f);
  EXPECT_FLOAT_EQ(list[1].logit, -1.0f * 1.5f - 0.5f - 1.0f);
  EXPECT_FALSE(list.sorted());
}

TEST(SamplingStages, PenaltyWindowSlidesAndResets) {
  PenaltySampler penalties(2, 2.0f, 0.0f, 0.0f);
  for (int32_t t : {0, 1, 2}) penalties.accept(t);
  EXPECT_EQ(penalties.count(0), 0);
  EXPECT_EQ(penalties.count(1), 1);
  EXPECT_EQ(penalties.count(2), 1);
  penalties.reset();
  EXPECT_EQ(penalties.count(1), 0);
  PenaltySampler off(0, 2.0f, 0.0f, 0.0f);
  off.accept(0);
  const std::vector<float> logits = {2.0f};
  CandidateList list(logits);
  off.apply(list);
  EXPECT_FLOAT_EQ(list[0].logit, 2.0f);
}

TEST(SamplingStages, PenaltiesFindTokensInAReorderedList) {
  const std::vector<float> logits = {0.0f, 4.0f, 1.0f, 2.0f};
  PenaltySampler penalties(8, 2.0f, 0.0f, 0.0f);
  penalties.accept(3);
  penalties.accept(99);  // outside the vocabulary: ignored
  CandidateList list(logits);
  list.sort();  // position no longer equals id
  penalties.apply(list);
  for (const auto& c : list.items())
    EXPECT_FLOAT_EQ(c.logit, c.id == 3 ? 1.0f : logits[static_cast<size_t>(c.id)]);
}

TEST(SamplingStages, TemperatureDividesLogitsAndKeepsOrder) {
  const std::vector<float> logits = {2.0f, -1.0f, 0.5f};
  CandidateList list(logits);
  list.sort();
  TemperatureSampler(0.5f).apply(list);
  EXPECT_TRUE(list.sorted());
  EXPECT_FLOAT_EQ(list[0].logit, 4.0f);
  EXPECT_FLOAT_EQ(list[1].logit, 1.0f);
  EXPECT_FLOAT_EQ(list[2].logit, -2.0f);
}

TEST(SamplingStages, ZeroTemperatureKeepsOnlyTheBest) {
  const std::vector<float> logits = {2.0f, 5.0f, 5.0f, 0.5f};
  CandidateList list(logits);
  TemperatureSampler(0.0f).apply(list);
  EXPECT_EQ(ids(list), (std::vector<int32_t>{1}));
}

TEST(SamplingStages, TinyTemperatureActsLikeZero) {
  const std::vector<float> logits = {20.0f, 30.0f, -5.0f};
  CandidateList list(logits);
  TemperatureSampler(1e-38f).apply(list);
  EXPECT_EQ(ids(list), (std::vector<int32_t>{1}));
}

}  // namespace
}  // namespace tq
