// The vocabulary's token pieces in a byte trie, so that a grammar state can be checked
// against every token by one walk that shares common prefixes and drops a whole subtree
// at its first rejected byte. Built once per vocabulary and shared by every constraint.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace tq {

class TokenTrie {
 public:
  struct Edge {
    uint8_t byte;
    uint32_t child;
  };
  struct Node {
    uint32_t first_edge = 0, n_edges = 0;    // into edges()
    uint32_t first_token = 0, n_tokens = 0;  // tokens whose piece ends here, into tokens()
  };

  // Every token with a non-empty piece (special=false) except end-of-generation tokens,
  // which a constraint allows only where its grammar may end.
  explicit TokenTrie(const Vocab& vocab);

  static constexpr uint32_t kRoot = 0;
  const Node& node(uint32_t i) const { return nodes_[i]; }
  std::span<const Edge> edges(const Node& n) const {
    return {edges_.data() + n.first_edge, n.n_edges};
  }
  std::span<const TokenId> tokens(const Node& n) const {
    return {tokens_.data() + n.first_token, n.n_tokens};
  }
  size_t n_nodes() const { return nodes_.size(); }

  int32_t n_vocab() const { return static_cast<int32_t>(pieces_.size()); }
  const std::string& piece(TokenId id) const { return pieces_[static_cast<size_t>(id)]; }
  bool is_eog(TokenId id) const { return eog_[static_cast<size_t>(id)]; }
  std::span<const TokenId> eog_tokens() const { return eog_ids_; }

 private:
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<TokenId> tokens_;
  std::vector<std::string> pieces_;
  std::vector<bool> eog_;
  std::vector<TokenId> eog_ids_;
};

}  // namespace tq
