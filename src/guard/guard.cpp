#include "guard/guard.h"

#include <exception>

namespace tq::guard {

Guard::Guard(GuardConfig config) : config_(std::move(config)), scanner_(config_.scan) {}

std::string pseudonymise(std::string_view text, const std::vector<Entity>& entities,
                         const Policy& policy, PseudonymMap& map) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const Entity& e : entities) {
    if (policy.for_type(e.type) == Action::Allow || e.start < pos) continue;
    out.append(text.substr(pos, e.start - pos));
    out.append(map.placeholder(e.type, e.text));
    pos = e.end;
  }
  out.append(text.substr(pos));
  return out;
}

Protected Guard::protect(std::span<const std::string> texts, std::span<const std::string> labels,
                         PseudonymMap& map) const {
  Protected p;
  for (const std::string& t : texts) {
    auto entities = scanner_.scan(t);
    for (const Entity& e : entities) ++p.verdict.counts[static_cast<size_t>(e.type)];
    p.texts.push_back(pseudonymise(t, entities, config_.policy, map));
    p.entities.push_back(std::move(entities));
  }
  for (size_t i = 0; i < p.verdict.counts.size(); ++i) {
    if (p.verdict.counts[i] == 0) continue;
    const auto type = static_cast<EntityType>(i);
    const Action a = config_.policy.for_type(type);
    p.verdict.action = std::max(p.verdict.action, a);
    p.verdict.reasons.push_back(std::string(type_name(type)) + " found (" +
                                std::to_string(p.verdict.counts[i]) + ") → " +
                                std::string(action_name(a)));
  }
  for (const std::string& label : labels) {
    const Action a = config_.policy.for_label(label);
    if (a == Action::Allow) continue;
    p.verdict.action = std::max(p.verdict.action, a);
    p.verdict.reasons.push_back("label " + label + " → " + std::string(action_name(a)));
  }
  return p;
}

Protected Guard::protect_or_block(std::span<const std::string> texts,
                                  std::span<const std::string> labels,
                                  PseudonymMap& map) const noexcept {
  try {
    return protect(texts, labels, map);
  } catch (const std::exception& e) {
    Protected p;
    p.verdict.action = Action::Block;
    try {
      p.verdict.reasons.push_back(std::string("guard failed, request blocked: ") + e.what());
    } catch (...) {  // out of memory while reporting: the Block verdict stands
    }
    return p;
  } catch (...) {
    Protected p;
    p.verdict.action = Action::Block;
    return p;
  }
}

}  // namespace tq::guard
