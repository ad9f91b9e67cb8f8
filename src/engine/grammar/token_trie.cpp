#include "engine/grammar/token_trie.h"

#include <algorithm>

namespace tq {

TokenTrie::TokenTrie(const Vocab& vocab) {
  const auto n = static_cast<size_t>(vocab.n_tokens());
  pieces_.resize(n);
  eog_.resize(n);
  std::vector<TokenId> order;
  for (size_t i = 0; i < n; ++i) {
    const auto id = static_cast<TokenId>(i);
    eog_[i] = vocab.is_eog(id);
    if (eog_[i]) {
      eog_ids_.push_back(id);
      continue;
    }
    pieces_[i] = vocab.token_to_piece(id, false);
    if (!pieces_[i].empty()) order.push_back(id);
  }
  // Sorted pieces put every subtree in one contiguous run, so the trie is laid out in
  // depth-first order in one pass: a node's children are the distinct next bytes of its run.
  std::sort(order.begin(), order.end(), [&](TokenId a, TokenId b) {
    const auto& pa = pieces_[static_cast<size_t>(a)];
    const auto& pb = pieces_[static_cast<size_t>(b)];
    return pa != pb ? pa < pb : a < b;
  });
  struct Pending {
    uint32_t node;
    size_t begin, end, depth;  // the run of `order` below this node, and its byte depth
  };
  nodes_.push_back({});
  std::vector<Pending> work{{kRoot, 0, order.size(), 0}};
  while (!work.empty()) {
    const Pending p = work.back();
    work.pop_back();
    auto piece = [&](size_t i) -> const std::string& {
      return pieces_[static_cast<size_t>(order[i])];
    };
    size_t i = p.begin;
    nodes_[p.node].first_token = static_cast<uint32_t>(tokens_.size());
    for (; i < p.end && piece(i).size() == p.depth; ++i) tokens_.push_back(order[i]);
    nodes_[p.node].n_tokens = static_cast<uint32_t>(tokens_.size()) - nodes_[p.node].first_token;
    nodes_[p.node].first_edge = static_cast<uint32_t>(edges_.size());
    while (i < p.end) {
      const char b = piece(i)[p.depth];
      size_t j = i;
      while (j < p.end && piece(j)[p.depth] == b) ++j;
      const auto child = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back({});
      edges_.push_back({static_cast<uint8_t>(b), child});
      work.push_back({child, i, j, p.depth + 1});
      i = j;
    }
    nodes_[p.node].n_edges = static_cast<uint32_t>(edges_.size()) - nodes_[p.node].first_edge;
  }
}

}  // namespace tq
