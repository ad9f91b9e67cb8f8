#include "guard/policy.h"

#include "core/config.h"
#include "core/error.h"

namespace tq::guard {
namespace {

constexpr std::array<std::string_view, 4> kActionNames = {"allow", "pseudonymise", "local_only",
                                                          "block"};

Action parse_action(const toml::node& node, const std::string& key) {
  const auto s = node.value<std::string>();
  if (!s)
    throw InputError("config key " + key +
                     ": expected a string (allow, pseudonymise, "
                     "local_only or block)");
  const auto a = action_from_name(*s);
  if (!a)
    throw InputError("config key " + key + ": unknown action \"" + *s +
                     "\" (expected allow, pseudonymise, local_only or block)");
  return *a;
}

std::vector<std::string> string_list(const toml::table& guard, const char* key) {
  std::vector<std::string> out;
  const toml::node* node = guard.get(key);
  if (node == nullptr) return out;
  const toml::array* arr = node->as_array();
  if (arr == nullptr)
    throw InputError(std::string("config key guard.") + key + ": expected an array of strings");
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto s = (*arr)[i].value<std::string>();
    if (!s)
      throw InputError(std::string("config key guard.") + key + "[" + std::to_string(i) +
                       "]: expected a string");
    out.push_back(*s);
  }
  return out;
}

}  // namespace

std::string_view action_name(Action a) {
  return kActionNames[static_cast<size_t>(a)];
}

std::optional<Action> action_from_name(std::string_view name) {
  if (name == "pseudonymize") name = "pseudonymise";
  if (name == "local-only") name = "local_only";
  for (size_t i = 0; i < kActionNames.size(); ++i)
    if (kActionNames[i] == name) return static_cast<Action>(i);
  return std::nullopt;
}

Action Policy::for_label(const std::string& label) const {
  const auto it = by_label.find(label);
  return it == by_label.end() ? unknown_label : it->second;
}

Policy default_policy() {
  Policy p;
  p.by_type.fill(Action::Pseudonymise);
  p.by_type[static_cast<size_t>(EntityType::Nir)] = Action::LocalOnly;
  p.by_label = {{"public", Action::Allow},
                {"internal", Action::Allow},
                {"personal", Action::Pseudonymise},
                {"confidential", Action::LocalOnly},
                {"secret", Action::Block}};
  return p;
}

GuardConfig guard_config_from_toml(const toml::table& root) {
  GuardConfig cfg;
  const toml::node* node = root.get("guard");
  if (node == nullptr) return cfg;
  const toml::table* guard = node->as_table();
  if (guard == nullptr) throw InputError("config key guard: expected a table ([guard])");
  if (auto v = config_number(root, "guard.min_confidence")) {
    if (*v < 0 || *v > 1)
      throw InputError("config key guard.min_confidence: expected a number in [0, 1]");
    cfg.scan.min_confidence = *v;
  }
  cfg.scan.allow = string_list(*guard, "allow");
  cfg.scan.deny = string_list(*guard, "deny");
  if (auto v = config_string(root, "guard.audit")) cfg.audit_path = *v;
  if (const toml::node* p = guard->get("policy")) {
    const toml::table* t = p->as_table();
    if (t == nullptr) throw InputError("config key guard.policy: expected a table");
    for (const auto& [k, v] : *t) {
      const std::string key = "guard.policy." + std::string(k.str());
      const auto type = type_from_name(k.str());
      if (!type)
        throw InputError("config key " + key +
                         ": unknown entity type (expected EMAIL, "
                         "PHONE, IBAN, CARD, NIR, SIREN, SIRET, VAT, IP, "
                         "DATE_OF_BIRTH, ADDRESS, PERSON or CUSTOM)");
      cfg.policy.by_type[static_cast<size_t>(*type)] = parse_action(v, key);
    }
  }
  if (const toml::node* l = guard->get("labels")) {
    const toml::table* t = l->as_table();
    if (t == nullptr) throw InputError("config key guard.labels: expected a table");
    for (const auto& [k, v] : *t) {
      const std::string key = "guard.labels." + std::string(k.str());
      if (k.str() == "*")
        cfg.policy.unknown_label = parse_action(v, key);
      else
        cfg.policy.by_label[std::string(k.str())] = parse_action(v, key);
    }
  }
  return cfg;
}

}  // namespace tq::guard
