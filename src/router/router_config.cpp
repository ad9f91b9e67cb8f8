#include <algorithm>

#include "core/config.h"
#include "core/error.h"
#include "router/router.h"

namespace tq {
namespace {

Target read_target(const toml::node& n, const std::string& where,
                   const std::function<bool(const std::string&)>& is_local) {
  const toml::table* t = n.as_table();
  if (t == nullptr)
    throw InputError("config key '" + where +
                     "' must be a table like { provider = \"local\", model = \"qwen2.5-0.5b\" }");
  Target out;
  out.provider = config_string(*t, "provider").value_or("");
  out.model = config_string(*t, "model").value_or("");
  if (out.provider.empty() || out.model.empty())
    throw InputError("config key '" + where + "' needs both provider and model");
  out.local = is_local(out.provider);  // throws for an unknown provider
  return out;
}

std::vector<Target> read_targets(const toml::table& t, const std::string& key,
                                 const std::string& where,
                                 const std::function<bool(const std::string&)>& is_local) {
  std::vector<Target> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) throw InputError("config key '" + where + "." + key + "' must be an array");
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string item = where;
    item += '.';
    item += key;
    item += '[';
    item += std::to_string(i);
    item += ']';
    out.push_back(read_target(*arr->get(i), item, is_local));
  }
  return out;
}

std::vector<std::string> read_strings(const toml::table& t, const std::string& key,
                                      const std::string& where, std::vector<std::string> dflt) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return dflt;
  const toml::array* arr = n->as_array();
  const std::string wrong = "config key '" + where + "." + key + "' must be an array of strings";
  if (arr == nullptr) throw InputError(wrong);
  std::vector<std::string> out;
  for (const auto& v : *arr) {
    if (!v.is_string()) throw InputError(wrong);
    out.push_back(*v.value<std::string>());
  }
  return out;
}

BudgetLimits read_limits(const toml::table& t, const std::string& where, const char* day_key,
                         const char* month_key) {
  BudgetLimits l;
  l.eur_per_day = config_number(t, day_key);
  l.eur_per_month = config_number(t, month_key);
  if ((l.eur_per_day && *l.eur_per_day < 0) || (l.eur_per_month && *l.eur_per_month < 0))
    throw InputError("config section [" + where + "]: budgets must not be negative");
  return l;
}

[[noreturn]] void bad_mode(const std::string& where, const std::string& mode) {
  throw InputError("config key '" + where + ".mode' must be slm, llm or cascade, got '" + mode +
                   "'");
}

[[noreturn]] void missing_targets(const std::string& where, const std::string& mode) {
  throw InputError("config section [" + where + "]: mode '" + mode + "' needs " +
                   (mode == "cascade" ? "slm and llm" : mode));
}

}  // namespace

RouterConfig RouterConfig::from_toml(const toml::table& root,
                                     const std::function<bool(const std::string&)>& is_local) {
  RouterConfig c;
  const toml::table* r = root["router"].as_table();
  if (r == nullptr) return c;
  c.default_task = config_string(*r, "default_task").value_or(c.default_task);
  c.local_only_labels = read_strings(*r, "local_only_labels", "router", c.local_only_labels);
  c.local_only_findings = read_strings(*r, "local_only_findings", "router", c.local_only_findings);
  c.fallbacks = read_targets(*r, "fallbacks", "router", is_local);
  if (const toml::table* tasks = (*r)["tasks"].as_table()) {
    for (const auto& [key, node] : *tasks) {
      const std::string name(key.str());
      const std::string where = "router.tasks." + name;
      const toml::table* t = node.as_table();
      if (t == nullptr) throw InputError("config key '" + where + "' must be a table");
      TaskRule rule;
      rule.name = name;
      const std::string mode = config_string(*t, "mode").value_or("slm");
      if (mode == "slm")
        rule.mode = TaskMode::Slm;
      else if (mode == "llm")
        rule.mode = TaskMode::Llm;
      else if (mode == "cascade")
        rule.mode = TaskMode::Cascade;
      else
        bad_mode(where, mode);
      if (const toml::node* n = t->get("slm")) rule.slm = read_target(*n, where + ".slm", is_local);
      if (const toml::node* n = t->get("llm")) rule.llm = read_target(*n, where + ".llm", is_local);
      if ((rule.mode != TaskMode::Llm && !rule.slm) || (rule.mode != TaskMode::Slm && !rule.llm))
        missing_targets(where, mode);
      rule.min_mean_logprob = config_number(*t, "min_mean_logprob").value_or(-1.0);
      rule.fallbacks = read_targets(*t, "fallbacks", where, is_local);
      rule.latency_target_ms = config_number(*t, "latency_target_ms");
      c.tasks[name] = rule;
    }
  }
  if (!c.tasks.empty() && c.tasks.count(c.default_task) == 0)
    throw InputError("config key 'router.default_task' names '" + c.default_task +
                     "', which is not a [router.tasks.*] section");
  if (const toml::table* b = (*r)["budgets"].as_table()) {
    const std::string on = config_string(*b, "on_exhausted").value_or("downgrade");
    if (on != "downgrade" && on != "refuse")
      throw InputError("config key 'router.budgets.on_exhausted' must be downgrade or refuse");
    c.downgrade_on_budget = on == "downgrade";
    c.global_budget =
        read_limits(*b, "router.budgets", "global_eur_per_day", "global_eur_per_month");
    if (const toml::table* keys = (*b)["keys"].as_table()) {
      for (const auto& [key, node] : *keys) {
        const std::string where = "router.budgets.keys." + std::string(key.str());
        const toml::table* t = node.as_table();
        if (t == nullptr) throw InputError("config key '" + where + "' must be a table");
        c.key_budgets[std::string(key.str())] =
            read_limits(*t, where, "eur_per_day", "eur_per_month");
      }
    }
  }
  return c;
}

}  // namespace tq
