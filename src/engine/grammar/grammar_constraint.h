// A grammar as a token constraint: which tokens' bytes the grammar can read next.
//
// Masking strategy: the full mask is computed every step (not llama.cpp's "sample first,
// mask only if the sampled token is rejected"). The full mask gives exactly the constrained
// distribution — top-k / top-p / min-p then pick among allowed tokens only, instead of
// truncating over tokens that are about to be masked — and it is cheap here because
//  - the trie walk shares prefixes and drops a subtree at its first rejected byte,
//  - each byte is one transition-table lookup in the matcher's lazy automaton, and
//  - masks are memoised per matcher state (generation revisits the same states: inside
//    a string, after a comma…), so most steps cost one bit test per token.
// Measured (`triptyque bench --json-schema`, a 20-person JSON schema, fresh constraint per
// run, random-weight models so masks are rarely reused): 0.2 ms/token with the synthetic
// TinyLlama vocabulary, 0.75 ms/token with Llama-2's real 32k vocabulary: 0.1% of a
// TinyLlama Q4_0 decode step on the 2-core dev machine (2.8 tok/s); it would take a
// machine decoding at ~130 tok/s for the worse figure to reach 10%.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/token_trie.h"
#include "engine/sampling/token_constraint.h"

namespace tq {

class GrammarConstraint : public TokenConstraint {
 public:
  GrammarConstraint(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenTrie> trie);

  void mask(std::span<float> logits) override;
  bool allows(int32_t token) override;
  void accept(int32_t token) override;
  bool finished() const override;
  void reset() override;

  // What has been read so far is a complete sentence (an end-of-generation token is
  // allowed now).
  bool can_end() const { return matcher_.can_end(state_); }
  // Wall time spent in mask/accept since construction, to measure the overhead.
  double seconds() const { return seconds_; }

 private:
  using Bits = std::vector<uint64_t>;
  const Bits& allowed();
  void compute(Bits& bits);

  std::shared_ptr<const TokenTrie> trie_;
  GrammarMatcher matcher_;
  GrammarMatcher::State state_;
  bool ended_ = false;  // an end-of-generation token was accepted
  std::unordered_map<GrammarMatcher::State, Bits> masks_;
  std::vector<std::pair<uint32_t, GrammarMatcher::State>> walk_;  // trie walk scratch
  double seconds_ = 0.0;
};

// Parses `gbnf` (see gbnf_parser.h) and pairs it with a trie of `vocab`'s pieces. Servers
// keep one TokenTrie per model and build constraints from it directly.
std::shared_ptr<GrammarConstraint> make_grammar_constraint(std::string_view gbnf,
                                                           const Vocab& vocab);

}  // namespace tq
