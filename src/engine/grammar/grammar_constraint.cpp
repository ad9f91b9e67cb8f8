#include "engine/grammar/grammar_constraint.h"

#include <chrono>
#include <limits>
#include <string>

#include "core/error.h"
#include "engine/grammar/gbnf_parser.h"

namespace tq {
namespace {

// Masks kept at most (4 KiB each for a 32k vocabulary, so 4 MiB per constraint); beyond
// that the memo starts over.
constexpr size_t kMaxMasks = 1024;

class Stopwatch {
 public:
  explicit Stopwatch(double& total) : total_(total) {}
  ~Stopwatch() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  Stopwatch(const Stopwatch&) = delete;
  Stopwatch& operator=(const Stopwatch&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace

GrammarConstraint::GrammarConstraint(std::shared_ptr<const Grammar> grammar,
                                     std::shared_ptr<const TokenTrie> trie)
    : trie_(std::move(trie)), matcher_(std::move(grammar)), state_(matcher_.start()) {}

void GrammarConstraint::mask(std::span<float> logits) {
  Stopwatch watch(seconds_);
  const Bits& bits = allowed();
  const size_t n = static_cast<size_t>(trie_->n_vocab());
  bool any = false;
  for (size_t i = 0; i < logits.size(); ++i) {
    if (i < n && ((bits[i / 64] >> (i % 64)) & 1u) != 0)
      any = true;
    else
      logits[i] = -std::numeric_limits<float>::infinity();
  }
  if (!any) throw Error("grammar: no token of the vocabulary can continue the output here");
}

bool GrammarConstraint::allows(int32_t token) {
  if (token < 0 || token >= trie_->n_vocab() || ended_) return false;
  if (trie_->is_eog(token)) return can_end();
  const std::string& piece = trie_->piece(token);
  return !piece.empty() && matcher_.next(state_, piece) != GrammarMatcher::kDead;
}

void GrammarConstraint::accept(int32_t token) {
  Stopwatch watch(seconds_);
  if (!allows(token)) {
    const std::string piece =
        token >= 0 && token < trie_->n_vocab() ? trie_->piece(token) : std::string();
    throw Error("grammar: token " + std::to_string(token) + " ('" + piece +
                "') is not allowed here");
  }
  if (trie_->is_eog(token)) {
    ended_ = true;
    return;
  }
  state_ = matcher_.next(state_, trie_->piece(token));
  if (matcher_.oversized()) {
    state_ = matcher_.compact(state_);
    masks_.clear();  // keyed by the old state ids
  }
}

bool GrammarConstraint::finished() const {
  return ended_ || matcher_.must_end(state_);
}

void GrammarConstraint::reset() {
  state_ = matcher_.start();
  ended_ = false;
}

const GrammarConstraint::Bits& GrammarConstraint::allowed() {
  auto it = masks_.find(state_);
  if (it != masks_.end()) return it->second;
  if (masks_.size() >= kMaxMasks) masks_.clear();
  Bits& bits = masks_[state_];
  bits.assign((static_cast<size_t>(trie_->n_vocab()) + 63) / 64, 0);
  compute(bits);
  return bits;
}

void GrammarConstraint::compute(Bits& bits) {
  auto set = [&](TokenId t) { bits[static_cast<size_t>(t) / 64] |= uint64_t{1} << (t % 64); };
  walk_.clear();
  walk_.push_back({TokenTrie::kRoot, state_});
  while (!walk_.empty()) {
    const auto [node, st] = walk_.back();
    walk_.pop_back();
    for (const TokenTrie::Edge& e : trie_->edges(trie_->node(node))) {
      const GrammarMatcher::State next = matcher_.next(st, e.byte);
      if (next == GrammarMatcher::kDead) continue;
      const TokenTrie::Node& child = trie_->node(e.child);
      for (const TokenId t : trie_->tokens(child)) set(t);
      if (child.n_edges > 0) walk_.push_back({e.child, next});
    }
  }
  if (can_end())
    for (const TokenId t : trie_->eog_tokens()) set(t);
}

std::shared_ptr<GrammarConstraint> make_grammar_constraint(std::string_view gbnf,
                                                           const Vocab& vocab) {
  return std::make_shared<GrammarConstraint>(std::make_shared<const Grammar>(parse_gbnf(gbnf)),
                                             std::make_shared<const TokenTrie>(vocab));
}

}  // namespace tq
