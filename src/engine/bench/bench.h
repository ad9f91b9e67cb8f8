// llama-bench-style throughput measurement, in the engine so the CLI and the server share
// it: prompt processing (one batch of random tokens) and token generation (single-token
// decode steps), repeated on a fresh KV cache, reported with the bytes each decoded token
// reads so that tok/s becomes GB/s and can be compared with the memory's bandwidth.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tq {

class Model;
class ThreadPool;

struct BenchParams {
  int32_t n_prompt = 128;   // pp: tokens processed in one batch
  int32_t n_gen = 64;       // tg: decode steps after the prompt
  int32_t repetitions = 3;  // measured runs, after one short warm-up run
  uint64_t seed = 1234;     // for the random token ids
};

struct MeanSd {
  double mean = 0.0;
  double sd = 0.0;  // sample standard deviation (n − 1), 0 for one sample
};
MeanSd mean_sd(const std::vector<double>& xs);

// What the model costs in memory traffic, from its tensors.
struct ModelFootprint {
  uint64_t model_bytes = 0;             // tensor data in the file (llama-bench's "size")
  uint64_t n_params = 0;                // elements of every tensor
  uint64_t weight_bytes_per_token = 0;  // every weight read once per decoded token
  uint64_t kv_bytes_per_position = 0;   // K and V (F16) of one position, all layers
};
ModelFootprint model_footprint(const Model& model);

struct BenchRun {
  double prompt_seconds = 0.0;
  double decode_seconds = 0.0;
  // CPU time of the whole process over the same spans (every thread, spinning included):
  // on a machine shared with other work, wall time measures the neighbours as much as
  // the engine, CPU time much less so.
  double prompt_cpu_seconds = 0.0;
  double decode_cpu_seconds = 0.0;
};

struct BenchResult {
  BenchParams params;
  int threads = 0;
  std::string isa;  // the kernel level the tensor module chose ("scalar", "avx2", …)
  ModelFootprint footprint;
  std::vector<double> prompt_tok_s;  // one per repetition
  std::vector<double> decode_tok_s;
  MeanSd prompt;
  MeanSd decode;
  MeanSd prompt_cpu_s;  // process CPU seconds per run
  MeanSd decode_cpu_s;
  double cpu_seconds = 0.0;  // process CPU seconds of the whole benchmark, warm-up included
  // The machine's 1-minute load average before and after, and its online CPUs: the
  // context for reading the wall-clock numbers.
  double load_before = 0.0;
  double load_after = 0.0;
  int n_cpus = 0;
  // Mean bytes a decode step reads: the weights plus the K/V of every earlier position.
  uint64_t bytes_per_token = 0;
  double decode_gb_s = 0.0;  // bytes_per_token × mean decode tok/s
  // Memory: the process's peak resident set (VmHWM) after the runs, and the budget it is
  // held to: the file's tensors (mapped, not copied) + the KV cache + 64 MiB of working
  // memory. Zero where /proc is not readable.
  uint64_t peak_rss_bytes = 0;
  uint64_t kv_cache_bytes = 0;
  uint64_t rss_budget_bytes = 0;
};

// The process's peak resident set size in bytes (VmHWM of /proc/self/status), 0 if unknown.
uint64_t peak_rss_bytes();
// Starts the peak over from the current resident set (Linux clear_refs), so that memory
// freed before the measurement (e.g. the bandwidth probe's buffer) is not counted.
void reset_peak_rss();
// CPU seconds used by this process so far (all threads).
double process_cpu_seconds();
// The 1-minute load average (/proc/loadavg), 0 if unknown.
double load_average();

// Called after each measured repetition (index from 0), e.g. to print progress.
using BenchRunFn = std::function<void(int repetition, const BenchRun& run)>;

// Throws InputError for impossible parameters (nothing to run, negative counts).
BenchResult run_bench(const Model& model, ThreadPool& pool, const BenchParams& params,
                      const BenchRunFn& on_run = nullptr);

}  // namespace tq
