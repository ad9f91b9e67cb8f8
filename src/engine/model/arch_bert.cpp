// Architecture "bert": encoder-only embedding models (bge, all-MiniLM, e5) with a
// WordPiece vocabulary. The forward pass is in bert_model.cpp; this file knows the GGUF
// tensor names llama.cpp's converter writes for them.
#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/model/arch.h"
#include "engine/model/bert_model.h"
#include "engine/model/weight_loader.h"

namespace tq {
namespace {

// Row count of a 2-D table whose height is the file's choice (token types), so that the
// loader's shape check only pins the width; a missing tensor is reported by the loader.
int64_t table_rows(const GgufFile& file, const std::string& name) {
  const GgufTensorInfo* t = file.find_tensor(name);
  if (t == nullptr || t->ne.size() < 2) return 1;
  if (t->ne[1] <= 0 || t->ne[1] > (1 << 16))
    throw InputError(file.path() + ": tensor '" + name + "' has an invalid shape");
  return t->ne[1];
}

// Reads llama.cpp's names; biases are optional, weights and norm scales required.
BertWeights load_bert_weights(const GgufFile& file, WeightLoader& ld, const ModelHParams& hp) {
  BertWeights w;
  w.tok_embd = ld.matrix("token_embd.weight", hp.n_embd, hp.n_vocab);
  w.type_embd = ld.matrix("token_types.weight", hp.n_embd, table_rows(file, "token_types.weight"));
  w.pos_embd = ld.matrix("position_embd.weight", hp.n_embd, hp.n_ctx_train);
  w.embd_norm = ld.vector("token_embd_norm.weight", hp.n_embd);
  w.embd_norm_b = ld.optional_vector("token_embd_norm.bias", hp.n_embd);

  const int64_t E = hp.n_embd, NQ = hp.n_embd_q(), NKV = hp.n_embd_kv();
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    BertLayer l;
    l.wq = ld.matrix(b + "attn_q.weight", E, NQ);
    l.wk = ld.matrix(b + "attn_k.weight", E, NKV);
    l.wv = ld.matrix(b + "attn_v.weight", E, NKV);
    l.wo = ld.matrix(b + "attn_output.weight", NQ, E);
    l.bq = ld.optional_vector(b + "attn_q.bias", NQ);
    l.bk = ld.optional_vector(b + "attn_k.bias", NKV);
    l.bv = ld.optional_vector(b + "attn_v.bias", NKV);
    l.bo = ld.optional_vector(b + "attn_output.bias", E);
    l.attn_out_norm = ld.vector(b + "attn_output_norm.weight", E);
    l.attn_out_norm_b = ld.optional_vector(b + "attn_output_norm.bias", E);
    l.ffn_up = ld.matrix(b + "ffn_up.weight", E, hp.n_ff);
    l.ffn_up_b = ld.optional_vector(b + "ffn_up.bias", hp.n_ff);
    l.ffn_down = ld.matrix(b + "ffn_down.weight", hp.n_ff, E);
    l.ffn_down_b = ld.optional_vector(b + "ffn_down.bias", E);
    l.layer_out_norm = ld.vector(b + "layer_output_norm.weight", E);
    l.layer_out_norm_b = ld.optional_vector(b + "layer_output_norm.bias", E);
    w.layers.push_back(l);
  }
  return w;
}

}  // namespace

std::shared_ptr<Model> load_bert(std::shared_ptr<GgufFile> file,
                                 std::shared_ptr<const Vocab> vocab) {
  // No RoPE in BERT (learned positions); the style is a placeholder.
  ModelHParams hp = ModelHParams::from_gguf(*file, RopeStyle::Normal);
  hp.n_vocab = vocab_size_from_embeddings(*file);
  // llama.cpp's converter writes false; a causal BERT would be a different model.
  if (file->get_bool("bert.attention.causal").value_or(false))
    throw UnsupportedError(file->path() + ": bert.attention.causal = true is not supported");
  if (file->find_tensor("blk.0.ffn_gate.weight") != nullptr)
    throw UnsupportedError(file->path() +
                           ": a gated feed-forward (jina-bert style) is not the 'bert' block");
  WeightLoader loader(*file);
  BertWeights w = load_bert_weights(*file, loader, hp);
  return std::make_shared<BertModel>(std::move(file), std::move(vocab), std::move(hp), std::move(w),
                                     std::move(loader.storage()));
}

}  // namespace tq
