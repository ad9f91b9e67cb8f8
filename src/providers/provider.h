// One interface over every model triptyque can call (docs/ARCHITECTURE.md): `local` (the
// engine, in-process) and `openai` (any OpenAI-compatible endpoint). The server, the
// router and the tasks only ever see this interface, so a route is a provider name plus
// a model name, and every call reports the same usage/timing facts for the ledger.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tq {

struct ChatMessage {
  std::string role;  // system | user | assistant | tool
  std::string content;
  std::string name;           // optional
  nlohmann::json tool_calls;  // assistant turns that called tools (null when none)
  std::string tool_call_id;   // tool turns
};

// One try at one upstream call, as the ledger records it (one row per attempt). Providers
// report every HTTP attempt (retries included); the router's executor adds its role.
struct AttemptRecord {
  std::string provider;
  std::string model;
  int attempt = 1;      // 1-based, within one provider call
  int http_status = 0;  // upstream's status, 0 when none (network error, local engine)
  std::string error;    // empty on success
  double ms = 0;        // this attempt's duration
  double ttft_ms = 0;   // 0 when no content came
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double cost_eur = 0;
  // Local engine only (0 for remote providers): the CPU time the call used and its energy
  // estimate, cpu seconds × the provider's watts per busy core / 3600.
  double cpu_ms = 0;
  double energy_wh = 0;
  std::string role;  // set by the router: primary | fallback | cascade-slm | cascade-llm
};

struct ChatRequest {
  std::string model;  // the provider's own model name (the router resolved aliases)
  std::vector<ChatMessage> messages;
  // Non-empty: a plain text completion of this prompt (/v1/completions), no chat template;
  // `messages` is then empty.
  std::string prompt;
  int32_t max_tokens = 256;
  std::optional<double> temperature;  // unset: the provider's default
  std::optional<double> top_p;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  nlohmann::json json_schema;  // non-null: the answer must be a JSON value valid for it
  nlohmann::json tools;        // passed to the chat template / upstream when non-null
  bool want_logprobs = false;  // the cascade needs the mean token log-probability
  nlohmann::json tool_choice;  // passed to remote providers unchanged when non-null
  // Called after every attempt (success or failure), from the calling thread.
  std::function<void(const AttemptRecord&)> on_attempt;
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

struct ChatResult {
  std::string text;
  std::string finish_reason;  // stop | length | cancelled | error
  Usage usage;
  std::optional<double> mean_logprob;  // when asked and the provider can tell
  double ttft_ms = 0;                  // request start to first content
  double total_ms = 0;
  int attempts = 1;              // retries included
  bool usage_estimated = false;  // the upstream sent no usage: counted from the text
  double cost_eur = 0;           // from the provider's price table (0 when unpriced)
  nlohmann::json tool_calls;     // OpenAI-shaped tool calls of the answer (null when none)
  double cpu_ms = 0;             // local engine only: as in AttemptRecord
  double energy_wh = 0;
};

// € per million tokens, from the config's price table.
struct Price {
  double input_eur_per_mtok = 0;
  double output_eur_per_mtok = 0;
  double cost(const Usage& u) const {
    return (static_cast<double>(u.prompt_tokens) * input_eur_per_mtok +
            static_cast<double>(u.completion_tokens) * output_eur_per_mtok) /
           1e6;
  }
};

struct EmbeddingResult {
  std::vector<std::vector<float>> vectors;
  Usage usage;
  double cpu_ms = 0;  // local engine only: as in AttemptRecord
  double energy_wh = 0;
};

// Why a provider call failed, in the terms the router and the server act on.
enum class ProviderErrorKind {
  BadRequest,    // the request itself is wrong (upstream 400/422, prompt too long): no retry
  Unauthorized,  // 401/403 from upstream: configuration problem, no retry
  NotFound,      // unknown model
  RateLimited,   // 429 (retry_after may be set)
  Unavailable,   // 5xx, connection refused, circuit open
  Timeout,       // connect / first token / total timeout
  Cancelled,     // the client went away
  Internal,
};

class ProviderError : public std::runtime_error {
 public:
  ProviderError(ProviderErrorKind kind, const std::string& what, int http_status = 0,
                std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : std::runtime_error(what),
        kind_(kind),
        http_status_(http_status),
        retry_after_(retry_after) {}
  ProviderErrorKind kind() const { return kind_; }
  int http_status() const { return http_status_; }  // upstream's, 0 when none
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
  // Worth another attempt (here or on a fallback provider)?
  bool retryable() const {
    return kind_ == ProviderErrorKind::RateLimited || kind_ == ProviderErrorKind::Unavailable ||
           kind_ == ProviderErrorKind::Timeout;
  }

 private:
  ProviderErrorKind kind_;
  int http_status_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

// Receives the answer's text as it is produced (UTF-8 complete pieces). Returning false
// cancels the call (client disconnected); the provider then stops and frees its resources.
using DeltaSink = std::function<bool(const std::string& delta)>;

struct ModelInfo {
  std::string id;
  std::string owned_by;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;  // as in the config: [providers.NAME]
  virtual bool is_local() const = 0;            // data never leaves the machine
  // Blocking; streams through `on_delta` when given. Thread-safe: many calls at once.
  virtual ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) = 0;
  virtual EmbeddingResult embed(const std::string& model,
                                const std::vector<std::string>& inputs) = 0;
  virtual std::vector<ModelInfo> models() const = 0;
  // The price of `model`, for budgets that reserve a request's worst-case cost before it
  // runs; nullopt when the provider does not know (treated as free).
  virtual std::optional<Price> price(const std::string& /*model*/) const { return std::nullopt; }
};

}  // namespace tq
