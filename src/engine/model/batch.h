// A batch of tokens to run through the model in one forward pass: the prompt of one
// sequence, one new token for each of several sequences, or any mix. Each token names its
// sequence and position and whether its output (logits / hidden state) is wanted.
#pragma once

#include <cstdint>
#include <vector>

namespace tq {

struct Batch {
  std::vector<int32_t> tokens;
  std::vector<int32_t> positions;
  std::vector<int32_t> seq_ids;
  std::vector<uint8_t> want_output;

  void add(int32_t token, int32_t pos, int32_t seq, bool output) {
    tokens.push_back(token);
    positions.push_back(pos);
    seq_ids.push_back(seq);
    want_output.push_back(output ? 1 : 0);
  }
  int64_t size() const { return static_cast<int64_t>(tokens.size()); }
  void clear() { *this = Batch{}; }
};

// Outputs for the tokens whose want_output was set, in batch order.
struct ForwardOutput {
  std::vector<int64_t> batch_index;  // which batch entry each output row belongs to
  std::vector<float> logits;         // [rows][n_vocab], when logits were requested
  std::vector<float> hidden;         // [rows][n_embd] after the output norm, when requested
  int64_t n_vocab = 0;
  int64_t n_embd = 0;

  const float* logits_row(size_t r) const { return logits.data() + r * n_vocab; }
  const float* hidden_row(size_t r) const { return hidden.data() + r * n_embd; }
};

}  // namespace tq
