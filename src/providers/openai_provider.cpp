#include "providers/openai_provider.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "core/config.h"
#include "core/error.h"
#include "providers/sse.h"

namespace tq {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

milliseconds config_ms(const toml::table& s, const std::string& key, const std::string& where,
                       milliseconds fallback) {
  const auto v = config_int(s, key);
  if (!v) return fallback;
  if (*v < 0) throw InputError("config key '" + where + "." + key + "' must not be negative");
  return milliseconds(*v);
}

json message_json(const ChatMessage& m) {
  json out = {{"role", m.role}, {"content", m.content}};
  if (!m.name.empty()) out["name"] = m.name;
  if (!m.tool_calls.is_null()) {
    out["tool_calls"] = m.tool_calls;
    if (m.content.empty()) out["content"] = nullptr;
  }
  if (!m.tool_call_id.empty()) out["tool_call_id"] = m.tool_call_id;
  return out;
}

// The upstream's own words for an error body: {"error": {"message": …}} or raw text.
std::string error_message(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  std::string s = body.substr(0, 300);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Mean of the tokens' log-probabilities in `logprobs.content` entries.
struct LogprobSum {
  double sum = 0;
  int64_t n = 0;
  void add(const json& logprobs) {
    if (!logprobs.is_object() || !logprobs.contains("content")) return;
    const json& content = logprobs["content"];
    if (!content.is_array()) return;
    for (const auto& t : content) {
      if (t.is_object() && t.contains("logprob") && t["logprob"].is_number()) {
        sum += t["logprob"].get<double>();
        ++n;
      }
    }
  }
  std::optional<double> mean() const {
    if (n == 0) return std::nullopt;
    return sum / static_cast<double>(n);
  }
};

void read_usage(const json& usage, ChatResult& r, bool& have) {
  if (!usage.is_object()) return;
  if (usage.contains("prompt_tokens") && usage["prompt_tokens"].is_number_integer())
    r.usage.prompt_tokens = usage["prompt_tokens"].get<int64_t>();
  if (usage.contains("completion_tokens") && usage["completion_tokens"].is_number_integer())
    r.usage.completion_tokens = usage["completion_tokens"].get<int64_t>();
  have = true;
}

// Streamed tool calls arrive as fragments keyed by index; arguments are concatenated.
void merge_tool_call_delta(json& calls, const json& deltas) {
  if (!deltas.is_array()) return;
  if (!calls.is_array()) calls = json::array();
  for (const auto& d : deltas) {
    if (!d.is_object()) continue;
    const size_t index = d.value("index", static_cast<size_t>(0));
    if (index > 1024) continue;
    while (calls.size() <= index)
      calls.push_back({{"type", "function"}, {"function", {{"name", ""}, {"arguments", ""}}}});
    json& c = calls[index];
    if (d.contains("id") && d["id"].is_string()) c["id"] = d["id"];
    if (d.contains("type") && d["type"].is_string()) c["type"] = d["type"];
    if (d.contains("function") && d["function"].is_object()) {
      const json& f = d["function"];
      if (f.contains("name") && f["name"].is_string())
        c["function"]["name"] =
            c["function"]["name"].get<std::string>() + f["name"].get<std::string>();
      if (f.contains("arguments") && f["arguments"].is_string())
        c["function"]["arguments"] =
            c["function"]["arguments"].get<std::string>() + f["arguments"].get<std::string>();
    }
  }
}

ProviderError from_http_error(const std::string& provider, const HttpError& e) {
  switch (e.failure()) {
    case HttpFailure::Connect:
      return {ProviderErrorKind::Unavailable, provider + ": cannot connect: " + e.what()};
    case HttpFailure::Timeout:
    case HttpFailure::FirstContentTimeout:
      return {ProviderErrorKind::Timeout, provider + ": " + e.what()};
    case HttpFailure::Network:
      return {ProviderErrorKind::Unavailable, provider + ": connection broke: " + e.what()};
    case HttpFailure::Aborted:
      return {ProviderErrorKind::Cancelled, provider + ": cancelled by the client"};
  }
  return {ProviderErrorKind::Internal, provider + ": " + e.what()};
}

}  // namespace

OpenAIConfig OpenAIConfig::from_toml(const std::string& name, const toml::table& s) {
  const std::string where = "providers." + name;
  OpenAIConfig c;
  const auto url = config_string(s, "base_url");
  if (!url || url->empty()) {
    throw InputError("config section [" + where +
                     "] needs base_url, e.g. base_url = \"https://api.openai.com/v1\"");
  }
  if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
    throw InputError("config key '" + where +
                     ".base_url' must start with http:// or https://, got '" + *url + "'");
  }
  c.base_url = *url;
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (const auto env = config_string(s, "api_key_env"))
    c.api_key = secret_from_env(*env, where + ".api_key_env");
  if (const toml::node* m = s.get("models")) {
    const toml::array* arr = m->as_array();
    if (arr == nullptr)
      throw InputError("config key '" + where + ".models' must be an array of strings");
    for (const auto& v : *arr) {
      const auto str = v.value<std::string>();
      if (!str || !v.is_string())
        throw InputError("config key '" + where + ".models' must be an array of strings");
      c.models.push_back(*str);
    }
  }
  c.local = config_bool(s, "local").value_or(false);
  c.connect_timeout = config_ms(s, "connect_timeout_ms", where, c.connect_timeout);
  c.first_token_timeout = config_ms(s, "first_token_timeout_ms", where, c.first_token_timeout);
  c.total_timeout = config_ms(s, "total_timeout_ms", where, c.total_timeout);
  if (const auto r = config_int(s, "max_retries")) {
    if (*r < 0 || *r > 20)
      throw InputError("config key '" + where + ".max_retries' must be in 0..20");
    c.retry.max_retries = static_cast<int>(*r);
  }
  c.retry.backoff_base = config_ms(s, "backoff_base_ms", where, c.retry.backoff_base);
  c.retry.backoff_max = config_ms(s, "backoff_max_ms", where, c.retry.backoff_max);
  if (const auto t = config_int(s, "breaker_threshold")) {
    if (*t < 1) throw InputError("config key '" + where + ".breaker_threshold' must be at least 1");
    c.breaker_threshold = static_cast<int>(*t);
  }
  c.breaker_cooldown = config_ms(s, "breaker_cooldown_ms", where, c.breaker_cooldown);
  if (const toml::node* p = s.get("prices")) {
    const toml::table* t = p->as_table();
    if (t == nullptr) throw InputError("config key '" + where + ".prices' must be a table");
    c.prices = PriceTable::from_toml(*t, where + ".prices");
  }
  return c;
}

json openai_chat_body(const ChatRequest& request, bool stream) {
  json body = {{"model", request.model}, {"messages", json::array()}};
  for (const auto& m : request.messages) body["messages"].push_back(message_json(m));
  // A plain completion (/v1/completions routed to a chat endpoint): the prompt is the
  // user's turn, since chat-only upstreams are the norm.
  if (request.messages.empty() && !request.prompt.empty())
    body["messages"].push_back({{"role", "user"}, {"content", request.prompt}});
  if (request.max_tokens > 0) body["max_tokens"] = request.max_tokens;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.top_p) body["top_p"] = *request.top_p;
  if (request.seed) body["seed"] = *request.seed;
  if (!request.stop.empty()) body["stop"] = request.stop;
  if (!request.json_schema.is_null()) {
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", "response"}, {"schema", request.json_schema}}}};
  }
  if (!request.tools.is_null()) body["tools"] = request.tools;
  if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
  if (request.want_logprobs) body["logprobs"] = true;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

ProviderError openai_http_error(const std::string& provider, int status, const std::string& body,
                                std::optional<milliseconds> retry_after) {
  const std::string what =
      provider + ": upstream answered HTTP " + std::to_string(status) + ": " + error_message(body);
  ProviderErrorKind kind = ProviderErrorKind::Internal;
  if (status == 400 || status == 413 || status == 422)
    kind = ProviderErrorKind::BadRequest;
  else if (status == 401 || status == 403)
    kind = ProviderErrorKind::Unauthorized;
  else if (status == 404)
    kind = ProviderErrorKind::NotFound;
  else if (status == 408)
    kind = ProviderErrorKind::Timeout;
  else if (status == 429)
    kind = ProviderErrorKind::RateLimited;
  else if (status >= 500 || status == 409)
    kind = ProviderErrorKind::Unavailable;
  return {kind, what, status, retry_after};
}

OpenAIProvider::OpenAIProvider(std::string name, OpenAIConfig config)
    : name_(std::move(name)),
      config_(std::move(config)),
      breaker_(config_.breaker_threshold, config_.breaker_cooldown),
      rng_(std::random_device{}()) {}

HttpRequest OpenAIProvider::base_request(const std::string& path) const {
  HttpRequest r;
  r.url = config_.base_url + path;
  r.headers.emplace_back("Content-Type: application/json");
  if (!config_.api_key.empty()) r.headers.push_back("Authorization: Bearer " + config_.api_key);
  r.connect_timeout = config_.connect_timeout;
  r.total_timeout = config_.total_timeout;
  return r;
}

milliseconds OpenAIProvider::next_wait(const ProviderError& e, int retry) {
  milliseconds backoff;
  {
    std::lock_guard lock(rng_mu_);
    backoff = backoff_delay(config_.retry, retry, rng_);
  }
  if (e.retry_after()) return std::max(*e.retry_after(), backoff);
  return backoff;
}

ChatResult OpenAIProvider::chat_once(const ChatRequest& request, const DeltaSink& on_delta,
                                     Clock::time_point call_start, milliseconds budget,
                                     bool& streamed_to_client) {
  const bool stream = static_cast<bool>(on_delta);
  HttpRequest http = base_request("/chat/completions");
  http.body = openai_chat_body(request, stream).dump();
  http.total_timeout = budget;
  ChatResult r;
  bool have_usage = false;
  LogprobSum logprobs;

  if (!stream) {
    HttpResponse resp = http_.send(http);
    if (resp.status < 200 || resp.status >= 300) {
      std::optional<milliseconds> ra;
      if (auto it = resp.headers.find("retry-after"); it != resp.headers.end())
        ra = parse_retry_after(it->second, std::chrono::system_clock::now());
      throw openai_http_error(name_, resp.status, resp.body, ra);
    }
    const json j = json::parse(resp.body, nullptr, false);
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
        j["choices"].empty() || !j["choices"][0].is_object()) {
      throw ProviderError(ProviderErrorKind::Unavailable,
                          name_ + ": upstream answer is not an OpenAI chat completion: " +
                              resp.body.substr(0, 200));
    }
    const json& choice = j["choices"][0];
    if (choice.contains("message") && choice["message"].is_object()) {
      const json& msg = choice["message"];
      if (msg.contains("content") && msg["content"].is_string()) r.text = msg["content"];
      if (msg.contains("tool_calls") && msg["tool_calls"].is_array())
        r.tool_calls = msg["tool_calls"];
    }
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
      r.finish_reason = choice["finish_reason"];
    if (choice.contains("logprobs")) logprobs.add(choice["logprobs"]);
    if (j.contains("usage")) read_usage(j["usage"], r, have_usage);
    r.ttft_ms = ms_since(call_start);
  } else {
    bool content_started = false;
    bool done = false;
    http.first_content_timeout = config_.first_token_timeout;
    http.content_started = &content_started;
    SseParser parser([&](const SseEvent& ev) {
      if (ev.data == "[DONE]") {
        done = true;
        return;
      }
      const json j = json::parse(ev.data, nullptr, false);
      if (!j.is_object()) {
        throw ProviderError(ProviderErrorKind::Unavailable,
                            name_ + ": stream event is not JSON: " + ev.data.substr(0, 200));
      }
      if (j.contains("error")) {
        const int status = j["error"].is_object() ? j["error"].value("code", 0) : 0;
        throw ProviderError(ProviderErrorKind::Unavailable,
                            name_ + ": upstream error mid-stream: " + error_message(ev.data),
                            status);
      }
      if (j.contains("usage")) read_usage(j["usage"], r, have_usage);
      if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return;
      const json& choice = j["choices"][0];
      if (!choice.is_object()) return;
      if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
        r.finish_reason = choice["finish_reason"];
      if (choice.contains("logprobs")) logprobs.add(choice["logprobs"]);
      if (!choice.contains("delta") || !choice["delta"].is_object()) return;
      const json& delta = choice["delta"];
      if (delta.contains("tool_calls")) {
        merge_tool_call_delta(r.tool_calls, delta["tool_calls"]);
        if (!content_started) r.ttft_ms = ms_since(call_start);
        content_started = true;
      }
      if (delta.contains("content") && delta["content"].is_string()) {
        const std::string piece = delta["content"];
        if (piece.empty()) return;
        if (!content_started) r.ttft_ms = ms_since(call_start);
        content_started = true;
        r.text += piece;
        streamed_to_client = true;
        if (!on_delta(piece)) throw HttpError(HttpFailure::Aborted, "client went away");
      }
    });
    HttpResponse resp;
    resp = http_.send(http, [&](std::string_view bytes) {
      parser.feed(bytes);
      return true;
    });
    if (resp.status < 200 || resp.status >= 300) {
      std::optional<milliseconds> ra;
      if (auto it = resp.headers.find("retry-after"); it != resp.headers.end())
        ra = parse_retry_after(it->second, std::chrono::system_clock::now());
      throw openai_http_error(name_, resp.status, resp.body, ra);
    }
    if (!done && r.finish_reason.empty()) {
      throw ProviderError(ProviderErrorKind::Unavailable,
                          name_ + ": the stream ended before its end ([DONE]) after " +
                              std::to_string(r.text.size()) + " bytes of answer");
    }
  }
  if (r.finish_reason.empty()) r.finish_reason = "stop";
  if (!have_usage) {
    int64_t prompt = 0;
    for (const auto& m : request.messages) prompt += estimate_tokens(m.content) + 4;
    r.usage.prompt_tokens = prompt;
    r.usage.completion_tokens = estimate_tokens(r.text);
    r.usage_estimated = true;
  }
  if (request.want_logprobs) r.mean_logprob = logprobs.mean();
  r.cost_eur = config_.prices.cost(request.model, r.usage);
  return r;
}

ChatResult OpenAIProvider::chat(const ChatRequest& request, const DeltaSink& on_delta) {
  const auto call_start = Clock::now();
  const auto deadline = call_start + config_.total_timeout;
  const int max_attempts = 1 + config_.retry.max_retries;
  for (int attempt = 1;; ++attempt) {
    const auto attempt_start = Clock::now();
    AttemptRecord rec;
    rec.provider = name_;
    rec.model = request.model;
    rec.attempt = attempt;
    auto report = [&] {
      rec.ms = ms_since(attempt_start);
      if (request.on_attempt) request.on_attempt(rec);
    };
    if (!breaker_.allow()) {
      ProviderError e(ProviderErrorKind::Unavailable,
                      name_ + ": circuit open after repeated failures (next probe in " +
                          std::to_string(breaker_.retry_in().count()) + " ms)");
      rec.error = e.what();
      report();
      throw e;
    }
    bool streamed = false;
    try {
      const auto budget = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (budget.count() <= 0) {
        throw ProviderError(ProviderErrorKind::Timeout,
                            name_ + ": total timeout of " +
                                std::to_string(config_.total_timeout.count()) + " ms reached");
      }
      ChatResult r = [&] {
        try {
          return chat_once(request, on_delta, call_start, budget, streamed);
        } catch (const HttpError& e) {
          throw from_http_error(name_, e);
        } catch (const std::length_error& e) {
          throw ProviderError(ProviderErrorKind::Unavailable, name_ + ": " + e.what());
        }
      }();
      breaker_.on_success();
      r.attempts = attempt;
      r.total_ms = ms_since(call_start);
      rec.http_status = 200;
      rec.ttft_ms = r.ttft_ms;
      rec.prompt_tokens = r.usage.prompt_tokens;
      rec.completion_tokens = r.usage.completion_tokens;
      rec.cost_eur = r.cost_eur;
      report();
      return r;
    } catch (const ProviderError& e) {
      const bool upstream_sick =
          e.kind() == ProviderErrorKind::Unavailable || e.kind() == ProviderErrorKind::Timeout;
      if (upstream_sick)
        breaker_.on_failure();
      else if (e.kind() == ProviderErrorKind::Cancelled)
        breaker_.on_neutral();
      else
        breaker_.on_success();  // it answered, if only to refuse
      rec.http_status = e.http_status();
      rec.error = e.what();
      report();
      if (streamed || !e.retryable() || attempt >= max_attempts) throw;
      const milliseconds wait = next_wait(e, attempt - 1);
      if (Clock::now() + wait >= deadline) throw;  // no time left to wait for a retry
      std::this_thread::sleep_for(wait);
    }
  }
}

EmbeddingResult OpenAIProvider::embed(const std::string& model,
                                      const std::vector<std::string>& inputs) {
  const auto deadline = Clock::now() + config_.total_timeout;
  const int max_attempts = 1 + config_.retry.max_retries;
  for (int attempt = 1;; ++attempt) {
    if (!breaker_.allow())
      throw ProviderError(ProviderErrorKind::Unavailable, name_ + ": circuit open");
    try {
      HttpRequest http = base_request("/embeddings");
      http.body = json{{"model", model}, {"input", inputs}}.dump();
      http.total_timeout = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      HttpResponse resp;
      try {
        resp = http_.send(http);
      } catch (const HttpError& e) {
        throw from_http_error(name_, e);
      }
      if (resp.status < 200 || resp.status >= 300) {
        std::optional<milliseconds> ra;
        if (auto it = resp.headers.find("retry-after"); it != resp.headers.end())
          ra = parse_retry_after(it->second, std::chrono::system_clock::now());
        throw openai_http_error(name_, resp.status, resp.body, ra);
      }
      const json j = json::parse(resp.body, nullptr, false);
      if (!j.is_object() || !j.contains("data") || !j["data"].is_array() ||
          j["data"].size() != inputs.size()) {
        throw ProviderError(ProviderErrorKind::Unavailable,
                            name_ + ": upstream answer is not an embedding list for " +
                                std::to_string(inputs.size()) + " inputs");
      }
      EmbeddingResult out;
      out.vectors.resize(inputs.size());
      for (size_t i = 0; i < j["data"].size(); ++i) {
        const json& d = j["data"][i];
        const size_t index = d.value("index", i);
        if (index >= inputs.size() || !d.contains("embedding") || !d["embedding"].is_array())
          throw ProviderError(ProviderErrorKind::Unavailable,
                              name_ + ": malformed embedding entry");
        out.vectors[index] = d["embedding"].get<std::vector<float>>();
      }
      bool have = false;
      ChatResult usage_holder;
      if (j.contains("usage")) read_usage(j["usage"], usage_holder, have);
      out.usage.prompt_tokens = usage_holder.usage.prompt_tokens;
      if (!have)
        for (const auto& s : inputs) out.usage.prompt_tokens += estimate_tokens(s);
      breaker_.on_success();
      return out;
    } catch (const ProviderError& e) {
      if (e.kind() == ProviderErrorKind::Unavailable || e.kind() == ProviderErrorKind::Timeout)
        breaker_.on_failure();
      else
        breaker_.on_success();
      if (!e.retryable() || attempt >= max_attempts) throw;
      const milliseconds wait = next_wait(e, attempt - 1);
      if (Clock::now() + wait >= deadline) throw;
      std::this_thread::sleep_for(wait);
    } catch (const nlohmann::json::exception& e) {
      breaker_.on_success();
      throw ProviderError(ProviderErrorKind::Unavailable,
                          name_ + ": malformed embedding answer: " + e.what());
    }
  }
}

std::vector<ModelInfo> OpenAIProvider::models() const {
  std::vector<ModelInfo> out;
  if (!config_.models.empty()) {
    for (const auto& m : config_.models) out.push_back({m, name_});
    return out;
  }
  HttpRequest http = base_request("/models");
  http.method = "GET";
  http.total_timeout = std::min(config_.total_timeout, milliseconds(5000));
  try {
    const HttpResponse resp = http_.send(http);
    if (resp.status != 200) return out;
    const json j = json::parse(resp.body, nullptr, false);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) return out;
    for (const auto& m : j["data"]) {
      if (m.is_object() && m.contains("id") && m["id"].is_string())
        out.push_back({m["id"].get<std::string>(), name_});
    }
  } catch (const HttpError&) {
    // An unreachable upstream lists no models; chat calls report the real error.
  }
  return out;
}

std::unique_ptr<Provider> make_openai_provider(const std::string& name,
                                               const toml::table& section) {
  return std::make_unique<OpenAIProvider>(name, OpenAIConfig::from_toml(name, section));
}

}  // namespace tq
