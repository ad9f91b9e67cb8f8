// triptyque perplexity -m FILE -f TEXT: llama.cpp's perplexity measurement (see
// engine/generation/perplexity.h), printing the running PPL after each chunk as
// llama-perplexity does ("[1]12.3456,[2]…") and the final estimate with its ± error.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/generation/perplexity.h"
#include "engine/model/model.h"
#include "engine/tokenizer/vocab.h"

namespace tq::cli {
namespace {

struct PerplexityOptions {
  std::string model;
  std::string text_file;
  int ctx = 128;
  int batch = 512;
  int chunks = 0;
  int threads = 0;
  bool json = false;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read text file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_perplexity(const PerplexityOptions& o) {
  const std::string text = read_text(o.text_file);
  const std::shared_ptr<Model> model = Model::load(o.model);
  ThreadPool pool(o.threads);
  // llama-perplexity tokenizes with the vocabulary's BOS and without parsing special tokens.
  const std::vector<TokenId> tokens = model->vocab().tokenize(text, true, false);
  PerplexityParams params;
  params.n_ctx = o.ctx;
  params.n_batch = o.batch;
  params.max_chunks = o.chunks;
  auto progress = [&o](int32_t chunk, int32_t, double ppl) {
    if (o.json) return;
    std::printf("[%d]%.4f,", chunk, ppl);
    std::fflush(stdout);
  };
  if (!o.json)
    std::printf("%zu tokens, %lld chunks of %d (second half of each scored)\n", tokens.size(),
                static_cast<long long>(tokens.size() / static_cast<size_t>(o.ctx)), o.ctx);
  const PerplexityResult r = compute_perplexity(*model, pool, tokens, params, progress);
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"perplexity", r.perplexity},
                                       {"stderr", r.stderr_ppl},
                                       {"chunks", r.chunks},
                                       {"tokens", r.tokens_scored}}
                            .dump()
                            .c_str());
    return kExitOk;
  }
  std::printf("\nFinal estimate: PPL = %.4f +/- %.5f (%lld tokens scored, %.2f s)\n", r.perplexity,
              r.stderr_ppl, static_cast<long long>(r.tokens_scored), r.seconds);
  return kExitOk;
}

}  // namespace

Action register_perplexity(CLI::App& app) {
  auto o = std::make_shared<PerplexityOptions>();
  CLI::App* cmd = app.add_subcommand(
      "perplexity", "Perplexity of a model on a text file (llama.cpp's chunked method)");
  cmd->add_option("-m,--model", o->model, "GGUF model file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-f,--file", o->text_file, "Text file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-c,--ctx", o->ctx, "Tokens per chunk (default 128)")
      ->check(CLI::Range(4, 1 << 20));
  cmd->add_option("-b,--batch", o->batch, "Tokens per forward pass (default 512)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--chunks", o->chunks, "Score at most this many chunks (default: all)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-t,--threads", o->threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 512));
  cmd->add_flag("--json", o->json, "Print {\"perplexity\", \"stderr\", \"chunks\", \"tokens\"}");
  return [o] { return run_perplexity(*o); };
}

}  // namespace tq::cli
