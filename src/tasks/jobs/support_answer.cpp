// support_answer: a customer question answered from the knowledge base only, with
// citations, in the question's language; "I don't know" — without asking the model —
// when retrieval finds nothing relevant.
#include <algorithm>

#include "core/error.h"
#include "tasks/jobs/grounding.h"
#include "tasks/jobs/model_call.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {

using nlohmann::json;

std::vector<Passage> relevant_passages(const std::string& question,
                                       const std::vector<Passage>& passages, double floor,
                                       bool require_overlap) {
  std::vector<Passage> out;
  for (const auto& p : passages)
    if (p.score >= floor && (!require_overlap || shares_content_word(question, p.text)))
      out.push_back(p);
  return out;
}

std::string dont_know_answer(const std::string& language) {
  if (language == "fr")
    return "Je ne sais pas : la base de connaissances ne contient pas d'information sur ce "
           "sujet. Un conseiller vous répondra.";
  return "I don't know: the knowledge base has no information on this. An agent will get back "
         "to you.";
}

CitationCheck verify_citations(const std::vector<int>& cited, int n_passages) {
  CitationCheck c;
  for (const int id : cited) {
    auto& into = (id >= 1 && id <= n_passages) ? c.valid : c.invented;
    if (std::find(into.begin(), into.end(), id) == into.end()) into.push_back(id);
  }
  return c;
}

namespace {

json input_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "question": {"type": "string", "minLength": 1, "maxLength": 4000},
      "customer_context": {"type": ["string", "object"]},
      "language": {"enum": ["fr", "en"]},
      "k": {"type": "integer", "minimum": 1, "maximum": 20}
    },
    "required": ["question"],
    "additionalProperties": false
  })");
}

json output_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "answer": {"type": "string", "minLength": 1},
      "language": {"enum": ["fr", "en"]},
      "grounded": {"type": "boolean"},
      "confidence": {"type": "number", "minimum": 0, "maximum": 1},
      "citations": {"type": "array", "items": {
        "type": "object",
        "properties": {"n": {"type": "integer"}, "chunk_id": {"type": "string"},
                       "source": {"type": "string"}, "location": {"type": "string"}},
        "required": ["n", "chunk_id", "source", "location"]}},
      "invented_citations": {"type": "array", "items": {"type": "integer"}},
      "passages_considered": {"type": "integer", "minimum": 0}
    },
    "required": ["answer", "language", "grounded", "confidence", "citations",
                 "invented_citations", "passages_considered"]
  })");
}

// What the model fills; confidence is a percentage because the grammar bounds integers
// exactly (a number's maximum it cannot enforce).
json model_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "answer": {"type": "string", "minLength": 1, "maxLength": 2000},
      "citations": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 8},
      "language": {"enum": ["fr", "en"]},
      "confidence": {"type": "integer", "minimum": 0, "maximum": 100}
    },
    "required": ["answer", "citations", "language", "confidence"]
  })");
}

json run(const json& in, const TaskContext& ctx, TaskResult& result) {
  if (!ctx.retrieve)
    throw InputError(
        "support_answer needs a knowledge base: ingest documents first "
        "(triptyque ingest) and configure [rag] so the task can search it");
  const std::string question = in["question"].get<std::string>();
  const std::string lang =
      in.contains("language") ? in["language"].get<std::string>() : detect_language(question);
  const int k = in.value("k", ctx.retrieve_k);
  const auto passages = relevant_passages(question, ctx.retrieve(question, k), ctx.relevance_floor,
                                          ctx.require_term_overlap);
  if (passages.empty()) {
    // Nothing to ground an answer in: no model call, so no invented facts.
    return {{"answer", dont_know_answer(lang)},
            {"language", lang},
            {"grounded", false},
            {"confidence", 0.0},
            {"citations", json::array()},
            {"invented_citations", json::array()},
            {"passages_considered", 0}};
  }
  const bool fr = lang == "fr";
  ModelPrompt p;
  p.system = fr ? "Tu es l'assistant du service client. Réponds uniquement à partir des passages "
                  "numérotés fournis. Cite les numéros des passages utilisés. Si les passages ne "
                  "contiennent pas la réponse, dis que tu ne sais pas. Réponds en français."
                : "You are the customer-support assistant. Answer only from the numbered "
                  "passages given. Cite the numbers of the passages you used. If the passages do "
                  "not contain the answer, say you do not know. Answer in English.";
  std::string user;
  for (size_t i = 0; i < passages.size(); ++i)
    user += "[" + std::to_string(i + 1) + "] (" + passages[i].source +
            (passages[i].location.empty() ? "" : ", " + passages[i].location) + ")\n" +
            passages[i].text + "\n\n";
  if (in.contains("customer_context"))
    user += (fr ? "Contexte client : " : "Customer context: ") +
            (in["customer_context"].is_string() ? in["customer_context"].get<std::string>()
                                                : in["customer_context"].dump()) +
            "\n\n";
  user += (fr ? "Question : " : "Question: ") + question + "\n" +
          (fr ? "Réponds en JSON : answer, citations (numéros), language (\"fr\"), confidence "
                "(0-100)."
              : "Reply in JSON: answer, citations (numbers), language (\"en\"), confidence "
                "(0-100).");
  p.user = user;
  p.schema = model_schema();
  p.max_tokens = 600;
  const int n = static_cast<int>(passages.size());
  auto check = [&](const json& a) {
    std::vector<std::string> problems;
    const auto c = verify_citations(a["citations"].get<std::vector<int>>(), n);
    if (!c.invented.empty())
      problems.push_back("citations must be passage numbers between 1 and " + std::to_string(n));
    if (c.valid.empty()) problems.push_back("cite at least one passage number");
    const auto answer = a["answer"].get<std::string>();
    if (words(answer).size() >= 6 && detect_language(answer) != lang)
      problems.push_back(std::string("answer in ") + (fr ? "French" : "English"));
    return problems;
  };
  const auto got = ask_structured(ctx, "support_answer", p, check, result);
  const auto c = verify_citations(got.value["citations"].get<std::vector<int>>(), n);
  json cites = json::array();
  for (const int id : c.valid) {
    const auto& ps = passages[static_cast<size_t>(id - 1)];
    cites.push_back(
        {{"n", id}, {"chunk_id", ps.chunk_id}, {"source", ps.source}, {"location", ps.location}});
  }
  return {{"answer", got.value["answer"]},
          {"language", lang},
          {"grounded", !c.valid.empty()},
          {"confidence", got.value["confidence"].get<double>() / 100.0},
          {"citations", cites},
          {"invented_citations", c.invented},
          {"passages_considered", n}};
}

}  // namespace

TaskSpec support_answer_task() {
  return {"support_answer",
          "Answers a customer question from the knowledge base, with citations, in the "
          "question's language; says it does not know when nothing relevant is found.",
          input_schema(),
          output_schema(),
          "question",
          run};
}

}  // namespace tq::tasks
