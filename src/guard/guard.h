// The guard's API for the router and the server (docs/ARCHITECTURE.md, "Guard"):
//
//   tq::guard::Guard guard(tq::guard::guard_config_from_toml(config));
//   tq::guard::PseudonymMap map;                  // one per conversation
//   auto r = guard.protect_or_block(messages, chunk_labels, map);   // never throws
//   switch (r.verdict.action) {
//     case Action::Allow: case Action::Pseudonymise: send r.texts to the remote model,
//          then reidentify() (or a StreamReidentifier) its answer with `map`;
//     case Action::LocalOnly: run on a local model with the original messages;
//     case Action::Block: refuse, quoting r.verdict.reasons.
//   }
//
// Fail closed: protect_or_block() turns any exception inside the guard into a Block
// verdict whose reason names the failure, so a guard bug can never let data out.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "guard/entity.h"
#include "guard/policy.h"
#include "guard/pseudonymiser.h"
#include "guard/scanner.h"

namespace tq::guard {

struct Verdict {
  Action action = Action::Allow;     // the strictest action required by what was found
  std::vector<std::string> reasons;  // "NIR found (1) → local_only", "label secret → block"
  std::array<int, kEntityTypeCount> counts{};  // entities found, per type

  bool may_go_remote() const { return action <= Action::Pseudonymise; }
};

struct Protected {
  // The texts as they may be sent remotely: every entity whose action is not allow is
  // replaced by its placeholder (local-only and blocked ones too, as a second wall).
  std::vector<std::string> texts;
  std::vector<std::vector<Entity>> entities;  // per text, what the scanner found
  Verdict verdict;
};

class Guard {
 public:
  explicit Guard(GuardConfig config = {});

  std::vector<Entity> scan(std::string_view text) const { return scanner_.scan(text); }
  // `labels`: data labels of the context that joins the request (retrieved chunks).
  Protected protect(std::span<const std::string> texts, std::span<const std::string> labels,
                    PseudonymMap& map) const;
  // protect(), but any exception becomes a Block verdict (fail closed).
  Protected protect_or_block(std::span<const std::string> texts,
                             std::span<const std::string> labels, PseudonymMap& map) const noexcept;

  const GuardConfig& config() const { return config_; }

 private:
  GuardConfig config_;
  Scanner scanner_;
};

// `text` with each entity of `entities` (sorted, non-overlapping) whose policy action is
// not allow replaced by its placeholder from `map`.
std::string pseudonymise(std::string_view text, const std::vector<Entity>& entities,
                         const Policy& policy, PseudonymMap& map);

}  // namespace tq::guard
