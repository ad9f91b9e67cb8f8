// email_summary: an e-mail (raw .eml or plain text) → summary, action items, requested
// dates (ISO, resolved against the e-mail's Date) and sentiment.
#include <set>

#include "tasks/jobs/email.h"
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
      "email": {"type": "string", "minLength": 1, "maxLength": 200000},
      "reference_date": {"type": "string", "format": "date"}
    },
    "required": ["email"],
    "additionalProperties": false
  })");
}

json model_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "summary": {"type": "string", "minLength": 1, "maxLength": 800},
      "action_items": {"type": "array", "items": {"type": "string", "maxLength": 200},
                       "maxItems": 10},
      "requested_dates": {"type": "array", "items": {"type": "string", "format": "date"},
                          "maxItems": 10},
      "sentiment": {"enum": ["positive", "neutral", "negative"]}
    },
    "required": ["summary", "action_items", "requested_dates", "sentiment"]
  })");
}

json output_schema() {
  json s = model_schema();
  s["properties"]["requested_dates"].erase("maxItems");
  for (const char* f : {"subject", "from", "date"}) s["properties"][f] = {{"type", "string"}};
  s["properties"]["language"] = {{"enum", {"fr", "en"}}};
  s["properties"]["dates_mentioned"] = s["properties"]["requested_dates"];
  s["required"] = {
      "summary", "action_items", "requested_dates", "dates_mentioned", "sentiment", "subject",
      "from",    "date",         "language"};
  return s;
}

json run(const json& in, const TaskContext& ctx, TaskResult& result) {
  const ParsedEmail e = parse_email(in["email"].get<std::string>());
  std::optional<CivilDate> ref = e.date;
  if (!ref && in.contains("reference_date")) ref = parse_iso_date(in["reference_date"]);
  const std::string lang = detect_language(e.subject + "\n" + e.body);
  const bool fr = lang == "fr";
  ModelPrompt p;
  p.system = fr ? "Tu résumes des e-mails pour un service client. Réponds en français, en JSON."
                : "You summarise e-mails for a customer service team. Reply in English, in JSON.";
  std::string user;
  if (!e.subject.empty()) user += "Subject: " + e.subject + "\n";
  if (!e.from.empty()) user += "From: " + e.from + "\n";
  if (ref) {
    static const char* const kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
    user += "Sent on: " + ref->iso() + " (" + kDays[weekday(*ref)] + ")\n";
  }
  user += "\n" + e.body +
          "\n\nGive: summary; action_items (what the recipient must do); requested_dates "
          "(dates the sender asks for, as YYYY-MM-DD, relative dates resolved from the date "
          "sent); sentiment (positive, neutral or negative).";
  p.user = user;
  p.schema = model_schema();
  p.max_tokens = 600;
  const auto got = ask_structured(ctx, "email_summary", p, nullptr, result);
  // The dates the text states, found by rule and resolved against the e-mail's date: a
  // reader can check the model's requested_dates against them.
  std::set<std::string> requested;
  for (const auto& d : got.value["requested_dates"]) requested.insert(d.get<std::string>());
  json mentioned = json::array();
  for (const auto& d : find_dates(e.subject + "\n" + e.body, ref)) mentioned.push_back(d.iso());
  json out = got.value;
  out["requested_dates"] = requested;
  out["dates_mentioned"] = mentioned;
  out["subject"] = e.subject;
  out["from"] = e.from;
  out["date"] = ref ? ref->iso() : "";
  out["language"] = lang;
  return out;
}

}  // namespace

TaskSpec email_summary_task() {
  return {"email_summary",
          "Summarises an e-mail (.eml or text): summary, action items, requested dates (ISO, "
          "resolved against the e-mail's date) and sentiment.",
          input_schema(),
          output_schema(),
          "email",
          run};
}

}  // namespace tq::tasks
