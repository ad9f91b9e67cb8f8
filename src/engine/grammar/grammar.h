// A compiled context-free grammar over Unicode code points, the form the matcher runs on.
// Every rule is a list of alternatives, every alternative a sequence of elements: a
// character class (sorted code-point ranges, negation already folded in) or a reference to
// a rule. Repetitions and groups are compiled away into helper rules by the builder, so
// the matcher needs only these two element kinds. Elements are stored flat, one End
// marker after each alternative, so a parse position is a single index.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tq {

struct CharRange {
  uint32_t lo;
  uint32_t hi;  // inclusive
};

inline constexpr uint32_t kMaxCodePoint = 0x10FFFF;

enum class ElemKind : uint8_t { End, Rule, Chars };

struct GrammarElem {
  ElemKind kind;
  uint32_t a;  // Rule: the rule id; Chars: first index into the range table
  uint32_t b;  // Chars: number of ranges (0 = a class that matches nothing)
};

class Grammar {
 public:
  uint32_t root() const { return root_; }
  size_t n_rules() const { return rule_alts_.size() - 1; }
  const std::string& rule_name(uint32_t rule) const { return names_[rule]; }
  const GrammarElem& elem(uint32_t pos) const { return elems_[pos]; }
  // Start positions (into the flat element list) of the rule's alternatives.
  std::span<const uint32_t> alternatives(uint32_t rule) const {
    return {alt_starts_.data() + rule_alts_[rule], alt_starts_.data() + rule_alts_[rule + 1]};
  }
  // Whether the Chars element at `pos` contains cp / any code point in [lo, hi].
  bool matches(uint32_t pos, uint32_t cp) const { return intersects(pos, cp, cp); }
  bool intersects(uint32_t pos, uint32_t lo, uint32_t hi) const;
  size_t n_elems() const { return elems_.size(); }

 private:
  friend class GrammarBuilder;
  std::vector<GrammarElem> elems_;
  std::vector<CharRange> ranges_;
  std::vector<uint32_t> alt_starts_;
  std::vector<uint32_t> rule_alts_;  // rule r's alternatives: alt_starts_[rule_alts_[r] ..
                                     // rule_alts_[r + 1])
  std::vector<std::string> names_;
  uint32_t root_ = 0;
};

// One element of an alternative while a grammar is being built.
struct GrammarItem {
  bool is_rule = false;
  uint32_t rule = 0;
  std::vector<CharRange> ranges;  // any order, may overlap; normalised by the builder

  static GrammarItem ref(uint32_t r) { return {true, r, {}}; }
  static GrammarItem chars(std::vector<CharRange> rs, bool negated);
  static GrammarItem one(uint32_t cp) { return {false, 0, {{cp, cp}}}; }
};
using GrammarAlt = std::vector<GrammarItem>;

// Collects rules by name, then checks and flattens them. Errors are tq::InputError.
class GrammarBuilder {
 public:
  // Id of the named rule, created undefined on first use (a forward reference).
  uint32_t rule(std::string_view name);
  // A new rule named after `base` that the grammar text never names ("base-3").
  uint32_t fresh_rule(std::string_view base);
  bool defined(uint32_t rule) const { return rules_[rule].defined; }
  const std::string& name(uint32_t rule) const { return rules_[rule].name; }
  void define(uint32_t rule, std::vector<GrammarAlt> alts);

  // The helper rules for the postfix operators; `atom` is one item.
  GrammarItem star(const GrammarItem& atom, std::string_view base);
  GrammarItem optional(const GrammarItem& atom, std::string_view base);
  // atom{min,max}; max < 0 means unbounded. Returns the items that replace atom.
  GrammarAlt repeat(const GrammarItem& atom, uint32_t min, int64_t max, std::string_view base);

  // Checks that `root` is defined, every referenced rule is defined, nothing is
  // left-recursive (the matcher would never stop expanding it) and the size is bounded.
  Grammar build(std::string_view root) const;

  // Budget on the compiled size, so that a small text such as "x{99999}{99999}" cannot
  // exhaust memory.
  static constexpr size_t kMaxItems = 1 << 20;

 private:
  struct Rule {
    std::string name;
    std::vector<GrammarAlt> alts;
    bool defined = false;
  };
  void charge(size_t items);
  void check_left_recursion() const;

  std::vector<Rule> rules_;
  std::unordered_map<std::string, uint32_t> by_name_;
  size_t items_ = 0;
};

}  // namespace tq
