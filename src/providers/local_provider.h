// The `local` provider: GGUF models run by the engine in this process. Models load on
// first use and stay in an LRU of at most `max_loaded`; each loaded model owns a
// Scheduler (continuous batching over n_slots KV-cache slots of n_ctx positions), so
// concurrent requests for one model share its forward passes. An evicted model stays
// alive until the requests holding it finish. Chat prompts are rendered with the model's
// own chat template; JSON-schema answers are constrained by the grammar module.
#pragma once

#include <chrono>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "providers/provider.h"

namespace tq {

struct LocalProviderOptions {
  std::string name = "local";
  std::map<std::string, std::filesystem::path> models;  // alias → GGUF file
  int32_t max_loaded = 2;
  int32_t n_slots = 4;
  int32_t n_ctx = 2048;
  // Use n_ctx even past the model's training context (capped to it otherwise): for tiny
  // test models whose 512 positions hold no task prompt; a real model degrades past it.
  bool extend_context = false;
  int32_t threads = 0;  // 0: physical cores
  double price_eur_per_hour = 0;
  // The energy estimate: watts one busy core draws (an estimate, not a measurement: about
  // 10 W for a server core under load, package and memory included; set your machine's).
  // A call's energy_wh = its measured CPU seconds × cpu_watts_per_core / 3600.
  double cpu_watts_per_core = 10;

  // [providers.NAME] with kind = "local": models = { alias = "file.gguf" } and/or
  // models_dir = "dir" (every *.gguf, alias = file stem), max_loaded, n_slots, n_ctx,
  // extend_context, threads, price_eur_per_hour, cpu_watts_per_core. Relative paths are
  // resolved against `base_dir`.
  static LocalProviderOptions from_config(const std::string& name, const toml::table& section,
                                          const std::filesystem::path& base_dir);
};

class LocalProvider : public Provider {
 public:
  explicit LocalProvider(LocalProviderOptions options);
  ~LocalProvider() override;

  const std::string& name() const override { return options_.name; }
  bool is_local() const override { return true; }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override;

  // Aliases loaded now, most recently used first (for /metrics and tests).
  std::vector<std::string> loaded() const;
  // Tokens (prompt + completion) per second of wall time while at least one call ran,
  // over this provider's life; 0 before the first call.
  double measured_tokens_per_second() const;
  // The €/hour of the machine amortised over the measured throughput:
  //   cost = price_eur_per_hour / 3600 × tokens / measured_tokens_per_second
  // i.e. the share of a machine-hour these tokens used at the rate the machine sustains
  // (concurrent calls share the machine, so each pays only for its tokens).
  double cost_eur(const Usage& usage) const;
  // The energy estimate of `cpu_ms` of CPU time, in Wh (see cpu_watts_per_core).
  double energy_wh(double cpu_ms) const;

 private:
  struct Loaded;
  ChatResult generate(const ChatRequest& request, const DeltaSink& on_delta);
  std::shared_ptr<Loaded> acquire(const std::string& alias);
  void busy_begin();
  void busy_end(int64_t tokens);

  LocalProviderOptions options_;
  mutable std::mutex mutex_;
  std::list<std::pair<std::string, std::shared_ptr<Loaded>>> lru_;  // front: most recent
  std::mutex load_mutex_;                                           // one load at a time

  mutable std::mutex busy_mutex_;
  int in_flight_ = 0;
  std::chrono::steady_clock::time_point busy_since_;
  double busy_seconds_ = 0;
  int64_t busy_tokens_ = 0;
};

}  // namespace tq
