// Reversible pseudonymisation for remote calls. A PseudonymMap lives as long as one
// conversation: the same value always becomes the same placeholder (<PERSON_1>,
// <IBAN_1>, …), across every message of it, and the remote answer is re-identified with
// it — in one piece or chunk by chunk while streaming.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "guard/entity.h"

namespace tq::guard {

// Not thread-safe: one conversation is handled by one thread at a time.
class PseudonymMap {
 public:
  // The placeholder for `value`, creating the next one of its type on first sight.
  // Values equal up to separators and case ("06 12 34 56 78" / "0612345678") share one.
  const std::string& placeholder(EntityType type, std::string_view value);
  // The original value (as first written) for a placeholder, or nullptr.
  const std::string* original(std::string_view placeholder) const;
  size_t size() const { return originals_.size(); }
  // (placeholder, original) pairs in creation order, for `guard redact --json`.
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::map<std::pair<EntityType, std::string>, std::string> by_value_;
  std::unordered_map<std::string, std::string> originals_;
  std::vector<std::pair<std::string, std::string>> entries_;
  std::array<int, kEntityTypeCount> counters_{};
};

// The longest placeholder the re-identifiers recognise: "<DATE_OF_BIRTH_" + digits + ">".
inline constexpr size_t kMaxPlaceholder = 32;

// Replaces every known placeholder in `text` by its original; unknown ones stay as written.
std::string reidentify(std::string_view text, const PseudonymMap& map);

// Re-identifies a streamed answer: push() returns what can be shown now, holding back
// only a trailing '<…' that may still become a placeholder; finish() flushes the rest.
// The concatenated output equals reidentify() of the concatenated input.
class StreamReidentifier {
 public:
  explicit StreamReidentifier(const PseudonymMap& map) : map_(map) {}
  std::string push(std::string_view chunk);
  std::string finish();

 private:
  const PseudonymMap& map_;
  std::string pending_;
};

}  // namespace tq::guard
