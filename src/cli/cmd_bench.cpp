// triptyque bench: llama-bench-style prompt (pp) and generation (tg) throughput, with the
// bytes each decoded token reads and, with --membw, the machine's read bandwidth to
// compare against.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/bench/bench.h"
#include "engine/bench/membw.h"
#include "engine/gguf/gguf.h"
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
};

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
      std::printf("peak RSS %.1f MiB, budget %.1f MiB (tensors + KV cache %.1f MiB + 64 MiB): %s\n",
                  r.peak_rss_bytes / 1048576.0, r.rss_budget_bytes / 1048576.0,
                  r.kv_cache_bytes / 1048576.0,
                  r.peak_rss_bytes <= r.rss_budget_bytes ? "within" : "OVER");
    }
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
  return [o] { return run_bench_cli(*o); };
}

}  // namespace tq::cli
