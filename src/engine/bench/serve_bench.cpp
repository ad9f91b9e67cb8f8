#include "engine/bench/serve_bench.h"

#include <algorithm>
#include <random>
#include <vector>

#include "core/error.h"
#include "engine/bench/bench.h"
#include "engine/generation/scheduler.h"
#include "engine/model/model.h"

namespace tq {

namespace {

std::vector<TokenId> random_tokens(const Model& model, int32_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<TokenId> token(0, model.hparams().n_vocab - 1);
  std::vector<TokenId> out(static_cast<size_t>(n));
  for (auto& t : out) t = token(rng);
  return out;
}

GenerationParams bench_params(int32_t n_gen) {
  GenerationParams p;
  p.max_tokens = n_gen;
  p.sampling.temperature = 0.0f;
  p.ignore_eos = true;
  return p;
}

// Σ decoded tokens (the first of each comes from its prompt pass) / the longest decode.
double aggregate_decode(const std::vector<GenerationResult>& results) {
  double tokens = 0.0, seconds = 0.0;
  for (const auto& r : results) {
    tokens += static_cast<double>(r.generated.size()) - 1.0;
    seconds = std::max(seconds, r.decode_seconds);
  }
  return seconds > 0 ? tokens / seconds : 0.0;
}

}  // namespace

ParallelBenchResult run_parallel_bench(std::shared_ptr<const Model> model, ThreadPool& pool,
                                       int32_t n_seq, int32_t n_prompt, int32_t n_gen) {
  if (n_seq < 1 || n_prompt < 1 || n_gen < 2)
    throw InputError("parallel bench: needs >= 1 sequence, >= 1 prompt token, >= 2 generated");
  std::mt19937_64 rng(42);
  SchedulerOptions opt;
  opt.n_slots = n_seq;
  opt.n_ctx = n_prompt + n_gen + 1;
  opt.n_batch = std::max(n_seq * n_prompt, 1);
  opt.reuse_prefix = false;
  Scheduler sched(std::move(model), pool, opt);
  const Model& m = *sched.model();

  ParallelBenchResult r;
  r.n_seq = n_seq;
  sched.submit(random_tokens(m, n_prompt, rng), bench_params(2))->wait();  // warm-up
  double cpu0 = process_cpu_seconds();
  r.single_decode_tok_s = aggregate_decode(
      {sched.submit(random_tokens(m, n_prompt, rng), bench_params(n_gen))->wait()});
  r.single_cpu_s = process_cpu_seconds() - cpu0;
  cpu0 = process_cpu_seconds();
  std::vector<std::shared_ptr<ScheduledRequest>> reqs;
  reqs.reserve(static_cast<size_t>(n_seq));
  for (int32_t i = 0; i < n_seq; ++i)
    reqs.push_back(sched.submit(random_tokens(m, n_prompt, rng), bench_params(n_gen)));
  std::vector<GenerationResult> results;
  results.reserve(reqs.size());
  for (auto& q : reqs) results.push_back(q->wait());
  r.aggregate_decode_tok_s = aggregate_decode(results);
  r.aggregate_cpu_s = process_cpu_seconds() - cpu0;
  r.speedup = r.single_decode_tok_s > 0 ? r.aggregate_decode_tok_s / r.single_decode_tok_s : 0.0;
  return r;
}

PrefixBenchResult run_prefix_bench(std::shared_ptr<const Model> model, ThreadPool& pool,
                                   int32_t n_prefix, int32_t n_suffix) {
  if (n_prefix < 1 || n_suffix < 1)
    throw InputError("prefix bench: prefix and suffix need at least one token each");
  std::mt19937_64 rng(7);
  SchedulerOptions opt;
  opt.n_slots = 2;
  opt.n_ctx = n_prefix + n_suffix + 2;
  opt.n_batch = n_prefix + n_suffix;
  Scheduler sched(std::move(model), pool, opt);
  const Model& m = *sched.model();
  sched.submit(random_tokens(m, 8, rng), bench_params(1))->wait();  // warm-up, other tokens

  const auto prefix = random_tokens(m, n_prefix, rng);
  auto with_suffix = [&] {
    auto p = prefix;
    const auto s = random_tokens(m, n_suffix, rng);
    p.insert(p.end(), s.begin(), s.end());
    return p;
  };
  PrefixBenchResult r;
  r.n_prefix = n_prefix;
  r.n_suffix = n_suffix;
  double cpu0 = process_cpu_seconds();
  r.first_ttft_s = sched.submit(with_suffix(), bench_params(1))->wait().prompt_seconds;
  r.first_cpu_s = process_cpu_seconds() - cpu0;
  cpu0 = process_cpu_seconds();
  const GenerationResult second = sched.submit(with_suffix(), bench_params(1))->wait();
  r.second_cpu_s = process_cpu_seconds() - cpu0;
  r.second_ttft_s = second.prompt_seconds;
  r.reused_tokens = second.reused_prompt_tokens;
  r.ratio = r.second_ttft_s > 0 ? r.first_ttft_s / r.second_ttft_s : 0.0;
  return r;
}

}  // namespace tq
