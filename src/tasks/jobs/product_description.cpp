// product_description: a catalogue record → description, SEO title (≤ 60 characters) and
// meta description (≤ 155), every stated attribute checked against the record.
#include "core/error.h"
#include "tasks/jobs/fidelity.h"
#include "tasks/jobs/model_call.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

json input_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "record": {"type": "object"},
      "sku": {"type": "string", "minLength": 1, "maxLength": 200},
      "language": {"enum": ["fr", "en"]},
      "tone": {"type": "string", "maxLength": 200}
    },
    "anyOf": [{"required": ["record"]}, {"required": ["sku"]}],
    "additionalProperties": false
  })");
}

json model_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "description": {"type": "string", "minLength": 20, "maxLength": 1500},
      "seo_title": {"type": "string", "minLength": 5, "maxLength": 60},
      "meta_description": {"type": "string", "minLength": 20, "maxLength": 155}
    },
    "required": ["description", "seo_title", "meta_description"]
  })");
}

json output_schema() {
  json s = model_schema();
  s["properties"]["language"] = {{"enum", {"fr", "en"}}};
  s["properties"]["fidelity"] = json::parse(R"({
    "type": "object",
    "properties": {"ok": {"type": "boolean"},
                   "problems": {"type": "array", "items": {"type": "string"}},
                   "checked": {"type": "array", "items": {"type": "string"}}},
    "required": ["ok", "problems", "checked"]})");
  s["required"] = {"description", "seo_title", "meta_description", "language", "fidelity"};
  return s;
}

std::string record_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::string out;
  if (v.is_object() || v.is_array())
    for (const auto& sub : v) out += " " + record_text(sub);
  return out;
}

std::string stated(const json& a) {
  return a["description"].get<std::string>() + "\n" + a["seo_title"].get<std::string>() + "\n" +
         a["meta_description"].get<std::string>();
}

// The record given inline, else the catalogue row of the knowledge base with that SKU.
json find_record(const json& in, const TaskContext& ctx) {
  if (in.contains("record")) return in["record"];
  const auto sku = in["sku"].get<std::string>();
  if (!ctx.find_record)
    throw InputError("product_description: sku \"" + sku +
                     "\" needs a knowledge base holding the catalogue (tasks.kb in the "
                     "configuration); or give the record itself as \"record\"");
  auto r = ctx.find_record(sku);
  if (!r)
    throw InputError("product_description: no catalogue record with sku \"" + sku +
                     "\" in the knowledge base (ingest the catalogue CSV first)");
  return *r;
}

json run(const json& in, const TaskContext& ctx, TaskResult& result) {
  const json record = find_record(in, ctx);
  const std::string lang = in.contains("language") ? in["language"].get<std::string>()
                                                   : detect_language(record_text(record));
  const bool fr = lang == "fr";
  ModelPrompt p;
  p.system =
      fr ? "Tu rédiges des fiches produit pour une boutique en ligne. N'énonce que des "
           "caractéristiques présentes dans la fiche catalogue (dimensions, matières, couleurs, "
           "tailles, prix) et recopie leurs valeurs exactement. Titre SEO : 60 caractères au "
           "plus. Méta-description : 155 caractères au plus. Écris en français."
         : "You write product pages for an online shop. State only attributes present in the "
           "catalogue record (dimensions, materials, colours, sizes, prices) and copy their "
           "values exactly. SEO title: at most 60 characters. Meta description: at most 155 "
           "characters. Write in English.";
  p.user = (fr ? "Fiche catalogue :\n" : "Catalogue record:\n") + record.dump(2) +
           (in.contains("tone") ? (fr ? "\nTon : " : "\nTone: ") + in["tone"].get<std::string>()
                                : std::string()) +
           (fr ? "\nRéponds en JSON : description, seo_title, meta_description."
               : "\nReply in JSON: description, seo_title, meta_description.");
  p.schema = model_schema();
  p.max_tokens = 700;
  auto check = [&](const json& a) { return check_fidelity(record, stated(a)).problems; };
  const auto got = ask_structured(ctx, "product_description", p, check, result);
  const auto report = check_fidelity(record, stated(got.value));
  json out = got.value;
  out["language"] = lang;
  out["fidelity"] = {{"ok", report.ok}, {"problems", report.problems}, {"checked", report.checked}};
  return out;
}

}  // namespace

TaskSpec product_description_task() {
  return {"product_description",
          "Writes a product description, SEO title and meta description from a catalogue "
          "record (inline, or by sku from the knowledge base); every stated size, material, "
          "colour, dimension and price is checked "
          "against the record.",
          input_schema(),
          output_schema(),
          "",
          run};
}

}  // namespace tq::tasks
