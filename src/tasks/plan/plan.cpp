#include "tasks/plan/plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/error.h"
#include "tasks/jobs/model_call.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/schema_check.h"
#include "tasks/jobs/text.h"

// Messages are built with cat(): one allocation, not a temporary per "+".

namespace tq::tasks {
namespace {

using nlohmann::json;

// "${s1.summary}" → ("s1", "summary").
bool parse_reference(const json& v, std::string& step, std::string& field) {
  if (!v.is_string()) return false;
  const auto s = v.get<std::string>();
  if (s.size() < 5 || s.rfind("${", 0) != 0 || s.back() != '}') return false;
  const std::string inner = s.substr(2, s.size() - 3);
  const size_t dot = inner.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == inner.size()) return false;
  step = inner.substr(0, dot);
  field = inner.substr(dot + 1);
  return true;
}

bool matches_where(const json& record, const json& where) {
  for (const auto& [field, want] : where.items()) {
    const bool present = record.contains(field) && !record[field].is_null() &&
                         !(record[field].is_string() && record[field].get<std::string>().empty());
    if (want.is_null() || !present) {
      if (want.is_null() != !present) return false;  // null asks for a missing field
      continue;
    }
    const bool equal = want.is_string() && record[field].is_string()
                           ? fold(want.get<std::string>()) == fold(record[field].get<std::string>())
                           : want == record[field];
    if (!equal) return false;
  }
  return true;
}

}  // namespace

json plan_schema() {
  json s = json::parse(R"({
    "type": "object",
    "properties": {
      "steps": {"type": "array", "minItems": 1, "maxItems": 50, "items": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "minLength": 1, "maxLength": 40},
          "task": {"enum": []},
          "input": {"type": "object"},
          "for_each": {"type": "object", "properties": {
            "source": {"enum": ["records"]},
            "as": {"type": "string", "minLength": 1, "maxLength": 40},
            "where": {"type": "object"}},
            "required": ["source", "as"]},
          "depends_on": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
          "parallel_group": {"type": "string", "maxLength": 40}
        },
        "required": ["id", "task", "input", "depends_on"]}}
    },
    "required": ["steps"]
  })");
  s["properties"]["steps"]["items"]["properties"]["task"]["enum"] = task_names();
  return s;
}

PlanCheck validate_plan(const json& plan, const json& records) {
  PlanCheck out;
  auto& problems = out.problems;
  for (const auto& p : schema_problems(plan, plan_schema())) {
    // Unknown task names get their own clearer message below.
    if (p.find("/task:") == std::string::npos) problems.push_back("plan" + p.substr(0));
  }
  if (!plan.is_object() || !plan.contains("steps") || !plan["steps"].is_array()) {
    if (problems.empty()) problems.push_back("plan: no steps array");
    return out;
  }
  const json& steps = plan["steps"];
  std::map<std::string, const json*> by_id;
  std::vector<std::string> order;
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& s = steps[i];
    if (!s.is_object() || !s.contains("id") || !s["id"].is_string()) continue;
    const auto id = s["id"].get<std::string>();
    if (id.find_first_of("[]${}.") != std::string::npos)
      problems.push_back("step " + id + ": ids may not contain [ ] $ { } or .");
    if (!by_id.emplace(id, &s).second)
      problems.push_back("step " + id + ": duplicate id");
    else
      order.push_back(id);
  }
  // Tasks and dependencies.
  for (const auto& id : order) {
    const json& s = *by_id[id];
    if (s.contains("task") && s["task"].is_string() &&
        find_task(s["task"].get<std::string>()) == nullptr) {
      std::string known;
      for (const auto& n : task_names()) known.append(known.empty() ? "" : ", ").append(n);
      problems.push_back(cat({"step ", id, ": unknown task \"", s["task"].get<std::string>(),
                              "\" (known: ", known, ")"}));
    }
    if (s.contains("depends_on") && s["depends_on"].is_array())
      for (const auto& d : s["depends_on"])
        if (d.is_string() && by_id.count(d.get<std::string>()) == 0)
          problems.push_back("step " + id + ": depends on unknown step \"" + d.get<std::string>() +
                             "\"");
  }
  // Cycles (depth-first, reporting the cycle's path).
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 finished
  std::vector<std::string> stack;
  std::vector<std::string> topo;
  std::set<std::string> reported;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    state[id] = 1;
    stack.push_back(id);
    const json& s = *by_id[id];
    if (s.contains("depends_on") && s["depends_on"].is_array()) {
      for (const auto& d : s["depends_on"]) {
        if (!d.is_string() || by_id.count(d.get<std::string>()) == 0) continue;
        const auto dep = d.get<std::string>();
        if (state[dep] == 1) {
          std::string path;
          for (auto it = std::find(stack.begin(), stack.end(), dep); it != stack.end(); ++it)
            path += *it + " -> ";
          path += dep;
          if (reported.insert(path).second) problems.push_back("steps form a cycle: " + path);
        } else if (state[dep] == 0) {
          visit(dep);
        }
      }
    }
    stack.pop_back();
    state[id] = 2;
    topo.push_back(id);
  };
  for (const auto& id : order)
    if (state[id] == 0) visit(id);
  if (!problems.empty()) return out;

  // Expansion and inputs, in dependency order.
  std::map<std::string, std::vector<std::string>> expanded;  // plan id → executable ids
  for (const auto& id : topo) {
    const json& s = *by_id[id];
    const TaskSpec* spec = find_task(s["task"].get<std::string>());
    std::vector<std::string> deps;
    for (const auto& d : s["depends_on"]) {
      const auto& e = expanded[d.get<std::string>()];
      deps.insert(deps.end(), e.begin(), e.end());
    }
    const std::string group = s.value("parallel_group", "");
    std::vector<std::pair<std::string, json>> copies;  // (step id, input)
    if (s.contains("for_each")) {
      const json& fe = s["for_each"];
      const std::string as = fe["as"].get<std::string>();
      if (!spec->input_schema["properties"].contains(as)) {
        problems.push_back(cat({"step ", id, ": for_each puts records into \"", as,
                                "\", which task ", spec->name, " does not take"}));
        continue;
      }
      if (!records.is_array()) {
        problems.push_back("step " + id +
                           ": for_each over records, but the request has no records list");
        continue;
      }
      const json where = fe.value("where", json::object());
      for (const auto& r : records) {
        if (!r.is_object() || !matches_where(r, where)) continue;
        json in = s["input"];
        in[as] = r;
        copies.emplace_back(id + "[" + std::to_string(copies.size()) + "]", std::move(in));
      }
    } else {
      copies.emplace_back(id, s["input"]);
    }
    std::vector<std::string> ids;
    for (auto& [cid, input] : copies) {
      // References are checked, then stand in as present for the schema check.
      json checkable = input;
      json schema = spec->input_schema;
      for (const auto& [key, value] : input.items()) {
        std::string ref_step;
        std::string field;
        if (!parse_reference(value, ref_step, field)) continue;
        const auto dep = std::find_if(s["depends_on"].begin(), s["depends_on"].end(),
                                      [&](const json& d) { return d == ref_step; });
        if (dep == s["depends_on"].end()) {
          problems.push_back(cat({"step ", cid, ": input ", key, " uses step ", ref_step,
                                  ", which is not in its depends_on"}));
        } else if (by_id[ref_step]->contains("for_each")) {
          problems.push_back(cat({"step ", cid, ": input ", key, " uses the for_each step ",
                                  ref_step, ", which has many outputs"}));
        } else {
          const TaskSpec* from = find_task((*by_id[ref_step])["task"].get<std::string>());
          if (!from->output_schema["properties"].contains(field))
            problems.push_back(cat({"step ", cid, ": input ", key, " uses field \"", field,
                                    "\" which task ", from->name, " does not output"}));
        }
        checkable.erase(key);
        if (schema.contains("required")) {
          auto& req = schema["required"];
          req.erase(std::remove(req.begin(), req.end(), json(key)), req.end());
        }
      }
      for (const auto& p : schema_problems(checkable, schema))
        problems.push_back(cat({"step ", cid, " (", spec->name, "): input", p}));
      out.steps.push_back({cid, spec->name, input, deps,
                           s.contains("for_each") && group.empty() ? "for_each:" + id : group});
      ids.push_back(cid);
    }
    expanded[id] = ids;
  }
  if (!problems.empty()) out.steps.clear();
  return out;
}

PlannedGoal make_plan(const std::string& goal, const json& records, const TaskContext& ctx) {
  TaskContext planner = ctx;
  planner.slm = nullptr;  // ask_structured then uses the LLM for both attempts
  if (planner.llm == nullptr) {
    planner.llm = ctx.slm;
    planner.llm_model = ctx.slm_model;
    planner.llm_price = ctx.slm_price;
  }
  if (planner.llm == nullptr)
    throw InputError("planning needs a model: configure an LLM (or at least a small model)");
  std::string catalogue;
  for (const auto& t : all_tasks())
    catalogue += "- " + t.name + ": " + t.description +
                 "\n  input schema: " + t.input_schema.dump() + "\n  output fields: " +
                 [&] {
                   std::string f;
                   for (const auto& [k, v] : t.output_schema["properties"].items()) f += k + " ";
                   return f;
                 }() +
                 "\n";
  std::string sample;
  if (records.is_array() && !records.empty()) {
    sample = "\nThe request carries " + std::to_string(records.size()) +
             " records (use for_each with source \"records\"); the first is:\n" +
             records[0].dump() + "\n";
  }
  ModelPrompt p;
  p.system =
      "You plan work for small models. Split the goal into steps, each one call of a listed "
      "task with its input. Use for_each {source: \"records\", as: <input field>, where: "
      "{field: value or null for missing}} to run a task on many records; write \"${id.field}\" "
      "to pass a field of an earlier step's output, listing that step in depends_on; give "
      "steps that can run at the same time a common parallel_group. Reply in JSON.";
  p.user = "Tasks:\n" + catalogue + sample + "\nGoal: " + goal;
  p.schema = plan_schema();
  p.max_tokens = 1500;
  PlannedGoal out;
  auto check = [&](const json& plan) { return validate_plan(plan, records).problems; };
  const auto got = ask_structured(planner, "plan", p, check, out.planning);
  out.plan = got.value;
  out.check = validate_plan(got.value, records);
  if (!out.check.problems.empty()) {
    std::string msg = "the planner's plan is invalid: ";
    for (size_t i = 0; i < out.check.problems.size(); ++i)
      msg += (i ? "; " : "") + out.check.problems[i];
    throw InputError(msg);
  }
  return out;
}

}  // namespace tq::tasks
