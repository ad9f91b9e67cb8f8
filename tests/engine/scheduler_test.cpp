// Continuous batching (engine/generation/scheduler.h) on stories260K, a real trained model:
// every request batched with others must produce exactly what it produces alone through
// Generator (greedy; the kernels give each (row, token) the same arithmetic whatever the
// batch), prefixes are reused and say so, cancellation and the context-overflow policies
// behave as documented, and more requests than slots all complete.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/generation/generator.h"
#include "engine/generation/scheduler.h"
#include "engine/model/model.h"
#include "support/gold.h"

namespace tq {
namespace {

std::shared_ptr<Model> stories() {
  return Model::load((test::gold_dir() / "models" / "stories260K.gguf").string());
}

GenerationParams greedy(int32_t max_tokens) {
  GenerationParams p;
  p.max_tokens = max_tokens;
  p.sampling.temperature = 0.0f;
  return p;
}

const char* kPrompts[] = {
    "Once upon a time", "The little dog",      "Lily and Tom went to the park",
    "One day, a big",   "She was sad because", "The sun was"};

TEST(Scheduler, BatchedRequestsMatchSingleGeneration) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  Generator gen(model, pool, 256);
  std::vector<std::string> alone;
  for (const char* p : kPrompts)
    alone.push_back(gen.generate(model->vocab().tokenize(p, true, true), greedy(40)).text);

  ThreadPool spool(2);
  Scheduler sched(model, spool, SchedulerOptions{.n_slots = 4, .n_ctx = 256, .n_batch = 64});
  std::vector<std::shared_ptr<ScheduledRequest>> reqs;
  for (const char* p : kPrompts)  // six requests, four slots: two wait for a free slot
    reqs.push_back(sched.submit(model->vocab().tokenize(p, true, true), greedy(40)));
  for (size_t i = 0; i < reqs.size(); ++i) {
    const GenerationResult r = reqs[i]->wait();
    EXPECT_EQ(r.text, alone[i]) << kPrompts[i];
    EXPECT_EQ(r.generated.size(), 40u);
    EXPECT_EQ(finish_reason_name(r.finish), "length");
  }
}

TEST(Scheduler, SharedPrefixIsReusedAndGivesTheSameText) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  const std::string system = "Once upon a time, there was a little girl named Lily. She";
  const auto first = model->vocab().tokenize(system, true, true);
  const auto second = model->vocab().tokenize(system + " had a red ball", true, true);
  ASSERT_EQ(std::vector<TokenId>(second.begin(), second.begin() + first.size()), first);

  Generator gen(model, pool, 256);
  const std::string want = gen.generate(second, greedy(30)).text;

  ThreadPool spool(2);
  Scheduler sched(model, spool, SchedulerOptions{.n_slots = 2, .n_ctx = 256});
  const GenerationResult a = sched.submit(first, greedy(5))->wait();
  EXPECT_EQ(a.reused_prompt_tokens, 0);
  const GenerationResult b = sched.submit(second, greedy(30))->wait();
  EXPECT_EQ(b.reused_prompt_tokens, static_cast<int32_t>(first.size()));
  EXPECT_EQ(b.text, want);

  // Without reuse the same text, nothing reused.
  Scheduler plain(model, spool,
                  SchedulerOptions{.n_slots = 2, .n_ctx = 256, .reuse_prefix = false});
  plain.submit(first, greedy(5))->wait();
  const GenerationResult c = plain.submit(second, greedy(30))->wait();
  EXPECT_EQ(c.reused_prompt_tokens, 0);
  EXPECT_EQ(c.text, want);
}

TEST(Scheduler, CancelEndsARequestAndFreesItsSlot) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  Scheduler sched(model, pool, SchedulerOptions{.n_slots = 1, .n_ctx = 512});
  std::atomic<int> pieces{0};
  auto params = greedy(400);
  params.ignore_eos = true;
  auto r = sched.submit(model->vocab().tokenize("Once upon a time", true, true), params,
                        [&](std::string_view) { return ++pieces < 1000; });
  while (pieces.load() < 3) std::this_thread::yield();
  r->cancel();
  const GenerationResult res = r->wait();
  EXPECT_EQ(res.finish, FinishReason::Cancelled);
  EXPECT_LT(res.generated.size(), 400u);
  // The sink can cancel too, and the single slot is free again for the next request.
  auto s = sched.submit(model->vocab().tokenize("The dog", true, true), params,
                        [](std::string_view) { return false; });
  EXPECT_EQ(s->wait().finish, FinishReason::Cancelled);
  EXPECT_EQ(sched.submit(model->vocab().tokenize("The cat", true, true), greedy(3))
                ->wait()
                .generated.size(),
            3u);
}

TEST(Scheduler, ContextOverflowIsAnErrorOrATruncationByConfiguration) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  std::string longer;
  for (int i = 0; i < 40; ++i) longer += "The little dog ran to the park. ";
  const auto prompt = model->vocab().tokenize(longer, true, true);
  ASSERT_GT(prompt.size(), 64u);

  Scheduler strict(model, pool, SchedulerOptions{.n_slots = 1, .n_ctx = 64});
  try {
    strict.submit(prompt, greedy(4))->wait();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("context holds 64"), std::string::npos) << e.what();
  }

  ThreadPool pool2(2);
  Scheduler lenient(
      model, pool2,
      SchedulerOptions{.n_slots = 1, .n_ctx = 64, .overflow = ContextOverflow::TruncateStart});
  const GenerationResult r = lenient.submit(prompt, greedy(8))->wait();
  EXPECT_LT(r.prompt_tokens.size(), 64u);
  EXPECT_EQ(r.prompt_tokens.front(), model->vocab().bos());
  EXPECT_EQ(r.prompt_tokens.back(), prompt.back());
  EXPECT_EQ(r.generated.size(), 8u);
}

TEST(Scheduler, LogprobsOnlyWhenAsked) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  Scheduler sched(model, pool, SchedulerOptions{.n_slots = 2, .n_ctx = 64});
  const auto prompt = model->vocab().tokenize("Once upon a time", true, true);
  auto plain = greedy(6);
  auto with = greedy(6);
  with.logprobs = true;
  const GenerationResult a = sched.submit(prompt, plain)->wait();
  const GenerationResult b = sched.submit(prompt, with)->wait();
  EXPECT_TRUE(a.logprobs.empty());
  ASSERT_EQ(b.logprobs.size(), 6u);
  for (float lp : b.logprobs) {
    EXPECT_LE(lp, 0.0f);
    EXPECT_GT(lp, -30.0f);  // greedy picks are likely tokens of a trained model
  }
  EXPECT_EQ(a.text, b.text);
}

TEST(Scheduler, GenerationStopsWhenTheContextIsFull) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  auto model = stories();
  ThreadPool pool(2);
  Scheduler sched(model, pool, SchedulerOptions{.n_slots = 1, .n_ctx = 16});
  auto params = greedy(100);
  params.ignore_eos = true;
  const auto prompt = model->vocab().tokenize("Once upon a time", true, true);
  const GenerationResult r = sched.submit(prompt, params)->wait();
  EXPECT_EQ(r.finish, FinishReason::ContextFull);
  EXPECT_EQ(r.prompt_tokens.size() + r.generated.size(), 17u);  // the last is never fed back
}

}  // namespace
}  // namespace tq
