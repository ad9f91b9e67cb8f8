// Perplexity of stories260K (a real, tiny TinyStories model) on a short children's story
// (tests/data/story.txt), in F32 and quantised to Q8_0 and Q4_0 by quantize_model: the
// values are finite and plausible, and losing precision does not help. Also the method's
// bookkeeping (chunks, scored tokens, running values) and its input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/generation/perplexity.h"
#include "engine/model/model.h"
#include "engine/quantize/quantize_model.h"
#include "engine/tokenizer/vocab.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path story() {
  return fs::path(TQ_SOURCE_DIR) / "tests" / "data" / "story.txt";
}
fs::path stories_model() {
  return test::gold_dir() / "models" / "stories260K.gguf";
}

PerplexityResult measure(const fs::path& model_path, ThreadPool& pool, int32_t n_ctx = 128) {
  const auto model = Model::load(model_path.string());
  const auto tokens = model->vocab().tokenize(test::read_file(story()), true, false);
  PerplexityParams p;
  p.n_ctx = n_ctx;
  return compute_perplexity(*model, pool, tokens, p);
}

TEST(Perplexity, Stories260KF32AndQuantised) {
  TQ_REQUIRE_PATH(stories_model());
  ThreadPool pool(2);
  const fs::path dir = test::scratch_dir("tq_perplexity_tests");
  const fs::path q8 = dir / "stories260K-q8_0.gguf";
  const fs::path q4 = dir / "stories260K-q4_0.gguf";
  quantize_model(stories_model().string(), q8.string(), QuantMix::Q8_0, pool);
  quantize_model(stories_model().string(), q4.string(), QuantMix::Q4_0, pool);

  const PerplexityResult f32 = measure(stories_model(), pool);
  const PerplexityResult r8 = measure(q8, pool);
  const PerplexityResult r4 = measure(q4, pool);
  std::printf("stories260K on story.txt, n_ctx 128, %d chunks, %lld tokens scored\n", f32.chunks,
              static_cast<long long>(f32.tokens_scored));
  std::printf("  F32  PPL = %.4f +/- %.4f\n", f32.perplexity, f32.stderr_ppl);
  std::printf("  Q8_0 PPL = %.4f +/- %.4f\n", r8.perplexity, r8.stderr_ppl);
  std::printf("  Q4_0 PPL = %.4f +/- %.4f\n", r4.perplexity, r4.stderr_ppl);

  for (const auto* r : {&f32, &r8, &r4}) {
    EXPECT_TRUE(std::isfinite(r->perplexity));
    // A 512-piece vocabulary bounds a useless model at ~512; a model trained on such
    // stories should do far better, and nothing is below 1.
    EXPECT_GT(r->perplexity, 1.0);
    EXPECT_LT(r->perplexity, 50.0);
    EXPECT_GT(r->stderr_ppl, 0.0);
  }
  // Q8_0 is near-lossless; Q4_0 loses some. Allow noise of 0.5% either way.
  EXPECT_NEAR(r8.perplexity, f32.perplexity, 0.02 * f32.perplexity);
  EXPECT_LE(f32.perplexity, r8.perplexity * 1.005);
  EXPECT_LE(r8.perplexity, r4.perplexity * 1.005);
  EXPECT_LT(r4.perplexity, f32.perplexity * 1.5);
}

TEST(Perplexity, ChunkBookkeeping) {
  TQ_REQUIRE_PATH(stories_model());
  ThreadPool pool(2);
  const auto model = Model::load(stories_model().string());
  const auto tokens = model->vocab().tokenize(test::read_file(story()), true, false);
  PerplexityParams p;
  p.n_ctx = 64;
  const PerplexityResult r = compute_perplexity(*model, pool, tokens, p);
  EXPECT_EQ(r.chunks, static_cast<int32_t>(tokens.size() / 64));
  EXPECT_EQ(r.tokens_scored, static_cast<int64_t>(r.chunks) * (64 - 1 - 32));
  ASSERT_EQ(r.running.size(), static_cast<size_t>(r.chunks));
  EXPECT_DOUBLE_EQ(r.running.back(), r.perplexity);

  // Batches smaller than a chunk give the same numbers (up to float summation order).
  p.n_batch = 16;
  const PerplexityResult small = compute_perplexity(*model, pool, tokens, p);
  EXPECT_NEAR(small.perplexity, r.perplexity, 1e-3 * r.perplexity);

  p.max_chunks = 2;
  EXPECT_EQ(compute_perplexity(*model, pool, tokens, p).chunks, 2);
}

TEST(Perplexity, TooShortTextIsAnInputError) {
  TQ_REQUIRE_PATH(stories_model());
  ThreadPool pool(1);
  const auto model = Model::load(stories_model().string());
  const auto tokens = model->vocab().tokenize("Once upon a time.", true, false);
  PerplexityParams p;
  EXPECT_THROW(compute_perplexity(*model, pool, tokens, p), InputError);
  p.n_ctx = 2;
  EXPECT_THROW(compute_perplexity(*model, pool, tokens, p), InputError);
}

}  // namespace
}  // namespace tq
