// What may leave the premises: one action per entity type and per data label (the labels
// of knowledge-base chunks such as "confidential"), read from the [guard] section of the
// configuration. The strictest action found decides the request.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "guard/entity.h"
#include "guard/scanner.h"

namespace tq::guard {

// Ordered from the most permissive to the strictest.
enum class Action {
  Allow,         // sent as written
  Pseudonymise,  // replaced by <TYPE_n> before a remote call, restored in the answer
  LocalOnly,     // the request may only run on a local model
  Block,         // the request is refused
};

std::string_view action_name(Action a);  // "allow", "pseudonymise", "local_only", "block"
std::optional<Action> action_from_name(std::string_view name);

struct Policy {
  std::array<Action, kEntityTypeCount> by_type{};
  std::map<std::string, Action> by_label;
  Action unknown_label = Action::LocalOnly;  // fail closed on labels nobody configured

  Action for_type(EntityType t) const { return by_type[static_cast<size_t>(t)]; }
  Action for_label(const std::string& label) const;
};

// NIR → local_only (a social-security number is a key to health data); everything else
// pseudonymised; labels public/internal allowed, confidential local_only, secret block.
Policy default_policy();

struct GuardConfig {
  ScanConfig scan;
  Policy policy = default_policy();
  std::string audit_path;  // empty: no audit log configured
};

// Reads the [guard] section (absent → defaults):
//   [guard]
//   min_confidence = 0.5
//   allow = ["support@example.fr"]     # values never reported
//   deny = ["Projet Orion"]            # terms always reported as CUSTOM
//   audit = "/var/lib/triptyque/audit.db"
//   [guard.policy]                     # per entity type
//   NIR = "local_only"
//   [guard.labels]                     # per data label
//   confidential = "local_only"
// A wrong type or unknown action/type name is an InputError naming the key.
GuardConfig guard_config_from_toml(const toml::table& root);

}  // namespace tq::guard
