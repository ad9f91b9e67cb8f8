// ticket_analysis: a support ticket → category, urgency, order/product references, intent,
// extracted fields, suggested reply. The category comes from the trained classifier when
// one is wired in, else the model picks among the configured categories (an enum in the
// schema, so it cannot invent one). References found by pattern are merged with the
// model's, and the model's are kept only when they appear in the ticket.
#include <algorithm>

#include "tasks/jobs/model_call.h"
#include "tasks/jobs/references.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

const std::vector<std::string>& default_categories() {
  static const std::vector<std::string> c = {"delivery",         "return_refund", "billing",
                                             "product_question", "order_change",  "complaint",
                                             "account",          "other"};
  return c;
}

json input_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "ticket": {"type": "string", "minLength": 1, "maxLength": 50000},
      "categories": {"type": "array", "items": {"type": "string", "minLength": 1},
                     "minItems": 2, "maxItems": 100},
      "customer": {"type": ["string", "object"]}
    },
    "required": ["ticket"],
    "additionalProperties": false
  })");
}

json model_schema(const std::vector<std::string>* categories) {
  json s = json::parse(R"({
    "type": "object",
    "properties": {
      "urgency": {"enum": ["low", "normal", "high", "critical"]},
      "intent": {"type": "string", "minLength": 1, "maxLength": 160},
      "order_refs": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 6},
      "product_refs": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 6},
      "fields": {"type": "array", "maxItems": 8, "items": {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 40},
                       "value": {"type": "string", "maxLength": 160}},
        "required": ["name", "value"]}},
      "suggested_reply": {"type": "string", "minLength": 1, "maxLength": 1200}
    },
    "required": ["urgency", "intent", "order_refs", "product_refs", "fields", "suggested_reply"]
  })");
  if (categories != nullptr) {
    json props = {{"category", {{"enum", *categories}}}};
    props.update(s["properties"]);  // category first: it conditions what follows
    s["properties"] = props;
    s["required"].push_back("category");
  }
  return s;
}

json output_schema() {
  json s = model_schema(nullptr);
  s["properties"]["order_refs"].erase("maxItems");
  s["properties"]["product_refs"].erase("maxItems");
  s["properties"]["fields"] = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  s["properties"]["category"] = {{"type", "string"}, {"minLength", 1}};
  s["properties"]["category_source"] = {{"enum", {"classifier", "model"}}};
  s["properties"]["category_probability"] = {{"type", "number"}, {"minimum", 0}, {"maximum", 1}};
  s["properties"]["language"] = {{"enum", {"fr", "en"}}};
  for (const char* f : {"category", "category_source", "language"}) s["required"].push_back(f);
  return s;
}

bool appears_in(const std::string& ref, const std::string& text) {
  const std::string f = fold(text);
  const std::string r = fold(ref);
  return !r.empty() && f.find(r) != std::string::npos;
}

json run(const json& in, const TaskContext& ctx, TaskResult& result) {
  const std::string ticket = in["ticket"].get<std::string>();
  const std::string lang = detect_language(ticket);
  const bool fr = lang == "fr";
  std::vector<std::string> categories =
      in.contains("categories") ? in["categories"].get<std::vector<std::string>>()
                                : (ctx.categories.empty() ? default_categories() : ctx.categories);
  json out;
  const bool by_classifier = static_cast<bool>(ctx.classify);
  if (by_classifier) {
    const auto c = ctx.classify(ticket);
    out["category"] = c.label;
    out["category_probability"] = std::clamp(c.probability, 0.0, 1.0);
  }
  ModelPrompt p;
  p.system = fr ? "Tu analyses des tickets de service client. Réponds en JSON ; la réponse "
                  "suggérée est en français, polie et ne promet rien qui ne soit dans le ticket."
                : "You analyse customer-service tickets. Reply in JSON; the suggested reply is "
                  "in English, polite, and promises nothing the ticket does not support.";
  p.user =
      "Ticket:\n" + ticket + "\n\n" +
      (in.contains("customer") ? "Customer: " +
                                     (in["customer"].is_string() ? in["customer"].get<std::string>()
                                                                 : in["customer"].dump()) +
                                     "\n\n"
                               : std::string()) +
      (by_classifier ? "" : "category: one of the allowed values; ") +
      "urgency: low, normal, high or critical; intent: what the customer wants, in a "
      "short phrase; order_refs and product_refs: as written in the ticket; fields: other "
      "facts stated (name, address, dates, amounts) as {name, value} pairs; suggested_reply.";
  p.schema = model_schema(by_classifier ? nullptr : &categories);
  // Enough for the schema's longest answer: a model that rambles still ends valid.
  p.max_tokens = 1200;
  const auto got = ask_structured(ctx, "ticket_analysis", p, nullptr, result);
  for (const auto& [k, v] : got.value.items()) out[k] = v;
  // The model lists fields as name/value pairs (a bounded array: the grammar cannot bound
  // an object's keys); the output is an object, the first value of a name kept.
  json fields = json::object();
  for (const auto& f : got.value["fields"]) {
    const auto name = f["name"].get<std::string>();
    if (!fields.contains(name)) fields[name] = f["value"];
  }
  out["fields"] = fields;
  // Pattern matches first; the model's references only when the ticket really holds them.
  const References refs = extract_references(ticket);
  auto merge = [&](std::vector<std::string> base, const json& model_refs) {
    for (const auto& r : model_refs) {
      const auto s = r.get<std::string>();
      if (appears_in(s, ticket) &&
          std::none_of(base.begin(), base.end(),
                       [&](const std::string& b) { return fold(b) == fold(s); }))
        base.push_back(s);
    }
    return base;
  };
  out["order_refs"] = merge(refs.orders, got.value["order_refs"]);
  out["product_refs"] = merge(refs.products, got.value["product_refs"]);
  out["category_source"] = by_classifier ? "classifier" : "model";
  out["language"] = lang;
  return out;
}

}  // namespace

TaskSpec ticket_analysis_task() {
  return {"ticket_analysis",
          "Analyses a support ticket: category (trained classifier, else the model among the "
          "configured categories), urgency, order and product references, intent, extracted "
          "fields, suggested reply.",
          input_schema(),
          output_schema(),
          "ticket",
          run};
}

}  // namespace tq::tasks
