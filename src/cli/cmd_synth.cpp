// triptyque synth: a GGUF with a real model's architecture and shapes and random weights,
// for benchmarking models we cannot (or need not) download.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/synth/synth_writer.h"

namespace tq::cli {
namespace {

struct SynthCliOptions {
  std::string shape;
  std::string type = "Q8_0";
  std::string output;
  uint64_t seed = 0;
  int32_t layers = 0;
  int threads = 0;
};

// A one-line bar redrawn in place on a terminal; nothing when stderr is a file or pipe.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) != 0) {}
  void update(const SynthProgress& p) {
    if (!enabled_ || p.bytes_total == 0) return;
    const int permille = static_cast<int>(p.bytes_done * 1000 / p.bytes_total);
    if (permille == last_) return;
    last_ = permille;
    constexpr int kWidth = 30;
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < permille * kWidth / 1000 ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r[%s] %5.1f%% %7.1f / %.1f MiB  %-28.28s", bar, permille / 10.0,
                 static_cast<double>(p.bytes_done) / (1 << 20),
                 static_cast<double>(p.bytes_total) / (1 << 20), std::string(p.tensor).c_str());
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_ && last_ >= 0) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  int last_ = -1;
};

int run_synth(const SynthCliOptions& o) {
  const auto type = synth_type_from_name(o.type);
  if (!type)
    throw InputError("unknown --type '" + o.type + "' (known: " + synth_type_names() + ")");
  SynthOptions so;
  so.type = *type;
  so.n_layer = o.layers;
  so.seed = o.seed;
  const SynthPlan plan = plan_synth_model(find_synth_shape(o.shape), so);
  ThreadPool pool(o.threads);
  ProgressBar bar;
  const auto t0 = std::chrono::steady_clock::now();
  write_synth_model(plan, o.seed, o.output, pool, [&](const SynthProgress& p) { bar.update(p); });
  bar.finish();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %s %s, %d layers, %.1f M parameters, %.1f MiB of tensors, seed %llu (%.1f s)\n",
              o.output.c_str(), plan.shape.name.c_str(), plan.type.name().c_str(),
              plan.shape.n_layer, static_cast<double>(plan.n_params()) / 1e6,
              static_cast<double>(plan.n_bytes()) / (1 << 20),
              static_cast<unsigned long long>(o.seed), s);
  return kExitOk;
}

}  // namespace

Action register_synth(CLI::App& app) {
  auto o = std::make_shared<SynthCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Write a GGUF with a real model's shapes and random weights (for benchmarks)");
  cmd->add_option("--shape", o->shape, "Model shape: " + synth_shape_names())->required();
  cmd->add_option("--type", o->type, "Weight type: " + synth_type_names())->capture_default_str();
  cmd->add_option("-o,--output", o->output, "GGUF file to write")->required();
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same file)")->capture_default_str();
  cmd->add_option("--layers", o->layers, "Number of blocks instead of the shape's (0: real)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("-t,--threads", o->threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 512));
  return [o] { return run_synth(*o); };
}

}  // namespace tq::cli
