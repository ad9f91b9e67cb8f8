// The `openai` provider: any OpenAI-compatible endpoint (OpenAI, Mistral, vLLM,
// llama-server, Ollama, another triptyque) over HTTP. Retries with backoff and jitter on
// 429/5xx/network errors (honouring Retry-After), connect / first-token / total timeouts,
// and a circuit breaker, so a failing upstream costs the router one fast error, not a hang.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "providers/circuit_breaker.h"
#include "providers/http_client.h"
#include "providers/pricing.h"
#include "providers/provider.h"
#include "providers/retry.h"

namespace tq {

struct OpenAIConfig {
  std::string base_url;             // as the OpenAI SDKs take it: "https://api.openai.com/v1"
  std::string api_key;              // empty: no Authorization header (local vLLM, llama-server)
  std::vector<std::string> models;  // served model names (empty: ask GET /models)
  bool local = false;  // the upstream runs on this machine: local-only data may go there
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds first_token_timeout{30000};  // streamed calls only
  std::chrono::milliseconds total_timeout{120000};       // the whole call, retries included
  RetryPolicy retry;
  int breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{30000};
  PriceTable prices;

  // Reads a `[providers.NAME]` section; `name` is used in error messages. The API key is
  // read from the environment variable named by `api_key_env`.
  static OpenAIConfig from_toml(const std::string& name, const toml::table& section);
};

class OpenAIProvider : public Provider {
 public:
  OpenAIProvider(std::string name, OpenAIConfig config);

  const std::string& name() const override { return name_; }
  bool is_local() const override { return config_.local; }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override;
  std::optional<Price> price(const std::string& model) const override {
    return config_.prices.find(model);
  }

  CircuitBreaker& breaker() { return breaker_; }
  const OpenAIConfig& config() const { return config_; }

 private:
  struct Attempt;  // one HTTP try of a chat call
  ChatResult chat_once(const ChatRequest& request, const DeltaSink& on_delta,
                       std::chrono::steady_clock::time_point call_start,
                       std::chrono::milliseconds budget, bool& streamed_to_client);
  std::chrono::milliseconds next_wait(const ProviderError& e, int retry);
  HttpRequest base_request(const std::string& path) const;

  std::string name_;
  OpenAIConfig config_;
  mutable HttpClient http_;
  CircuitBreaker breaker_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

// For the provider registry: `register_provider_kind("openai", make_openai_provider)`.
std::unique_ptr<Provider> make_openai_provider(const std::string& name, const toml::table& section);

// The JSON body of POST /chat/completions for `request` (exposed for tests).
nlohmann::json openai_chat_body(const ChatRequest& request, bool stream);

// Maps an upstream HTTP error status and body to the error the router acts on.
ProviderError openai_http_error(const std::string& provider, int status, const std::string& body,
                                std::optional<std::chrono::milliseconds> retry_after);

}  // namespace tq
