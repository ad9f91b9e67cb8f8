#include "engine/grammar/grammar_matcher.h"

#include <algorithm>

namespace tq {
namespace {

// Smallest code point each UTF-8 length may encode (anything below is an overlong form).
constexpr uint32_t kMinForLen[] = {0, 0, 0x80, 0x800, 0x10000};

bool is_surrogate(uint32_t cp) {
  return cp >= 0xD800 && cp <= 0xDFFF;
}

}  // namespace

size_t GrammarMatcher::SetHash::operator()(const std::vector<uint32_t>& v) const {
  size_t h = 0xcbf29ce484222325ull;
  for (const uint32_t x : v) h = (h ^ x) * 0x100000001b3ull;
  return h;
}

GrammarMatcher::GrammarMatcher(std::shared_ptr<const Grammar> grammar)
    : grammar_(std::move(grammar)), stacks_(*grammar_) {
  reset_tables();
}

void GrammarMatcher::reset_tables() {
  sets_.clear();
  set_index_.clear();
  states_.clear();
  state_index_.clear();
  trans_.clear();
  stacks_.clear();
  start_ = intern({intern_set(stacks_.initial()), 0, 0, 0});
}

GrammarMatcher::State GrammarMatcher::next(State s, std::string_view bytes) {
  for (const char c : bytes) {
    if (s == kDead) break;
    s = next(s, static_cast<uint8_t>(c));
  }
  return s;
}

bool GrammarMatcher::can_end(State s) const {
  if (s == kDead) return false;
  const Key& k = states_[static_cast<size_t>(s)];
  // kComplete is the largest id, so a sorted set holds it last.
  return k.need == 0 && sets_[k.set].back() == ParseStacks::kComplete;
}

bool GrammarMatcher::must_end(State s) const {
  if (s == kDead) return false;
  const Key& k = states_[static_cast<size_t>(s)];
  return k.need == 0 && sets_[k.set].size() == 1 && sets_[k.set][0] == ParseStacks::kComplete;
}

bool GrammarMatcher::oversized() const {
  return states_.size() > kMaxStates || stacks_.n_frames() > (size_t{1} << 20);
}

GrammarMatcher::State GrammarMatcher::compact(State keep) {
  const Key k = states_[static_cast<size_t>(keep)];
  std::vector<std::vector<uint32_t>> live;
  for (const uint32_t top : sets_[k.set]) live.push_back(stacks_.positions(top));
  reset_tables();
  std::vector<uint32_t> set;
  set.reserve(live.size());
  for (const auto& positions : live) set.push_back(stacks_.from_positions(positions));
  std::sort(set.begin(), set.end());
  return intern({intern_set(std::move(set)), k.partial, k.need, k.len});
}

GrammarMatcher::State GrammarMatcher::compute_next(State s, uint8_t b) {
  const Key k = states_[static_cast<size_t>(s)];
  if (k.need == 0) {
    if (b < 0x80) return on_code_point(k, b);
    if (b >= 0xC2 && b <= 0xDF) return on_partial(k, b & 0x1Fu, 1, 2);
    if (b >= 0xE0 && b <= 0xEF) return on_partial(k, b & 0x0Fu, 2, 3);
    if (b >= 0xF0 && b <= 0xF4) return on_partial(k, b & 0x07u, 3, 4);
    return kDead;  // a continuation byte with nothing to continue, or never UTF-8
  }
  if ((b & 0xC0) != 0x80) return kDead;
  const uint32_t bits = (k.partial << 6) | (b & 0x3Fu);
  const auto need = static_cast<uint8_t>(k.need - 1);
  if (need > 0) return on_partial(k, bits, need, k.len);
  if (bits < kMinForLen[k.len] || bits > kMaxCodePoint || is_surrogate(bits)) return kDead;
  return on_code_point(k, bits);
}

GrammarMatcher::State GrammarMatcher::on_code_point(const Key& k, uint32_t cp) {
  std::vector<uint32_t> set = stacks_.step(sets_[k.set], cp);
  if (set.empty()) return kDead;
  return intern({intern_set(std::move(set)), 0, 0, 0});
}

GrammarMatcher::State GrammarMatcher::on_partial(const Key& k, uint32_t bits, uint8_t need,
                                                 uint8_t len) {
  const uint32_t shift = 6u * need;
  const uint32_t lo = std::max(bits << shift, kMinForLen[len]);
  const uint32_t hi = std::min(bits << shift | ((1u << shift) - 1), kMaxCodePoint);
  if (lo > hi || (is_surrogate(lo) && is_surrogate(hi))) return kDead;
  if (!stacks_.may_read(sets_[k.set], lo, hi)) return kDead;
  return intern({k.set, bits, need, len});
}

GrammarMatcher::State GrammarMatcher::intern(const Key& k) {
  const auto [it, added] = state_index_.try_emplace(k, static_cast<State>(states_.size()));
  if (added) {
    states_.push_back(k);
    trans_.resize(trans_.size() + 256, kUnknown);
  }
  return it->second;
}

uint32_t GrammarMatcher::intern_set(std::vector<uint32_t> set) {
  const auto [it, added] = set_index_.try_emplace(set, static_cast<uint32_t>(sets_.size()));
  if (added) sets_.push_back(std::move(set));
  return it->second;
}

}  // namespace tq
