// The guard's detector: runs every recogniser over a text, drops what the configuration
// allows, adds deny-listed terms, and resolves overlaps (longest span wins, then the more
// confident one), so each byte belongs to at most one entity.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "guard/entity.h"
#include "guard/recogniser.h"

namespace tq::guard {

struct ScanConfig {
  double min_confidence = 0.5;
  // Values never reported (the company's own support address, its public SIREN):
  // compared with the entity's text with separators removed, case-insensitively.
  std::vector<std::string> allow;
  // Terms always reported as CUSTOM (project code names, key accounts), matched
  // case-insensitively on word boundaries.
  std::vector<std::string> deny;
};

class Scanner {
 public:
  explicit Scanner(ScanConfig config = {});
  // Entities sorted by start offset, non-overlapping.
  std::vector<Entity> scan(std::string_view text) const;
  const ScanConfig& config() const { return config_; }

 private:
  ScanConfig config_;
  std::vector<std::string> allow_keys_;
  std::vector<std::unique_ptr<Recogniser>> recognisers_;
};

// Keeps, among overlapping candidates, the longest (then the most confident, then the
// first); returns them sorted by start.
std::vector<Entity> resolve_overlaps(std::vector<Entity> candidates);

// The comparison key of a value for allow lists and pseudonym reuse: lower-case, with
// spaces, dots and hyphens removed for the number-like types.
std::string normalise_value(EntityType type, std::string_view text);

}  // namespace tq::guard
