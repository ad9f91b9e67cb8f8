// The pushdown side of matching: where in the grammar the input so far may stand.
//
// A parse stack is a list of grammar positions: the top is the character class to match
// next, each frame below it is where to continue once the rule above it ends. Input that
// is ambiguous so far is tracked as a set of stacks. Stacks are persistent linked lists of
// hash-consed frames: pushing shares the tail, and two equal stacks always have the same
// top id, so a set of stacks is a sorted vector of ids and comparing sets is cheap.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/grammar/grammar.h"

namespace tq {

class ParseStacks {
 public:
  // The empty stack: what was read is a complete sentence of the grammar.
  static constexpr uint32_t kComplete = UINT32_MAX - 1;

  explicit ParseStacks(const Grammar& grammar) : g_(grammar) {}

  // Ambiguous grammars can need a number of stacks exponential in the input length
  // (x ::= "a" x{1,5} | "a"); past this many at once, step() and initial() throw InputError.
  static constexpr size_t kMaxStacks = 4096;

  // The stacks before any input: the start rule's alternatives, expanded.
  std::vector<uint32_t> initial();
  // The stacks after reading cp on each of `in` (sorted, unique; may contain kComplete).
  std::vector<uint32_t> step(std::span<const uint32_t> in, uint32_t cp);
  // Whether any stack of `in` could read a code point in [lo, hi] next.
  bool may_read(std::span<const uint32_t> in, uint32_t lo, uint32_t hi) const;

  size_t n_frames() const { return frames_.size(); }
  // The grammar positions of a stack, top first, and the stack with those positions
  // (after clear(), to carry the live stacks over).
  std::vector<uint32_t> positions(uint32_t top) const;
  uint32_t from_positions(std::span<const uint32_t> positions);
  void clear();

 private:
  static constexpr uint32_t kBottom = UINT32_MAX;  // parent of the outermost frame
  struct Frame {
    uint32_t pos;
    uint32_t parent;
  };
  uint32_t intern(uint32_t pos, uint32_t parent);
  // Pushes stacks from (pos, parent) until each top is a character class.
  void expand(uint32_t pos, uint32_t parent, std::vector<uint32_t>& out);

  const Grammar& g_;
  std::vector<Frame> frames_;
  std::unordered_map<uint64_t, uint32_t> index_;  // (pos, parent) → frame
  // Scratch of expand(): what it has visited, and its work list.
  std::unordered_set<uint64_t> seen_;
  std::vector<Frame> work_;
};

}  // namespace tq
