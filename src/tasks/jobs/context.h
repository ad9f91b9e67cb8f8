// What a built-in task may use, and what it reports. Tasks talk to models only through
// `Provider` (providers/provider.h) and to the knowledge base and the classifier only
// through the two functions below, so the server, the CLI and the tests wire in whatever
// implements them: the rag Retriever, the trained classifier, the router's providers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "providers/provider.h"

namespace tq::tasks {

// The model's answer stayed invalid (not JSON, or not valid for the schema) after the
// retries and the escalation: the upstream failed, not the request (HTTP 502).
class ModelAnswerInvalid : public Error {
 public:
  using Error::Error;
};

// One retrieved piece of the knowledge base, as the task shows it to the model and cites it.
struct Passage {
  std::string chunk_id;  // stable id: what a citation names
  std::string source;    // document (file name, URL, catalogue)
  std::string location;  // where in it: "§ Retours", "page 3", "row 12"
  std::string text;
  double score = 0;   // the retriever's own scale; compared with TaskContext::relevance_floor
  std::string label;  // access label, passed through
  std::string title;  // heading path or product title (may be empty)
};
// Top-k passages for a query, best first (empty when nothing matches).
using RetrieveFn = std::function<std::vector<Passage>(const std::string& query, int k)>;

// A catalogue record by its identifier (SKU, handle) from the knowledge base: the row's
// fields with its title and description; nullopt when there is none.
using RecordLookupFn = std::function<std::optional<nlohmann::json>(const std::string& id)>;

struct Classification {
  std::string label;
  double probability = 0;
};
// The specialised classifier (train-classifier): ticket text → category.
using ClassifyFn = std::function<Classification(const std::string& text)>;

// Progress: a task's model calls, retries and escalations; a plan's steps.
struct TaskEvent {
  std::string kind;  // attempt | retry | escalate | step_started | step_done | step_failed | …
  std::string task;
  std::string step;  // plan step id, empty outside plans
  std::string message;
};

// Price per million tokens, for the LLM/SLM cost split when no `call_cost` is set.
struct Pricing {
  double input_per_mtok = 0;
  double output_per_mtok = 0;
};

struct TaskContext {
  Provider* slm = nullptr;  // the small model: executes tasks (may be null: LLM only)
  Provider* llm = nullptr;  // plans, and takes over when the SLM's answer stays invalid
  std::string slm_model, llm_model;
  Pricing slm_price, llm_price;
  RetrieveFn retrieve;                  // support_answer needs it
  RecordLookupFn find_record;           // optional: product_description's `sku`
  ClassifyFn classify;                  // optional: ticket_analysis' category
  std::vector<std::string> categories;  // ticket categories when the input names none
  double relevance_floor = 0;           // passages scoring below it do not count
  bool require_term_overlap = true;     // a passage counts only if it shares a content word
  int retrieve_k = 5;
  std::optional<uint64_t> seed;                    // passed to every model call (reproducible runs)
  std::function<void(const TaskEvent&)> on_event;  // optional; called from worker threads
  // € of one model call. Unset: tokens × slm_price / llm_price. The task runtime sets it so
  // that local calls cost their share of the machine's €/hour and remote ones their price
  // table's, as the ledger records them.
  std::function<double(const Provider& provider, const std::string& model,
                       const ChatResult& answer)>
      call_cost;

  void emit(const TaskEvent& e) const {
    if (on_event) on_event(e);
  }
  double cost_of(const Provider& provider, const std::string& model, const ChatResult& answer,
                 bool by_llm) const {
    if (call_cost) return call_cost(provider, model, answer);
    const Pricing& p = by_llm ? llm_price : slm_price;
    return (static_cast<double>(answer.usage.prompt_tokens) * p.input_per_mtok +
            static_cast<double>(answer.usage.completion_tokens) * p.output_per_mtok) /
           1e6;
  }
};

// Tokens spent on one class of model.
struct TokenCount {
  int64_t prompt = 0;
  int64_t completion = 0;
  void add(const Usage& u) {
    prompt += u.prompt_tokens;
    completion += u.completion_tokens;
  }
  void add(const TokenCount& t) {
    prompt += t.prompt;
    completion += t.completion;
  }
};

struct TaskResult {
  nlohmann::json output;   // valid for the task's output schema
  std::string provider;    // provider name of the call whose answer was kept ("" : no model)
  std::string model;       // its model
  int attempts = 0;        // model calls made (retries and escalation included)
  bool escalated = false;  // the LLM produced the kept answer
  TokenCount slm_tokens, llm_tokens;
  double slm_cost = 0, llm_cost = 0;  // € (TaskContext::cost_of of each call)
  double total_ms = 0;
};

}  // namespace tq::tasks
