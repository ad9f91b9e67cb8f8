// Matching bytes against a grammar, as a lazily built deterministic automaton.
//
// A matcher state is a set of parse stacks plus the bytes of a UTF-8 sequence read only in
// part (a token may end in the middle of a character). Each state gets a small id and a
// 256-entry transition row filled in on first use, so re-reading a byte from a state seen
// before is one table lookup. Decoding is the same work every step (JSON strings loop over
// the same few states), which is what makes masking a whole vocabulary affordable: the
// token trie walk is then mostly lookups. Multi-byte sequences are checked as they arrive:
// a prefix no stack could complete is rejected at its first byte; overlong forms,
// surrogates and bytes that can never be UTF-8 are rejected outright.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/grammar/grammar.h"
#include "engine/grammar/parse_stacks.h"

namespace tq {

class GrammarMatcher {
 public:
  using State = int32_t;
  static constexpr State kDead = -1;  // no stack survives: the bytes are rejected

  explicit GrammarMatcher(std::shared_ptr<const Grammar> grammar);

  State start() const { return start_; }
  State next(State s, uint8_t byte) {
    const size_t i = static_cast<size_t>(s) * 256 + byte;
    if (trans_[i] == kUnknown) {
      const State t = compute_next(s, byte);  // may grow trans_: index again afterwards
      trans_[i] = t;
    }
    return trans_[i];
  }
  // kDead as soon as a byte is rejected.
  State next(State s, std::string_view bytes);
  // The bytes read so far form a complete sentence (generation may end here)...
  bool can_end(State s) const;
  // ...and nothing can follow (generation must end here). Both are false for kDead.
  bool must_end(State s) const;

  // The tables only grow; past this many states, compact() should be called.
  bool oversized() const;
  // Forgets every state except `keep`, which gets a new id (returned). Ids of other
  // states held by the caller become invalid.
  State compact(State keep);
  size_t n_states() const { return states_.size(); }

  const Grammar& grammar() const { return *grammar_; }

 private:
  static constexpr int32_t kUnknown = -2;
  static constexpr size_t kMaxStates = 1 << 14;  // 16 MiB of transition rows
  struct Key {
    uint32_t set;      // index into sets_
    uint32_t partial;  // code-point bits read so far of an incomplete UTF-8 sequence
    uint8_t need;      // continuation bytes still to come (0: none pending)
    uint8_t len;       // length of the pending sequence
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return (static_cast<size_t>(k.set) * 0x9E3779B97F4A7C15ull) ^ (k.partial << 8) ^
             (k.need << 4) ^ k.len;
    }
  };
  struct SetHash {
    size_t operator()(const std::vector<uint32_t>& v) const;
  };

  State compute_next(State s, uint8_t byte);
  State on_code_point(const Key& k, uint32_t cp);
  // A pending sequence with these bits: dead unless some stack could read one of the
  // code points it may still become.
  State on_partial(const Key& k, uint32_t bits, uint8_t need, uint8_t len);
  State intern(const Key& k);
  uint32_t intern_set(std::vector<uint32_t> set);
  void reset_tables();

  std::shared_ptr<const Grammar> grammar_;
  ParseStacks stacks_;
  std::vector<std::vector<uint32_t>> sets_;
  std::unordered_map<std::vector<uint32_t>, uint32_t, SetHash> set_index_;
  std::vector<Key> states_;
  std::unordered_map<Key, State, KeyHash> state_index_;
  std::vector<int32_t> trans_;  // states_.size() × 256
  State start_ = kDead;
};

}  // namespace tq
