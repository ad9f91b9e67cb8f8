// Sentence embeddings from a model's final hidden states (after the output norm):
// pooled over the tokens (mean, last token, or the first/CLS token) and L2-normalised,
// which is what llama.cpp's embedding mode returns.
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

std::vector<float> embed_tokens(const Model& model, ThreadPool& pool,
                                const std::vector<TokenId>& tokens, Pooling pooling);

}  // namespace tq
