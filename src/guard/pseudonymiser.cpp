#include "guard/pseudonymiser.h"

#include "guard/scanner.h"

namespace tq::guard {
namespace {

bool placeholder_char(char c) {
  return (c >= 'A' && c <= 'Z') || c == '_';
}

// Length of a complete placeholder "<NAME_123>" at text[i], else 0.
size_t placeholder_at(std::string_view t, size_t i) {
  size_t j = i + 1;
  while (j < t.size() && j - i < kMaxPlaceholder && placeholder_char(t[j])) ++j;
  if (j == i + 1 || t[j - 1] != '_') return 0;
  const size_t digits = j;
  while (j < t.size() && j - i < kMaxPlaceholder && t[j] >= '0' && t[j] <= '9') ++j;
  if (j == digits || j >= t.size() || t[j] != '>') return 0;
  return j + 1 - i;
}

// Whether t[i..] (which starts with '<' and runs to the end) could still grow into a
// placeholder.
bool placeholder_prefix(std::string_view t, size_t i) {
  const size_t n = t.size() - i;
  if (n >= kMaxPlaceholder) return false;
  size_t j = i + 1;
  while (j < t.size() && placeholder_char(t[j])) ++j;
  if (j == t.size()) return true;
  if (j == i + 1 || t[j - 1] != '_') return false;
  while (j < t.size() && t[j] >= '0' && t[j] <= '9') ++j;
  return j == t.size();
}

}  // namespace

const std::string& PseudonymMap::placeholder(EntityType type, std::string_view value) {
  auto key = std::make_pair(type, normalise_value(type, value));
  auto it = by_value_.find(key);
  if (it != by_value_.end()) return it->second;
  const int n = ++counters_[static_cast<size_t>(type)];
  std::string ph = "<" + std::string(type_name(type)) + "_" + std::to_string(n) + ">";
  originals_.emplace(ph, std::string(value));
  entries_.emplace_back(ph, std::string(value));
  return by_value_.emplace(std::move(key), std::move(ph)).first->second;
}

const std::string* PseudonymMap::original(std::string_view placeholder) const {
  const auto it = originals_.find(std::string(placeholder));
  return it == originals_.end() ? nullptr : &it->second;
}

std::string reidentify(std::string_view text, const PseudonymMap& map) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t lt = text.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, lt - i));
    const size_t n = placeholder_at(text, lt);
    const std::string* orig = n != 0 ? map.original(text.substr(lt, n)) : nullptr;
    if (orig != nullptr) {
      out.append(*orig);
      i = lt + n;
    } else {
      out.push_back('<');
      i = lt + 1;
    }
  }
  return out;
}

std::string StreamReidentifier::push(std::string_view chunk) {
  pending_.append(chunk);
  // Hold back from the last '<' if what follows it may still become a placeholder; a
  // placeholder has a single '<', so none can straddle the cut.
  size_t cut = pending_.size();
  const size_t lt = pending_.rfind('<');
  if (lt != std::string::npos && placeholder_prefix(pending_, lt)) cut = lt;
  std::string out = reidentify(std::string_view(pending_).substr(0, cut), map_);
  pending_.erase(0, cut);
  return out;
}

std::string StreamReidentifier::finish() {
  std::string out = reidentify(pending_, map_);
  pending_.clear();
  return out;
}

}  // namespace tq::guard
