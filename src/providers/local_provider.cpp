#include "providers/local_provider.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/config.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/chat/chat_template.h"
#include "engine/generation/embedder.h"
#include "engine/generation/scheduler.h"
#include "engine/gguf/gguf.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/json_schema.h"
#include "engine/model/model.h"
#include "providers/tool_calls.h"

namespace tq {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One loaded model. Members are destroyed bottom-up: the scheduler (whose thread uses the
// pool) goes before the pool, and both before the model.
struct LocalProvider::Loaded {
  std::shared_ptr<Model> model;
  std::unique_ptr<ThreadPool> pool;
  std::optional<ChatTemplate> chat_template;  // decoder models only
  SpecialTokenTexts special;
  std::unique_ptr<Scheduler> scheduler;  // null for encoder-only (embedding) models
  std::mutex embed_mutex;                // the embedding pool runs one call at a time
  std::unique_ptr<ThreadPool> embed_pool;
};

namespace {

int32_t positive_int(const toml::table& t, const std::string& key, int32_t fallback,
                     const std::string& where) {
  const auto v = config_int(t, key);
  if (!v) return fallback;
  if (*v < 0 || *v > (1 << 24))
    throw InputError(where + "." + key + " must be between 0 and 16777216 (got " +
                     std::to_string(*v) + ")");
  return static_cast<int32_t>(*v);
}

ProviderError bad_request(const std::string& what) {
  return ProviderError(ProviderErrorKind::BadRequest, what, 400);
}

jinja::Value to_jinja(const ChatMessage& m) {
  jinja::ValueDict d;
  d.set("role", jinja::Value(m.role));
  d.set("content", jinja::Value(m.content));
  if (!m.name.empty()) d.set("name", jinja::Value(m.name));
  if (!m.tool_calls.is_null()) d.set("tool_calls", jinja::parse_json(m.tool_calls.dump()));
  if (!m.tool_call_id.empty()) d.set("tool_call_id", jinja::Value(m.tool_call_id));
  return jinja::Value(std::move(d));
}

std::string finish_name(FinishReason r) {
  switch (r) {
    case FinishReason::Stop:
    case FinishReason::EndOfGeneration:
      return "stop";
    case FinishReason::Length:
    case FinishReason::ContextFull:
      return "length";
    case FinishReason::Cancelled:
      return "cancelled";
  }
  return "stop";
}

}  // namespace

LocalProviderOptions LocalProviderOptions::from_config(const std::string& name,
                                                       const toml::table& section,
                                                       const fs::path& base_dir) {
  const std::string where = "providers." + name;
  LocalProviderOptions o;
  o.name = name;
  auto resolve = [&](const std::string& p) {
    fs::path path(p);
    return path.is_absolute() ? path : base_dir / path;
  };
  if (const auto* node = section.get("models")) {
    const auto* table = node->as_table();
    if (table == nullptr)
      throw InputError(where + ".models must be a table of alias = \"file.gguf\"");
    for (const auto& [alias, value] : *table) {
      const auto* file = value.as_string();
      if (file == nullptr)
        throw InputError(where + ".models." + std::string(alias.str()) +
                         " must be a string (the path of a GGUF file)");
      o.models[std::string(alias.str())] = resolve(file->get());
    }
  }
  if (const auto dir = config_string(section, "models_dir")) {
    const fs::path d = resolve(*dir);
    if (!fs::is_directory(d))
      throw InputError(where + ".models_dir: " + d.string() + " is not a folder");
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".gguf") o.models.emplace(e.path().stem().string(), e.path());
  }
  for (const auto& [alias, path] : o.models)
    if (!fs::is_regular_file(path))
      throw InputError(std::string(where)
                           .append(".models.")
                           .append(alias)
                           .append(": no such file ")
                           .append(path.string()));
  if (o.models.empty())
    throw InputError(where +
                     " lists no model: add models = { alias = \"file.gguf\" } or "
                     "models_dir = \"folder\"");
  o.max_loaded = std::max(1, positive_int(section, "max_loaded", o.max_loaded, where));
  o.n_slots = std::max(1, positive_int(section, "n_slots", o.n_slots, where));
  o.n_ctx = std::max(16, positive_int(section, "n_ctx", o.n_ctx, where));
  o.extend_context = config_bool(section, "extend_context").value_or(false);
  o.threads = positive_int(section, "threads", o.threads, where);
  if (const auto price = config_number(section, "price_eur_per_hour")) {
    if (*price < 0) throw InputError(where + ".price_eur_per_hour must be >= 0");
    o.price_eur_per_hour = *price;
  }
  if (const auto watts = config_number(section, "cpu_watts_per_core")) {
    if (*watts < 0) throw InputError(where + ".cpu_watts_per_core must be >= 0");
    o.cpu_watts_per_core = *watts;
  }
  return o;
}

LocalProvider::LocalProvider(LocalProviderOptions options) : options_(std::move(options)) {}

LocalProvider::~LocalProvider() = default;

std::vector<ModelInfo> LocalProvider::models() const {
  std::vector<ModelInfo> out;
  out.reserve(options_.models.size());
  for (const auto& [alias, path] : options_.models) out.push_back({alias, options_.name});
  return out;
}

std::vector<std::string> LocalProvider::loaded() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(lru_.size());
  for (const auto& [alias, lm] : lru_) out.push_back(alias);
  return out;
}

std::shared_ptr<LocalProvider::Loaded> LocalProvider::acquire(const std::string& alias) {
  auto find = [&]() -> std::shared_ptr<Loaded> {
    std::lock_guard lock(mutex_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it)
      if (it->first == alias) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front().second;
      }
    return nullptr;
  };
  if (auto lm = find()) return lm;
  const auto spec = options_.models.find(alias);
  if (spec == options_.models.end())
    throw ProviderError(ProviderErrorKind::NotFound,
                        "provider " + options_.name + " has no model '" + alias + "'", 404);
  // Loads are serialised: two requests for the same cold model load it once.
  std::lock_guard load_lock(load_mutex_);
  if (auto lm = find()) return lm;
  auto lm = std::make_shared<Loaded>();
  try {
    lm->model = Model::load(spec->second.string());
    lm->pool = std::make_unique<ThreadPool>(options_.threads);
    if (lm->model->hparams().arch != "bert") {
      lm->chat_template = ChatTemplate::from_model(lm->model->file());
      lm->special = model_special_tokens(lm->model->file());
      const int32_t n_ctx =
          options_.extend_context
              ? options_.n_ctx
              : std::min(options_.n_ctx, std::max(16, lm->model->hparams().n_ctx_train));
      lm->scheduler = std::make_unique<Scheduler>(
          lm->model, *lm->pool, SchedulerOptions{.n_slots = options_.n_slots, .n_ctx = n_ctx});
    }
  } catch (const std::exception& e) {
    throw ProviderError(ProviderErrorKind::Internal, "loading model '" + alias + "' (" +
                                                         spec->second.string() + "): " + e.what());
  }
  std::lock_guard lock(mutex_);
  lru_.emplace_front(alias, lm);
  while (static_cast<int32_t>(lru_.size()) > options_.max_loaded) lru_.pop_back();
  return lm;
}

void LocalProvider::busy_begin() {
  std::lock_guard lock(busy_mutex_);
  if (in_flight_++ == 0) busy_since_ = Clock::now();
}

void LocalProvider::busy_end(int64_t tokens) {
  std::lock_guard lock(busy_mutex_);
  busy_tokens_ += tokens;
  if (--in_flight_ == 0)
    busy_seconds_ += std::chrono::duration<double>(Clock::now() - busy_since_).count();
}

double LocalProvider::measured_tokens_per_second() const {
  std::lock_guard lock(busy_mutex_);
  return busy_seconds_ > 0 ? static_cast<double>(busy_tokens_) / busy_seconds_ : 0.0;
}

double LocalProvider::cost_eur(const Usage& usage) const {
  const double tps = measured_tokens_per_second();
  if (tps <= 0 || options_.price_eur_per_hour <= 0) return 0.0;
  const auto tokens = static_cast<double>(usage.prompt_tokens + usage.completion_tokens);
  return options_.price_eur_per_hour / 3600.0 * tokens / tps;
}

double LocalProvider::energy_wh(double cpu_ms) const {
  return cpu_ms / 1000.0 * options_.cpu_watts_per_core / 3600.0;
}

// One local call is one attempt (no retries): reported like the remote providers' attempts
// so the ledger has a row for it whatever the outcome.
ChatResult LocalProvider::chat(const ChatRequest& request, const DeltaSink& on_delta) {
  const auto start = Clock::now();
  AttemptRecord rec;
  rec.provider = options_.name;
  rec.model = request.model;
  try {
    ChatResult r = generate(request, on_delta);
    r.cost_eur = cost_eur(r.usage);
    rec.ms = r.total_ms;
    rec.ttft_ms = r.ttft_ms;
    rec.prompt_tokens = r.usage.prompt_tokens;
    rec.completion_tokens = r.usage.completion_tokens;
    rec.cost_eur = r.cost_eur;
    rec.cpu_ms = r.cpu_ms;
    rec.energy_wh = r.energy_wh;
    if (r.finish_reason == "cancelled") rec.error = "cancelled by the client";
    if (request.on_attempt) request.on_attempt(rec);
    return r;
  } catch (const ProviderError& e) {
    rec.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    rec.error = e.what();
    if (request.on_attempt) request.on_attempt(rec);
    throw;
  }
}

ChatResult LocalProvider::generate(const ChatRequest& request, const DeltaSink& on_delta) {
  const auto start = Clock::now();
  const std::shared_ptr<Loaded> lm = acquire(request.model);
  if (!lm->scheduler)
    throw bad_request("model '" + request.model + "' is an embedding model: use /v1/embeddings");
  const Vocab& vocab = lm->model->vocab();

  std::vector<TokenId> prompt;
  try {
    if (!request.prompt.empty()) {
      prompt = vocab.tokenize(request.prompt, true, false);
    } else {
      jinja::ValueList messages;
      messages.reserve(request.messages.size());
      for (const auto& m : request.messages) messages.push_back(to_jinja(m));
      ChatInputs in;
      in.messages = jinja::Value(std::move(messages));
      if (!request.tools.is_null()) in.tools = jinja::parse_json(request.tools.dump());
      in.add_generation_prompt = true;
      in.bos_token = lm->special.bos;
      in.eos_token = lm->special.eos;
      const std::string text = lm->chat_template->render(in);
      // The template writes BOS itself when the model wants one; add it only when it did not.
      const bool has_bos = !lm->special.bos.empty() && text.rfind(lm->special.bos, 0) == 0;
      prompt = vocab.tokenize(text, false, true);
      if (!has_bos && vocab.add_bos() && vocab.bos() >= 0)
        prompt.insert(prompt.begin(), vocab.bos());
    }
  } catch (const InputError& e) {
    throw bad_request(std::string("rendering the prompt: ") + e.what());
  }
  if (prompt.empty()) throw bad_request("the prompt is empty");

  GenerationParams params;
  params.max_tokens = request.max_tokens;
  if (request.temperature) params.sampling.temperature = static_cast<float>(*request.temperature);
  if (request.top_p) params.sampling.top_p = static_cast<float>(*request.top_p);
  if (request.seed) params.sampling.seed = *request.seed;
  params.stop = request.stop;
  params.logprobs = request.want_logprobs;
  try {
    params.sampling.validate();
    if (!request.json_schema.is_null())
      params.constraint =
          make_grammar_constraint(json_schema_to_gbnf(request.json_schema.dump()), vocab);
  } catch (const Error& e) {
    throw bad_request(e.what());
  }

  // With tools the answer may be a <tool_call> block, which must not reach the client as
  // text: such answers are held back and parsed whole.
  const bool tool_calls = !request.tools.is_null() && request.prompt.empty() &&
                          template_supports_tools(lm->chat_template->source());
  ChatResult result;
  bool first = true;
  TextSink sink = [&](std::string_view text) {
    if (first) {
      first = false;
      result.ttft_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
    return on_delta && !tool_calls ? on_delta(std::string(text)) : true;
  };
  busy_begin();
  GenerationResult g;
  try {
    g = lm->scheduler->submit(std::move(prompt), std::move(params), sink)->wait();
  } catch (const InputError& e) {
    busy_end(0);
    throw bad_request(e.what());
  } catch (const std::exception& e) {
    busy_end(0);
    throw ProviderError(ProviderErrorKind::Internal, e.what());
  }
  result.usage.prompt_tokens = static_cast<int64_t>(g.prompt_tokens.size());
  result.usage.completion_tokens = static_cast<int64_t>(g.generated.size());
  busy_end(result.usage.prompt_tokens + result.usage.completion_tokens);
  result.cpu_ms = g.cpu_seconds * 1000.0;
  result.energy_wh = energy_wh(result.cpu_ms);
  result.text = std::move(g.text);
  result.finish_reason = finish_name(g.finish);
  if (tool_calls) {
    ParsedToolCalls parsed = parse_hermes_tool_calls(result.text);
    if (parsed.tool_calls.is_array()) {
      result.text = std::move(parsed.text);
      result.tool_calls = std::move(parsed.tool_calls);
      result.finish_reason = "tool_calls";
    }
    if (on_delta && !result.text.empty() && !on_delta(result.text))
      result.finish_reason = "cancelled";
  }
  if (request.want_logprobs && !g.logprobs.empty()) {
    double sum = 0;
    for (float lp : g.logprobs) sum += lp;
    result.mean_logprob = sum / static_cast<double>(g.logprobs.size());
  }
  result.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (first) result.ttft_ms = result.total_ms;
  return result;
}

EmbeddingResult LocalProvider::embed(const std::string& model,
                                     const std::vector<std::string>& inputs) {
  const std::shared_ptr<Loaded> lm = acquire(model);
  EmbeddingResult out;
  busy_begin();
  try {
    const Pooling pooling = default_pooling(*lm->model);
    const int32_t n_ctx = std::max(16, lm->model->hparams().n_ctx_train);
    std::lock_guard lock(lm->embed_mutex);
    if (!lm->embed_pool) lm->embed_pool = std::make_unique<ThreadPool>(options_.threads);
    // The embedding pool runs this call alone (embed_mutex), so its workers' clocks plus
    // this thread's are exactly the call's CPU time (see Scheduler::step for chat).
    const double cpu_start = thread_cpu_seconds() + lm->embed_pool->workers_cpu_seconds();
    for (const auto& text : inputs) {
      const auto tokens = lm->model->vocab().tokenize(text, true, false);
      if (tokens.empty()) throw bad_request("an input is empty after tokenization");
      if (static_cast<int32_t>(tokens.size()) > n_ctx)
        throw bad_request("an input is " + std::to_string(tokens.size()) +
                          " tokens, the model's context holds " + std::to_string(n_ctx));
      out.vectors.push_back(embed_tokens(*lm->model, *lm->embed_pool, tokens, pooling));
      out.usage.prompt_tokens += static_cast<int64_t>(tokens.size());
    }
    out.cpu_ms =
        std::max(0.0, thread_cpu_seconds() + lm->embed_pool->workers_cpu_seconds() - cpu_start) *
        1000.0;
    out.energy_wh = energy_wh(out.cpu_ms);
  } catch (const ProviderError&) {
    busy_end(0);
    throw;
  } catch (const Error& e) {
    busy_end(0);
    throw bad_request(e.what());
  }
  busy_end(out.usage.prompt_tokens);
  return out;
}

}  // namespace tq
