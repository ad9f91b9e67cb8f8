// Sentence embeddings from a model's final hidden states (after the output norm; for bert,
// the last block's LayerNorm): pooled over the tokens (mean, last token, or the first/CLS
// token) and L2-normalised, which is what llama.cpp's embedding mode returns.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace tq {

class Model;
class ThreadPool;

enum class Pooling { Mean, Last, Cls };
Pooling pooling_from_name(std::string_view name);  // InputError listing the choices
// The pooling the model's file asks for: {arch}.pooling_type as llama.cpp writes it (1 mean,
// 2 cls, 3 last), or Mean when the key is absent (decoder files say nothing). Values we do
// not pool for (0 none: per-token vectors; 4 rank: a reranker's score) are an
// UnsupportedError that says to pick a pooling explicitly.
Pooling default_pooling(const Model& model);

std::vector<float> embed_tokens(const Model& model, ThreadPool& pool,
                                const std::vector<TokenId>& tokens, Pooling pooling);

}  // namespace tq
