#include "engine/model/model.h"

#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/model/arch.h"
#include "engine/tokenizer/vocab.h"

namespace tq {

const std::vector<ArchEntry>& supported_architectures() {
  static const std::vector<ArchEntry> archs = {
      {"llama", load_llama},
      {"qwen2", load_qwen2},
      {"bert", load_bert},
  };
  return archs;
}

int32_t vocab_size_from_embeddings(const GgufFile& file) {
  const GgufTensorInfo* t = file.find_tensor("token_embd.weight");
  if (t == nullptr) throw InputError(file.path() + ": tensor 'token_embd.weight' is missing");
  if (t->ne.size() < 2 || t->ne[1] <= 0 || t->ne[1] > (1 << 24))
    throw InputError(file.path() + ": tensor 'token_embd.weight' has an invalid shape");
  return static_cast<int32_t>(t->ne[1]);
}

std::shared_ptr<Model> Model::load(const std::string& path) {
  std::shared_ptr<GgufFile> file = GgufFile::open(path);
  const std::string arch = file->get_string("general.architecture").value_or("");
  if (arch.empty()) throw InputError(path + ": metadata key 'general.architecture' is missing");
  const ArchEntry* entry = nullptr;
  std::string names;
  for (const auto& e : supported_architectures()) {
    if (e.name == arch) entry = &e;
    names += (names.empty() ? "" : ", ") + std::string(e.name);
  }
  if (entry == nullptr)
    throw UnsupportedError(path + ": architecture '" + arch +
                           "' is not supported (supported: " + names + ")");
  std::shared_ptr<const Vocab> vocab;
  try {
    vocab = Vocab::from_gguf(*file);
  } catch (...) {
    rethrow_with_context(path + ": loading the vocabulary");
  }
  auto model = entry->load(file, vocab);
  if (vocab->n_tokens() > model->hparams().n_vocab)
    throw InputError(path + ": the vocabulary has " + std::to_string(vocab->n_tokens()) +
                     " tokens but token_embd.weight only " +
                     std::to_string(model->hparams().n_vocab) + " rows");
  return model;
}

KvCache Model::make_cache(int32_t n_seq, int32_t n_ctx) const {
  if (n_seq <= 0 || n_ctx <= 0) throw InputError("KV cache: n_seq and n_ctx must be positive");
  return KvCache(hparams_.n_layer, n_seq, n_ctx, hparams_.n_embd_kv());
}

void Model::validate_batch(const Batch& batch, const KvCache& cache) const {
  const size_t n = batch.tokens.size();
  if (batch.positions.size() != n || batch.seq_ids.size() != n || batch.want_output.size() != n)
    throw Error("batch: tokens, positions, seq_ids and want_output differ in length");
  std::vector<int32_t> next(static_cast<size_t>(cache.n_seq()));
  for (int32_t s = 0; s < cache.n_seq(); ++s) next[static_cast<size_t>(s)] = cache.length(s);
  for (size_t i = 0; i < n; ++i) {
    const int32_t tok = batch.tokens[i], pos = batch.positions[i], seq = batch.seq_ids[i];
    if (tok < 0 || tok >= hparams_.n_vocab)
      throw InputError("token id " + std::to_string(tok) + " at batch index " + std::to_string(i) +
                       " is outside the vocabulary [0, " + std::to_string(hparams_.n_vocab) + ")");
    if (seq < 0 || seq >= cache.n_seq())
      throw InputError("sequence id " + std::to_string(seq) + " outside [0, " +
                       std::to_string(cache.n_seq()) + ")");
    if (pos >= cache.n_ctx())
      throw InputError("position " + std::to_string(pos) + " exceeds the context length " +
                       std::to_string(cache.n_ctx()));
    // A sequence continues from its cached length; to rewrite, truncate the cache first.
    if (pos != next[static_cast<size_t>(seq)])
      throw InputError("position " + std::to_string(pos) + " of sequence " + std::to_string(seq) +
                       " does not continue it (next position is " +
                       std::to_string(next[static_cast<size_t>(seq)]) + ")");
    next[static_cast<size_t>(seq)] = pos + 1;
  }
}

}  // namespace tq
