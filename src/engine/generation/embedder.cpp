#include "engine/generation/embedder.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/model/model.h"

namespace tq {

Pooling pooling_from_name(std::string_view name) {
  if (name == "mean") return Pooling::Mean;
  if (name == "last") return Pooling::Last;
  if (name == "cls") return Pooling::Cls;
  throw InputError("unknown pooling '" + std::string(name) + "' (choose mean, last or cls)");
}

Pooling default_pooling(const Model& model) {
  const std::string key = model.hparams().arch + ".pooling_type";
  const auto type = model.file().get_int(key);
  if (!type) return Pooling::Mean;
  switch (*type) {  // llama.cpp's enum llama_pooling_type
    case 1:
      return Pooling::Mean;
    case 2:
      return Pooling::Cls;
    case 3:
      return Pooling::Last;
    default:
      throw UnsupportedError(model.file().path() + ": " + key + " = " + std::to_string(*type) +
                             " is not a sentence pooling we compute (1 mean, 2 cls, 3 last); "
                             "choose one explicitly");
  }
}

std::vector<float> embed_tokens(const Model& model, ThreadPool& pool,
                                const std::vector<TokenId>& tokens, Pooling pooling) {
  if (tokens.empty()) throw InputError("cannot embed an empty text");
  const int32_t n = static_cast<int32_t>(tokens.size());
  KvCache cache = model.make_cache(1, n);
  Batch batch;
  for (int32_t i = 0; i < n; ++i) {
    const bool wanted = pooling == Pooling::Mean || (pooling == Pooling::Last && i == n - 1) ||
                        (pooling == Pooling::Cls && i == 0);
    batch.add(tokens[static_cast<size_t>(i)], i, 0, wanted);
  }
  ForwardOutput out;
  ForwardRequest req;
  req.logits = false;
  req.hidden = true;
  model.forward(pool, batch, cache, req, out);

  std::vector<float> v(static_cast<size_t>(out.n_embd), 0.0f);
  for (size_t r = 0; r < out.batch_index.size(); ++r)
    for (int64_t i = 0; i < out.n_embd; ++i) v[static_cast<size_t>(i)] += out.hidden_row(r)[i];
  const float inv_rows = 1.0f / static_cast<float>(out.batch_index.size());
  double norm = 0.0;
  for (float& x : v) {
    x *= inv_rows;
    norm += static_cast<double>(x) * x;
  }
  const float inv_norm = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (float& x : v) x *= inv_norm;
  return v;
}

}  // namespace tq
