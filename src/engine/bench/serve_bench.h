// Serving benchmarks through the Scheduler (continuous batching): aggregate decode speed of
// several sequences against one, and the time to first token when a request shares a long
// prefix with an earlier one. Random token ids, greedy, end-of-generation ignored, so the
// numbers do not depend on what the model says.
#pragma once

#include <cstdint>
#include <memory>

namespace tq {

class Model;
class ThreadPool;

struct ParallelBenchResult {
  int32_t n_seq = 0;
  double single_decode_tok_s = 0.0;     // one sequence alone
  double aggregate_decode_tok_s = 0.0;  // all n_seq together, tokens of all per second
  double speedup = 0.0;                 // aggregate / single
  // Process CPU seconds (all threads) of each phase, its prompts included.
  double single_cpu_s = 0.0;
  double aggregate_cpu_s = 0.0;
};
ParallelBenchResult run_parallel_bench(std::shared_ptr<const Model> model, ThreadPool& pool,
                                       int32_t n_seq, int32_t n_prompt, int32_t n_gen);

struct PrefixBenchResult {
  int32_t n_prefix = 0, n_suffix = 0;
  double first_ttft_s = 0.0;   // prefix + suffix computed from scratch
  double second_ttft_s = 0.0;  // same prefix, another suffix: the prefix comes from the cache
  double ratio = 0.0;          // first / second
  int32_t reused_tokens = 0;   // as the second request reports it
  double first_cpu_s = 0.0;    // process CPU seconds of each request
  double second_cpu_s = 0.0;
};
PrefixBenchResult run_prefix_bench(std::shared_ptr<const Model> model, ThreadPool& pool,
                                   int32_t n_prefix, int32_t n_suffix);

}  // namespace tq
