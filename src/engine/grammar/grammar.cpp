#include "engine/grammar/grammar.h"

#include <algorithm>

#include "core/error.h"

namespace tq {
namespace {

// Sorted, merged ranges; with `negated`, their complement within [0, kMaxCodePoint].
std::vector<CharRange> normalise(std::vector<CharRange> rs, bool negated) {
  std::sort(rs.begin(), rs.end(), [](CharRange a, CharRange b) { return a.lo < b.lo; });
  std::vector<CharRange> merged;
  for (const CharRange r : rs) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1)
      merged.back().hi = std::max(merged.back().hi, r.hi);
    else
      merged.push_back(r);
  }
  if (!negated) return merged;
  std::vector<CharRange> out;
  uint32_t next = 0;
  for (const CharRange r : merged) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxCodePoint) out.push_back({next, kMaxCodePoint});
  return out;
}

}  // namespace

GrammarItem GrammarItem::chars(std::vector<CharRange> rs, bool negated) {
  return {false, 0, normalise(std::move(rs), negated)};
}

bool Grammar::intersects(uint32_t pos, uint32_t lo, uint32_t hi) const {
  const GrammarElem& e = elems_[pos];
  for (uint32_t i = e.a; i < e.a + e.b; ++i) {
    const CharRange r = ranges_[i];
    if (r.lo > hi) return false;  // sorted: nothing further can overlap
    if (r.hi >= lo) return true;
  }
  return false;
}

uint32_t GrammarBuilder::rule(std::string_view name) {
  auto it = by_name_.find(std::string(name));
  if (it != by_name_.end()) return it->second;
  const auto id = static_cast<uint32_t>(rules_.size());
  rules_.push_back({std::string(name), {}, false});
  by_name_.emplace(std::string(name), id);
  return id;
}

uint32_t GrammarBuilder::fresh_rule(std::string_view base) {
  // Names with a '#' cannot be written in grammar text, so they never clash with a user's.
  const auto id = static_cast<uint32_t>(rules_.size());
  std::string name = std::string(base) + "#" + std::to_string(id);
  rules_.push_back({name, {}, false});
  by_name_.emplace(std::move(name), id);
  return id;
}

void GrammarBuilder::charge(size_t items) {
  items_ += items;
  if (items_ > kMaxItems)
    throw InputError("grammar: too large once repetitions are expanded (more than " +
                     std::to_string(kMaxItems) + " elements)");
}

void GrammarBuilder::define(uint32_t r, std::vector<GrammarAlt> alts) {
  if (rules_[r].defined) throw InputError("grammar: rule '" + rules_[r].name + "' defined twice");
  size_t n = alts.size();
  for (const auto& alt : alts) n += alt.size();
  charge(n);
  rules_[r].alts = std::move(alts);
  rules_[r].defined = true;
}

GrammarItem GrammarBuilder::star(const GrammarItem& atom, std::string_view base) {
  // r ::= atom r | ε — right recursion, which the matcher runs in constant stack depth.
  const uint32_t r = fresh_rule(base);
  define(r, {{atom, GrammarItem::ref(r)}, {}});
  return GrammarItem::ref(r);
}

GrammarItem GrammarBuilder::optional(const GrammarItem& atom, std::string_view base) {
  const uint32_t r = fresh_rule(base);
  define(r, {{atom}, {}});
  return GrammarItem::ref(r);
}

GrammarAlt GrammarBuilder::repeat(const GrammarItem& atom, uint32_t min, int64_t max,
                                  std::string_view base) {
  charge(min);
  GrammarAlt out(min, atom);
  if (max < 0) {
    out.push_back(star(atom, base));
  } else if (max > min) {
    // Up to k more: opt_k ::= atom opt_(k-1) | ε, nested rather than k separate optionals
    // so that "ab" cannot be matched several ways (which would multiply parse stacks).
    GrammarItem tail = optional(atom, base);
    for (int64_t k = 2; k <= max - min; ++k) {
      const uint32_t r = fresh_rule(base);
      define(r, {{atom, tail}, {}});
      tail = GrammarItem::ref(r);
    }
    out.push_back(tail);
  }
  return out;
}

void GrammarBuilder::check_left_recursion() const {
  // A rule that can reach itself without consuming a character would make expansion
  // endless. First: which rules can match the empty string.
  const size_t n = rules_.size();
  std::vector<bool> nullable(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < n; ++r) {
      if (nullable[r]) continue;
      for (const auto& alt : rules_[r].alts) {
        const bool all = std::all_of(alt.begin(), alt.end(), [&](const GrammarItem& it) {
          return it.is_rule && nullable[it.rule];
        });
        if (all) {
          nullable[r] = true;
          changed = true;
          break;
        }
      }
    }
  }
  // Then: r -> s when s can come first in r; a cycle in that graph is left recursion.
  std::vector<std::vector<uint32_t>> first(n);
  for (size_t r = 0; r < n; ++r)
    for (const auto& alt : rules_[r].alts)
      for (const auto& it : alt) {
        if (!it.is_rule) break;
        first[r].push_back(it.rule);
        if (!nullable[it.rule]) break;
      }
  enum : uint8_t { kNew, kOnPath, kDone };
  std::vector<uint8_t> mark(n, kNew);
  std::vector<std::pair<uint32_t, size_t>> path;  // (rule, next edge) — iterative DFS
  for (size_t start = 0; start < n; ++start) {
    if (mark[start] != kNew) continue;
    path.push_back({static_cast<uint32_t>(start), 0});
    mark[start] = kOnPath;
    while (!path.empty()) {
      auto& [r, i] = path.back();
      if (i == first[r].size()) {
        mark[r] = kDone;
        path.pop_back();
        continue;
      }
      const uint32_t s = first[r][i++];
      if (mark[s] == kOnPath) {
        std::string cycle;
        auto it =
            std::find_if(path.begin(), path.end(), [&](const auto& p) { return p.first == s; });
        for (; it != path.end(); ++it) cycle += rules_[it->first].name + " -> ";
        throw InputError("grammar: rule '" + rules_[s].name + "' is left-recursive (" + cycle +
                         rules_[s].name + "): every loop must match a character first");
      }
      if (mark[s] == kNew) {
        mark[s] = kOnPath;
        path.push_back({s, 0});
      }
    }
  }
}

Grammar GrammarBuilder::build(std::string_view root) const {
  auto it = by_name_.find(std::string(root));
  if (it == by_name_.end() || !rules_[it->second].defined)
    throw InputError("grammar: no rule named '" + std::string(root) + "' (the start rule)");
  for (const auto& r : rules_)
    if (!r.defined) throw InputError("grammar: rule '" + r.name + "' is used but not defined");
  check_left_recursion();

  Grammar g;
  g.root_ = it->second;
  g.rule_alts_.push_back(0);
  for (const auto& r : rules_) {
    g.names_.push_back(r.name);
    for (const auto& alt : r.alts) {
      g.alt_starts_.push_back(static_cast<uint32_t>(g.elems_.size()));
      for (const auto& item : alt) {
        if (item.is_rule) {
          g.elems_.push_back({ElemKind::Rule, item.rule, 0});
          continue;
        }
        const auto first = static_cast<uint32_t>(g.ranges_.size());
        g.ranges_.insert(g.ranges_.end(), item.ranges.begin(), item.ranges.end());
        g.elems_.push_back({ElemKind::Chars, first, static_cast<uint32_t>(item.ranges.size())});
      }
      g.elems_.push_back({ElemKind::End, 0, 0});
    }
    g.rule_alts_.push_back(static_cast<uint32_t>(g.alt_starts_.size()));
  }
  return g;
}

}  // namespace tq
