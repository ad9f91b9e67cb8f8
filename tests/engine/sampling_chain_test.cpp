// The assembled chain: order, validation, reproducibility and the distribution it draws.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/sampling/log_prob.h"
#include "engine/sampling/sampler_chain.h"
#include "engine/sampling/selection.h"

namespace tq {
namespace {

std::vector<float> logits_of(const std::vector<double>& probs) {
  std::vector<float> out;
  for (double p : probs) out.push_back(static_cast<float>(std::log(p)));
  return out;
}

// A chain that only draws: every token keeps its softmax probability.
SamplingParams untruncated(float temperature, uint64_t seed) {
  SamplingParams p;
  p.temperature = temperature;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = seed;
  return p;
}

std::vector<int32_t> draw(SamplerChain& chain, const std::vector<float>& logits, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(chain.sample(logits));
  return out;
}

TEST(SamplingChain, DefaultOrderIsLlamaCpps) {
  SamplingParams p;
  p.seed = 1;
  EXPECT_EQ(SamplerChain(p).describe(),
            "penalties -> top-k -> top-p -> min-p -> temperature -> dist");
  p.temperature = 0.0f;
  EXPECT_EQ(SamplerChain(p).describe(), "penalties -> greedy");
}

TEST(SamplingChain, ValidationNamesTheParameterAndRange) {
  auto message_for = [](auto mutate) -> std::string {
    SamplingParams p;
    mutate(p);
    try {
      SamplerChain chain(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  auto has = [](const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
  };
  const auto top_p = message_for([](SamplingParams& p) { p.top_p = 1.5f; });
  EXPECT_TRUE(has(top_p, "top_p") && has(top_p, "(0, 1]")) << top_p;
  EXPECT_TRUE(has(message_for([](SamplingParams& p) { p.top_p = 0.0f; }), "top_p"));
  EXPECT_TRUE(has(message_for([](SamplingParams& p) { p.top_p = NAN; }), "top_p"));
  const auto top_k = message_for([](SamplingParams& p) { p.top_k = -1; });
  EXPECT_TRUE(has(top_k, "top_k") && has(top_k, ">= 0")) << top_k;
  EXPECT_TRUE(has(message_for([](SamplingParams& p) { p.min_p = -0.1f; }), "min_p"));
  EXPECT_TRUE(
      has(message_for([](SamplingParams& p) { p.repeat_penalty = 0.0f; }), "repeat_penalty"));
  EXPECT_TRUE(has(message_for([](SamplingParams& p) { p.penalty_last_n = -1; }), "penalty_last_n"));
  EXPECT_TRUE(has(message_for([](SamplingParams& p) { p.temperature = INFINITY; }), "temperature"));
  EXPECT_TRUE(
      has(message_for([](SamplingParams& p) { p.frequency_penalty = NAN; }), "frequency_penalty"));
  EXPECT_EQ(message_for([](SamplingParams&) {}), "(no error)");
}

TEST(SamplingChain, ZeroTemperatureIsGreedyAfterPenalties) {
  SamplingParams p;
  p.temperature = 0.0f;
  p.repeat_penalty = 4.0f;
  SamplerChain chain(p);
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f};
  EXPECT_EQ(chain.sample(logits), 1);
  chain.accept(1);  // 3 / 4 = 0.75 now ranks below 1 and 2
  EXPECT_EQ(chain.sample(logits), 2);
  chain.reset();
  EXPECT_EQ(chain.sample(logits), 1);
}

TEST(SamplingChain, PlainGreedyPicksTheFirstMaximumLikeTheGreedyStage) {
  SamplingParams p;
  p.temperature = 0.0f;  // penalties at their neutral defaults: the argmax shortcut
  SamplerChain fast(p);
  SamplerChain staged;  // the same picks through the candidate list
  staged.add(std::make_unique<GreedySampler>());
  for (const std::vector<float>& logits :
       {std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f}, std::vector<float>{-5.0f, -5.0f},
        std::vector<float>{0.5f}, std::vector<float>{2.0f, -1e30f, 7.5f, 7.5f, 7.49f}}) {
    EXPECT_EQ(fast.sample(logits), staged.sample(logits));
    fast.accept(0);  // accepting changes nothing while penalties are off
    EXPECT_EQ(fast.sample(logits), staged.sample(logits));
  }
}

TEST(SamplingChain, TopKOfOneAlwaysReturnsTheArgmax) {
  SamplingParams p;
  p.top_k = 1;
  p.seed = 7;
  SamplerChain chain(p);
  const std::vector<float> logits = {0.1f, 0.3f, 0.2f, 0.25f};
  for (int i = 0; i < 100; ++i) ASSERT_EQ(chain.sample(logits), 1);
}

TEST(SamplingChain, SameSeedSameSequenceDifferentSeedDifferent) {
  SamplingParams p;  // the default chain, so sorting and truncation are covered too
  p.temperature = 1.0f;
  p.top_k = 0;
  p.min_p = 0.0f;
  std::vector<double> probs;
  for (int i = 0; i < 50; ++i) probs.push_back(1.0 / 50 + (i % 7) * 0.001);
  const auto logits = logits_of(probs);
  p.seed = 1234;
  SamplerChain a(p), b(p);
  const auto first = draw(a, logits, 1000);
  EXPECT_EQ(first, draw(b, logits, 1000));
  a.reset();
  EXPECT_EQ(first, draw(a, logits, 1000));
  p.seed = 1235;
  SamplerChain c(p);
  EXPECT_NE(first, draw(c, logits, 1000));
}

TEST(SamplingChain, DrawFollowsTheDocumentedFormula) {
  // Reproduced independently from DistSampler's comment: seed_seq{lo, hi} → mt19937,
  // u = one output / 2^32, walk the candidates in list order. Only the standard-fixed
  // parts of <random> are used, so this holds on any standard library.
  const uint64_t seed = 0x0123456789abcdefull;
  SamplerChain chain;
  chain.add(std::make_unique<DistSampler>(seed));
  const auto logits = logits_of({0.3, 0.7});
  std::seed_seq seq{0x89abcdefu, 0x01234567u};
  std::mt19937 engine(seq);
  for (int i = 0; i < 200; ++i) {
    const double u = static_cast<double>(engine()) / 4294967296.0;
    ASSERT_EQ(chain.sample(logits), u < 0.3 ? 0 : 1) << "draw " << i << ", u = " << u;
  }
}

// Draws n tokens and compares each token's frequency with its expected probability.
void expect_frequencies(SamplerChain& chain, const std::vector<float>& logits,
                        const std::vector<double>& expected, int n, double tolerance) {
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(chain.sample(logits))];
  for (size_t t = 0; t < expected.size(); ++t)
    EXPECT_NEAR(static_cast<double>(counts[t]) / n, expected[t], tolerance) << "token " << t;
}

TEST(SamplingChain, DistFrequenciesMatchSoftmax) {
  // ±0.012 is over 4 standard deviations for p = 0.4 at 20000 draws.
  const std::vector<double> probs = {0.05, 0.4, 0.1, 0.25, 0.2};
  SamplerChain chain(untruncated(1.0f, 42));
  expect_frequencies(chain, logits_of(probs), probs, 20000, 0.012);
}

TEST(SamplingChain, TemperatureReshapesTheDistribution) {
  const std::vector<float> logits = {1.0f, 2.0f, 0.0f, 1.5f};
  for (float temperature : {0.5f, 2.0f}) {
    std::vector<double> expected;
    double sum = 0.0;
    for (float l : logits) sum += std::exp(l / temperature);
    for (float l : logits) expected.push_back(std::exp(l / temperature) / sum);
    SamplerChain chain(untruncated(temperature, 99));
    SCOPED_TRACE(temperature);
    expect_frequencies(chain, logits, expected, 20000, 0.012);
  }
}

TEST(SamplingChain, TruncationHappensBeforeTheDraw) {
  // top_k = 2 leaves ids 1 and 3 at .4 and .25, renormalised to .615 and .385.
  SamplingParams p = untruncated(1.0f, 5);
  p.top_k = 2;
  SamplerChain chain(p);
  const std::vector<double> probs = {0.05, 0.4, 0.1, 0.25, 0.2};
  expect_frequencies(chain, logits_of(probs), {0.0, 0.4 / 0.65, 0.0, 0.25 / 0.65, 0.0}, 20000,
                     0.012);
}

TEST(SamplingChain, EmptyChainOrNoPickIsAnError) {
  SamplerChain chain;
  const std::vector<float> logits = {1.0f};
  EXPECT_THROW(chain.sample(logits), Error);
  EXPECT_THROW(SamplerChain(untruncated(1.0f, 1)).sample(std::vector<float>{}), Error);
}

TEST(SamplingChain, AllMaskedLogitsAreAnError) {
  const std::vector<float> logits(4, -INFINITY);
  SamplerChain chain(untruncated(1.0f, 1));
  EXPECT_THROW(chain.sample(logits), Error);
}

TEST(SamplingChain, LogSoftmaxAt) {
  const auto logits = logits_of({0.1, 0.2, 0.7});
  EXPECT_NEAR(log_softmax_at(logits, 2), std::log(0.7), 1e-6);
  EXPECT_NEAR(log_softmax_at(logits, 0), std::log(0.1), 1e-6);
  // Shift-invariant and stable for logits that would overflow exp() directly.
  const std::vector<float> big = {1000.0f, 0.0f};
  EXPECT_NEAR(log_softmax_at(big, 0), 0.0f, 1e-6);
  EXPECT_NEAR(log_softmax_at(big, 1), -1000.0f, 1e-3);
  EXPECT_THROW(log_softmax_at(logits, 3), Error);
  EXPECT_THROW(log_softmax_at(logits, -1), Error);
}

}  // namespace
}  // namespace tq
