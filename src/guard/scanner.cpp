#include "guard/scanner.h"

#include <algorithm>
#include <map>

#include "guard/text_util.h"

namespace tq::guard {

std::string normalise_value(EntityType type, std::string_view text) {
  const bool compact = type != EntityType::Person && type != EntityType::Address &&
                       type != EntityType::Custom && type != EntityType::Email &&
                       type != EntityType::DateOfBirth;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (compact) {
      if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
      if (const size_t n = text::unicode_space_len(text, i)) {
        i += n - 1;
        continue;
      }
    }
    out.push_back(text::lower(c));
  }
  return out;
}

std::vector<Entity> resolve_overlaps(std::vector<Entity> c) {
  std::sort(c.begin(), c.end(), [](const Entity& a, const Entity& b) {
    const size_t la = a.end - a.start;
    const size_t lb = b.end - b.start;
    if (la != lb) return la > lb;
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.start < b.start;
  });
  std::map<size_t, size_t> taken;  // start -> end of accepted spans
  std::vector<Entity> kept;
  for (auto& e : c) {
    auto it = taken.lower_bound(e.start);
    if (it != taken.end() && it->first < e.end) continue;
    if (it != taken.begin() && std::prev(it)->second > e.start) continue;
    taken.emplace(e.start, e.end);
    kept.push_back(std::move(e));
  }
  std::sort(kept.begin(), kept.end(),
            [](const Entity& a, const Entity& b) { return a.start < b.start; });
  return kept;
}

Scanner::Scanner(ScanConfig config) : config_(std::move(config)) {
  recognisers_.push_back(make_email_recogniser());
  recognisers_.push_back(make_code_recogniser());
  recognisers_.push_back(make_number_recogniser());
  recognisers_.push_back(make_ip_recogniser());
  recognisers_.push_back(make_birth_date_recogniser());
  recognisers_.push_back(make_address_recogniser());
  recognisers_.push_back(make_person_recogniser());
  for (const auto& a : config_.allow) {
    // Allow-list entries are typed by their first match, compacted like numbers too.
    allow_keys_.push_back(normalise_value(EntityType::Email, a));
    allow_keys_.push_back(normalise_value(EntityType::Phone, a));
  }
}

std::vector<Entity> Scanner::scan(std::string_view text) const {
  std::vector<Entity> found;
  for (const auto& r : recognisers_) r->scan(text, found);
  for (const auto& term : config_.deny) {
    if (term.empty()) continue;
    std::string lowered;
    for (char ch : term) lowered.push_back(text::lower(ch));
    for (size_t i = 0; i + lowered.size() <= text.size(); ++i) {
      if (text::lower(text[i]) != lowered[0] || !text::matches_ci(text, i, lowered)) continue;
      if (text::word_before(text, i) || text::is_word_at(text, i + lowered.size())) continue;
      emit(found, EntityType::Custom, text, i, i + lowered.size(), 1.0);
    }
  }
  std::erase_if(found, [&](const Entity& e) {
    if (e.confidence < config_.min_confidence) return true;
    if (allow_keys_.empty()) return false;
    const std::string key = normalise_value(e.type, e.text);
    return std::find(allow_keys_.begin(), allow_keys_.end(), key) != allow_keys_.end();
  });
  return resolve_overlaps(std::move(found));
}

}  // namespace tq::guard
