// triptyque bench: llama-bench-style prompt (pp) and generation (tg) throughput, with the
// bytes each decoded token reads and, with --membw, the machine's read bandwidth to
// compare against; with --json-schema, the cost of constrained decoding.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/bench/bench.h"
#include "engine/bench/membw.h"
#include "engine/bench/serve_bench.h"
#include "engine/generation/generator.h"
#include "engine/gguf/gguf.h"
#include "engine/grammar/gbnf_parser.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/json_schema.h"
#include "engine/model/model.h"

namespace tq::cli {
namespace {

struct BenchCliOptions {
  std::string model;
  BenchParams params;
  int threads = 0;
  bool json = false;
  bool membw = false;
  int membw_mib = 1024;
  int membw_passes = 5;
  std::string schema_file;  // --json-schema: also measure constrained decoding
  int parallel = 0;         // --parallel N: aggregate decode of N sequences vs one
  int shared_prefix = 0;    // --shared-prefix N: time to first token with a cached prefix
  int suffix = 16;
};

// Continuous batching and prefix reuse, through the Scheduler as a server would use it.
void bench_serving(const std::shared_ptr<const Model>& model, ThreadPool& pool,
                   const BenchCliOptions& o, nlohmann::json& j) {
  if (o.parallel > 0) {
    const ParallelBenchResult r = run_parallel_bench(
        model, pool, o.parallel, std::max(1, o.params.n_prompt), std::max(2, o.params.n_gen));
    j["parallel_sequences"] = r.n_seq;
    j["single_decode_tok_s"] = r.single_decode_tok_s;
    j["parallel_decode_tok_s"] = r.aggregate_decode_tok_s;
    j["parallel_speedup"] = r.speedup;
    j["single_cpu_s"] = r.single_cpu_s;
    j["parallel_cpu_s"] = r.aggregate_cpu_s;
    if (!o.json)
      std::printf("%d sequences: %.2f tok/s together vs %.2f alone (x%.2f; CPU %.2f s vs %.2f s)\n",
                  r.n_seq, r.aggregate_decode_tok_s, r.single_decode_tok_s, r.speedup,
                  r.aggregate_cpu_s, r.single_cpu_s);
  }
  if (o.shared_prefix > 0) {
    const PrefixBenchResult r = run_prefix_bench(model, pool, o.shared_prefix, o.suffix);
    j["prefix_tokens"] = r.n_prefix;
    j["suffix_tokens"] = r.n_suffix;
    j["prefix_first_ttft_s"] = r.first_ttft_s;
    j["prefix_second_ttft_s"] = r.second_ttft_s;
    j["prefix_ttft_ratio"] = r.ratio;
    j["prefix_reused_tokens"] = r.reused_tokens;
    j["prefix_first_cpu_s"] = r.first_cpu_s;
    j["prefix_second_cpu_s"] = r.second_cpu_s;
    if (!o.json)
      std::printf(
          "shared %d-token prefix + %d-token suffix: first request %.3f s to first "
          "token, second %.3f s (x%.1f, %d tokens reused)\n",
          r.n_prefix, r.n_suffix, r.first_ttft_s, r.second_ttft_s, r.ratio, r.reused_tokens);
  }
}

// Decoding with and without a JSON-schema constraint, alternating runs so that machine
// noise hits both alike. Each constrained run builds its constraint from scratch (cold
// mask memo), as a request would; the vocabulary trie is built once, as a server keeps it.
// The overhead is reported two ways: time spent inside the constraint per token, relative
// to the unconstrained time per token (robust to noise), and the drop in tok/s.
void bench_constraint(const std::shared_ptr<const Model>& model, ThreadPool& pool,
                      const BenchCliOptions& o, nlohmann::json& j) {
  std::ifstream in(o.schema_file, std::ios::binary);
  if (!in) throw InputError("cannot read " + o.schema_file);
  const std::string schema((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto t0 = std::chrono::steady_clock::now();
  const auto grammar = std::make_shared<const Grammar>(parse_gbnf(json_schema_to_gbnf(schema)));
  const double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const auto trie = std::make_shared<const TokenTrie>(model->vocab());
  const double trie_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  const int32_t n_gen = std::max(2, o.params.n_gen);
  Generator gen(model, pool, n_gen + 16);
  const std::vector<TokenId> prompt = model->vocab().tokenize("JSON:", true, false);
  std::vector<double> free_tok_s, con_tok_s;
  double free_s = 0, inside_s = 0;
  size_t free_n = 0, con_n = 0;
  for (int rep = 0; rep <= o.params.repetitions; ++rep) {  // run 0 warms up
    GenerationParams p;
    p.max_tokens = n_gen;
    p.ignore_eos = true;
    p.sampling.temperature = 1.0f;
    p.sampling.seed = o.params.seed + static_cast<uint64_t>(rep);
    const GenerationResult a = gen.generate(prompt, p);
    auto constraint = std::make_shared<GrammarConstraint>(grammar, trie);
    p.constraint = constraint;
    const GenerationResult b = gen.generate(prompt, p);
    if (rep == 0) continue;
    free_tok_s.push_back(a.decode_tok_s());
    con_tok_s.push_back(b.decode_tok_s());
    free_s += a.decode_seconds, free_n += a.generated.size();
    con_n += b.generated.size();
    inside_s += constraint->seconds();
    if (!o.json)
      std::fprintf(stderr, "constraint run %d/%d: %zu tokens, %s\n", rep, o.params.repetitions,
                   b.generated.size(), b.text.substr(0, 60).c_str());
  }
  const MeanSd free = mean_sd(free_tok_s), con = mean_sd(con_tok_s);
  const double free_per_tok = free_s / static_cast<double>(free_n);
  const double inside_per_tok = inside_s / static_cast<double>(con_n);
  const double overhead = 100.0 * inside_per_tok / free_per_tok;
  const double drop = 100.0 * (1.0 - con.mean / free.mean);
  j["constraint_schema"] = o.schema_file;
  j["constraint_compile_ms"] = compile_ms;
  j["constraint_trie_ms"] = trie_ms;
  j["unconstrained_tok_s"] = free.mean;
  j["constrained_tok_s"] = con.mean;
  j["constrained_tokens_per_run"] = static_cast<double>(con_n) / o.params.repetitions;
  j["constraint_ms_per_token"] = 1e3 * inside_per_tok;
  j["constraint_overhead_pct"] = overhead;
  j["constrained_tok_s_drop_pct"] = drop;
  if (o.json) return;
  std::printf(
      "json schema %s: grammar %.1f ms, vocabulary trie %.1f ms (once per model)\n"
      "  unconstrained decode %.2f ± %.2f tok/s, constrained %.2f ± %.2f tok/s "
      "(%.0f tokens/run; tok/s drop %.1f%%)\n"
      "  inside the constraint: %.3f ms/token = %.1f%% of an unconstrained decode step\n",
      o.schema_file.c_str(), compile_ms, trie_ms, free.mean, free.sd, con.mean, con.sd,
      static_cast<double>(con_n) / o.params.repetitions, drop, 1e3 * inside_per_tok, overhead);
}

// The type holding most of the weight bytes, as a model's quantisation is usually named.
std::string dominant_type(const GgufFile& f) {
  std::map<GgmlType, uint64_t> bytes;
  for (const auto& t : f.tensors()) bytes[t.type] += t.nbytes;
  GgmlType best = GgmlType::F32;
  uint64_t most = 0;
  for (const auto& [type, n] : bytes)
    if (n > most) best = type, most = n;
  return std::string(type_name(best));
}

// llama-bench's units: GiB and billions, with smaller units for small models.
std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(n) / (1ull << 30));
  else
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(n) / (1ull << 20));
  return buf;
}

std::string human_count(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ull)
    std::snprintf(buf, sizeof buf, "%.2f B", static_cast<double>(n) / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.2f M", static_cast<double>(n) / 1e6);
  return buf;
}

void print_table(const std::string& name, const BenchResult& r) {
  std::printf("| %-40s | %10s | %9s | %6s | %7s | %7s | %18s |\n", "model", "size", "params", "isa",
              "threads", "test", "t/s");
  std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", std::string(40, '-').c_str(),
              "---------:", "--------:", "-----:", "------:", "------:", "-----------------:");
  auto row = [&](const char* test, int32_t n, const MeanSd& s) {
    char label[32], tps[48];
    std::snprintf(label, sizeof label, "%s%d", test, n);
    std::snprintf(tps, sizeof tps, "%.2f ± %.2f", s.mean, s.sd);
    std::printf("| %-40.40s | %10s | %9s | %6s | %7d | %7s | %18s |\n", name.c_str(),
                human_bytes(r.footprint.model_bytes).c_str(),
                human_count(r.footprint.n_params).c_str(), r.isa.c_str(), r.threads, label, tps);
  };
  if (r.params.n_prompt > 0) row("pp", r.params.n_prompt, r.prompt);
  if (r.params.n_gen > 0) row("tg", r.params.n_gen, r.decode);
}

int run_bench_cli(const BenchCliOptions& o) {
  if (o.model.empty() && !o.membw) throw InputError("give -m MODEL, --membw, or both");
  nlohmann::json j;
  std::optional<MemBandwidth> bw;
  if (o.membw) {
    bw =
        measure_memory_bandwidth(static_cast<size_t>(o.membw_mib) << 20, o.threads, o.membw_passes);
    j["membw_gb_s"] = bw->gb_s_n;
    j["membw_gb_s_1thread"] = bw->gb_s_1;
    j["membw_bytes"] = bw->bytes;
    if (!o.json)
      std::printf(
          "memory read bandwidth (%.0f MiB, best of %d): %.2f GB/s with 1 thread, "
          "%.2f GB/s with %d\n",
          static_cast<double>(bw->bytes) / (1 << 20), bw->passes, bw->gb_s_1, bw->gb_s_n,
          bw->threads);
  }
  if (!o.model.empty()) {
    if (bw) reset_peak_rss();  // the probe's buffer is gone and is not the model's memory
    auto model = Model::load(o.model);
    ThreadPool pool(o.threads);
    const BenchParams& p = o.params;
    const BenchResult r = run_bench(*model, pool, p, [&](int rep, const BenchRun& run) {
      if (o.json) return;
      std::fprintf(stderr, "run %d/%d: pp %.2f s, tg %.2f s\n", rep + 1, p.repetitions,
                   run.prompt_seconds, run.decode_seconds);
    });
    const std::string type = dominant_type(model->file());
    const std::string name =
        (model->hparams().name.empty() ? model->hparams().arch : model->hparams().name) + " " +
        type;
    j["model"] = o.model;
    j["model_name"] = model->hparams().name;
    j["model_type"] = type;
    j["model_bytes"] = r.footprint.model_bytes;
    j["n_params"] = r.footprint.n_params;
    j["n_prompt"] = p.n_prompt;
    j["n_gen"] = p.n_gen;
    j["repetitions"] = p.repetitions;
    j["threads"] = r.threads;
    j["isa"] = r.isa;
    j["prompt_tok_s"] = r.prompt.mean;
    j["prompt_tok_s_sd"] = r.prompt.sd;
    j["prompt_tok_s_runs"] = r.prompt_tok_s;
    j["decode_tok_s"] = r.decode.mean;
    j["decode_tok_s_sd"] = r.decode.sd;
    j["decode_tok_s_runs"] = r.decode_tok_s;
    j["prompt_cpu_s"] = r.prompt_cpu_s.mean;  // process CPU seconds per run, all threads
    j["prompt_cpu_s_sd"] = r.prompt_cpu_s.sd;
    j["decode_cpu_s"] = r.decode_cpu_s.mean;
    j["decode_cpu_s_sd"] = r.decode_cpu_s.sd;
    if (r.prompt_cpu_s.mean > 0) j["prompt_tok_per_cpu_s"] = p.n_prompt / r.prompt_cpu_s.mean;
    if (r.decode_cpu_s.mean > 0) j["decode_tok_per_cpu_s"] = p.n_gen / r.decode_cpu_s.mean;
    j["cpu_seconds"] = r.cpu_seconds;
    j["load_before"] = r.load_before;
    j["load_after"] = r.load_after;
    j["n_cpus"] = r.n_cpus;
    j["weight_bytes_per_token"] = r.footprint.weight_bytes_per_token;
    j["bytes_per_token"] = r.bytes_per_token;
    j["decode_gb_s"] = r.decode_gb_s;
    if (bw) j["decode_membw_ratio"] = r.decode_gb_s / bw->gb_s_n;
    j["peak_rss_bytes"] = r.peak_rss_bytes;
    j["kv_cache_bytes"] = r.kv_cache_bytes;
    j["rss_budget_bytes"] = r.rss_budget_bytes;
    j["rss_within_budget"] = r.peak_rss_bytes <= r.rss_budget_bytes;
    if (!o.json) {
      print_table(name, r);
      std::printf("decode reads %.1f MB/token -> %.2f GB/s", r.bytes_per_token / 1e6,
                  r.decode_gb_s);
      if (bw)
        std::printf(" (%.1f%% of the measured %.2f GB/s)", 100.0 * r.decode_gb_s / bw->gb_s_n,
                    bw->gb_s_n);
      std::printf("\n");
      std::printf(
          "CPU time per run: pp %.3f s (%.1f tok per CPU-s), tg %.3f s (%.1f tok per CPU-s); "
          "%.1f CPU-s in all; load %.2f -> %.2f on %d CPUs\n",
          r.prompt_cpu_s.mean, r.prompt_cpu_s.mean > 0 ? p.n_prompt / r.prompt_cpu_s.mean : 0.0,
          r.decode_cpu_s.mean, r.decode_cpu_s.mean > 0 ? p.n_gen / r.decode_cpu_s.mean : 0.0,
          r.cpu_seconds, r.load_before, r.load_after, r.n_cpus);
      std::printf("peak RSS %.1f MiB, budget %.1f MiB (tensors + KV cache %.1f MiB + 64 MiB): %s\n",
                  r.peak_rss_bytes / 1048576.0, r.rss_budget_bytes / 1048576.0,
                  r.kv_cache_bytes / 1048576.0,
                  r.peak_rss_bytes <= r.rss_budget_bytes ? "within" : "OVER");
    }
    if (!o.schema_file.empty()) bench_constraint(model, pool, o, j);
    bench_serving(model, pool, o, j);
  }
  if (o.json) std::printf("%s\n", j.dump().c_str());
  return kExitOk;
}

}  // namespace

Action register_bench(CLI::App& app) {
  auto o = std::make_shared<BenchCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure prompt and generation speed (llama-bench style) and memory bandwidth");
  cmd->add_option("-m,--model", o->model, "GGUF model file")->check(CLI::ExistingFile);
  cmd->add_option("-p,--n-prompt", o->params.n_prompt, "Prompt tokens processed in one batch")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("-n,--n-gen", o->params.n_gen, "Tokens generated one at a time")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("-r,--repetitions", o->params.repetitions, "Measured runs (after a warm-up)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("-t,--threads", o->threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 512));
  cmd->add_option("--seed", o->params.seed, "Seed of the random token ids")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of the table");
  cmd->add_flag("--membw", o->membw, "Also measure memory read bandwidth (1 and N threads)");
  cmd->add_option("--membw-mib", o->membw_mib, "Buffer size of the bandwidth probe, MiB")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--membw-passes", o->membw_passes, "Passes of the probe (best one counts)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--json-schema", o->schema_file,
                  "Also time decoding constrained to this JSON Schema against unconstrained "
                  "decoding (-n tokens, -r runs)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--parallel", o->parallel,
                  "Also decode N sequences together through the scheduler and report the "
                  "aggregate tok/s against one sequence (-p prompt, -n generated tokens)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--shared-prefix", o->shared_prefix,
                  "Also time the first token of two requests sharing an N-token prefix")
      ->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--suffix", o->suffix, "Distinct suffix tokens for --shared-prefix")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 16));
  return [o] { return run_bench_cli(*o); };
}

}  // namespace tq::cli
