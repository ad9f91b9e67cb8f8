// Providers for the task tests.
// - EngineProvider: a real Provider over the local engine (greedy, JSON-schema grammar),
//   for end-to-end runs on a small gold model: the plumbing, schema validity and the
//   grounding checks are what is tested, not prose quality. The gwserver branch's
//   LocalProvider replaces it once merged.
// - ScriptedProvider: answers computed from the request by a test function, so the retry /
//   escalation policy can be driven deterministically (a real model cannot be made to
//   fail on cue); it records every request it got.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "engine/generation/generator.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/json_schema.h"
#include "engine/model/model.h"
#include "providers/provider.h"
#include "tasks/jobs/context.h"
#include "tasks/jobs/text.h"

namespace tq::test {

class EngineProvider : public Provider {
 public:
  static constexpr int32_t kContext = 4096;  // beyond the tiny models' training: plumbing only
  explicit EngineProvider(const std::string& path)
      : model_(Model::load(path)), pool_(2), name_("engine") {}
  const std::string& name() const override { return name_; }
  bool is_local() const override { return true; }
  ChatResult chat(const ChatRequest& req, const DeltaSink& /*on_delta*/) override {
    std::lock_guard<std::mutex> lock(mu_);  // one Generator: one call at a time
    std::string prompt;
    for (const auto& m : req.messages) prompt += m.role + ": " + m.content + "\n";
    prompt += "assistant: ";
    const auto tokens = model_->vocab().tokenize(prompt, true, false);
    GenerationParams params;
    params.max_tokens = req.max_tokens;
    params.sampling.temperature = 0;
    if (!req.json_schema.is_null())
      params.constraint =
          make_grammar_constraint(json_schema_to_gbnf(req.json_schema.dump()), model_->vocab());
    Generator gen(model_, pool_, kContext);
    // Keep the prompt's tail when it is longer than the tiny model's context.
    std::vector<TokenId> p = tokens;
    const size_t room = static_cast<size_t>(kContext - req.max_tokens - 8);
    if (p.size() > room) p.erase(p.begin() + 1, p.end() - static_cast<std::ptrdiff_t>(room - 1));
    const auto r = gen.generate(p, params);
    ChatResult out;
    out.text = r.text;
    out.finish_reason = std::string(finish_reason_name(r.finish));
    out.usage = {static_cast<int64_t>(p.size()), static_cast<int64_t>(r.generated.size())};
    ++calls;
    return out;
  }
  EmbeddingResult embed(const std::string&, const std::vector<std::string>&) override {
    throw ProviderError(ProviderErrorKind::BadRequest, "no embeddings");
  }
  std::vector<ModelInfo> models() const override { return {{"stories", "test"}}; }
  std::atomic<int> calls{0};

 private:
  std::shared_ptr<Model> model_;
  ThreadPool pool_;
  std::string name_;
  std::mutex mu_;
};

class ScriptedProvider : public Provider {
 public:
  using Script = std::function<std::string(const ChatRequest&, int call)>;
  ScriptedProvider(std::string name, Script script)
      : name_(std::move(name)), script_(std::move(script)) {}
  const std::string& name() const override { return name_; }
  bool is_local() const override { return true; }
  ChatResult chat(const ChatRequest& req, const DeltaSink&) override {
    int n = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests.push_back(req);
      n = static_cast<int>(requests.size());
    }
    ChatResult r;
    r.text = script_(req, n);  // may throw ProviderError
    r.finish_reason = "stop";
    r.usage = {100, 10};
    return r;
  }
  EmbeddingResult embed(const std::string&, const std::vector<std::string>&) override {
    throw ProviderError(ProviderErrorKind::BadRequest, "no embeddings");
  }
  std::vector<ModelInfo> models() const override { return {{"scripted", "test"}}; }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(requests.size());
  }
  std::vector<ChatRequest> requests;

 private:
  std::string name_;
  Script script_;
  std::mutex mu_;
};

// A knowledge base of a few passages, scored by shared content words (a real, if small,
// retriever: the tests need passages that are or are not about the question).
inline tasks::RetrieveFn small_kb(std::vector<tasks::Passage> kb) {
  return [kb = std::move(kb)](const std::string& q, int k) {
    std::vector<tasks::Passage> out;
    const auto qw = tasks::content_words(q);
    for (auto p : kb) {
      const auto pw = tasks::content_words(p.text);
      int shared = 0;
      for (const auto& a : qw)
        for (const auto& b : pw) shared += a == b ? 1 : 0;
      p.score = shared;
      out.push_back(p);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    if (out.size() > static_cast<size_t>(k)) out.resize(static_cast<size_t>(k));
    return out;
  };
}

inline std::vector<tasks::Passage> shop_passages() {
  return {{"faq#livraison", "faq.md", "Livraison",
           "Livraison en France métropolitaine sous 48 heures ouvrées, offerte dès 60 € "
           "d'achat.",
           0, "public"},
          {"faq#retours", "faq.md", "Retours",
           "Retours acceptés sous 30 jours, article non utilisé, dans son emballage d'origine.", 0,
           "public"},
          {"cgv#paiement", "cgv.md", "Paiement",
           "Paiement par carte bancaire ou virement ; les commandes sont expédiées après "
           "réception du paiement.",
           0, "public"}};
}

}  // namespace tq::test
