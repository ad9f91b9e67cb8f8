#include "engine/bench/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/gguf/gguf.h"
#include "engine/model/model.h"
#include "engine/tensor/cpu_features.h"

namespace tq {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One run: a fresh cache, n_prompt random tokens in one batch (only the last token's
// logits, as a prompt needs), then n_gen single-token steps with logits, as decoding
// does. Random ids rather than sampled ones keep sampling out of the measurement, as
// llama-bench does.
BenchRun run_once(const Model& model, ThreadPool& pool, int32_t n_prompt, int32_t n_gen,
                  std::mt19937_64& rng) {
  std::uniform_int_distribution<int32_t> token(0, model.hparams().n_vocab - 1);
  KvCache cache = model.make_cache(1, std::max(1, n_prompt + n_gen));
  ForwardOutput out;
  BenchRun run;
  if (n_prompt > 0) {
    Batch batch;
    for (int32_t i = 0; i < n_prompt; ++i) batch.add(token(rng), i, 0, i == n_prompt - 1);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    model.forward(pool, batch, cache, ForwardRequest{}, out);
    run.prompt_seconds = seconds_since(t0);
    run.prompt_cpu_seconds = process_cpu_seconds() - c0;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_seconds();
  for (int32_t i = 0; i < n_gen; ++i) {
    Batch batch;
    batch.add(token(rng), n_prompt + i, 0, true);
    model.forward(pool, batch, cache, ForwardRequest{}, out);
  }
  if (n_gen > 0) {
    run.decode_seconds = seconds_since(t0);
    run.decode_cpu_seconds = process_cpu_seconds() - c0;
  }
  return run;
}

}  // namespace

MeanSd mean_sd(const std::vector<double>& xs) {
  MeanSd r;
  if (xs.empty()) return r;
  for (double x : xs) r.mean += x;
  r.mean /= static_cast<double>(xs.size());
  if (xs.size() < 2) return r;
  double ss = 0.0;
  for (double x : xs) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  return r;
}

ModelFootprint model_footprint(const Model& model) {
  ModelFootprint f;
  const GgufFile& file = model.file();
  // Without output.weight the embedding matrix is also the output projection and is read
  // whole every step; with it, decoding looks up one embedding row.
  const bool separate_output = file.find_tensor("output.weight") != nullptr;
  for (const auto& t : file.tensors()) {
    f.model_bytes += t.nbytes;
    f.n_params += static_cast<uint64_t>(t.n_elements());
    if (t.name == "token_embd.weight" && separate_output)
      f.weight_bytes_per_token +=
          t.nbytes / static_cast<uint64_t>(std::max<int64_t>(1, t.n_rows()));
    else
      f.weight_bytes_per_token += t.nbytes;
  }
  const ModelHParams& hp = model.hparams();
  f.kv_bytes_per_position =
      2ull * static_cast<uint64_t>(hp.n_layer) * static_cast<uint64_t>(hp.n_embd_kv()) * 2ull;
  return f;
}

uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
  }
  return 0;
}

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";  // 5: reset the peak resident set to the current one
}

double process_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double load = 0.0;
  in >> load;
  return in ? load : 0.0;
}

BenchResult run_bench(const Model& model, ThreadPool& pool, const BenchParams& p,
                      const BenchRunFn& on_run) {
  if (p.n_prompt < 0 || p.n_gen < 0 || p.n_prompt + p.n_gen == 0)
    throw InputError("bench: the prompt and generation lengths must be >= 0 and not both 0");
  if (p.repetitions < 1) throw InputError("bench: repetitions must be at least 1");
  BenchResult r;
  r.params = p;
  r.threads = pool.size();
  r.isa = std::string(active_isa());
  r.footprint = model_footprint(model);
  r.load_before = load_average();
  r.n_cpus = static_cast<int>(std::thread::hardware_concurrency());
  const double cpu0 = process_cpu_seconds();
  std::mt19937_64 rng(p.seed);

  // Warm-up: one step over every weight pages the mapped file in and starts the threads;
  // a short prompt is enough for that and keeps slow builds from paying a whole run.
  run_once(model, pool, std::min(p.n_prompt, 8), std::min(p.n_gen, 1), rng);

  std::vector<double> prompt_cpu, decode_cpu;
  for (int rep = 0; rep < p.repetitions; ++rep) {
    const BenchRun run = run_once(model, pool, p.n_prompt, p.n_gen, rng);
    if (p.n_prompt > 0) {
      r.prompt_tok_s.push_back(p.n_prompt / run.prompt_seconds);
      prompt_cpu.push_back(run.prompt_cpu_seconds);
    }
    if (p.n_gen > 0) {
      r.decode_tok_s.push_back(p.n_gen / run.decode_seconds);
      decode_cpu.push_back(run.decode_cpu_seconds);
    }
    if (on_run) on_run(rep, run);
  }
  r.prompt = mean_sd(r.prompt_tok_s);
  r.decode = mean_sd(r.decode_tok_s);
  r.prompt_cpu_s = mean_sd(prompt_cpu);
  r.decode_cpu_s = mean_sd(decode_cpu);
  r.cpu_seconds = process_cpu_seconds() - cpu0;
  r.load_after = load_average();
  // Step i attends over n_prompt + i + 1 positions; the mean over the steps:
  const double mean_positions = p.n_prompt + (p.n_gen + 1) / 2.0;
  r.bytes_per_token = r.footprint.weight_bytes_per_token +
                      static_cast<uint64_t>(mean_positions *
                                            static_cast<double>(r.footprint.kv_bytes_per_position));
  r.decode_gb_s = static_cast<double>(r.bytes_per_token) * r.decode.mean / 1e9;
  r.kv_cache_bytes =
      static_cast<uint64_t>(std::max(1, p.n_prompt + p.n_gen)) * r.footprint.kv_bytes_per_position;
  r.rss_budget_bytes = r.footprint.model_bytes + r.kv_cache_bytes + (uint64_t{64} << 20);
  r.peak_rss_bytes = peak_rss_bytes();
  return r;
}

}  // namespace tq
