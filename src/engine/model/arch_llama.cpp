// Architecture "llama": Llama 2/3, TinyLlama, Mistral, SmolLM, Karpathy's stories models.
// GGUF converters permute the Q/K rows so that "normal" (adjacent-pair) RoPE applies.
// Optional: output.weight (tied to token_embd when absent), rope_freqs.weight (Llama 3.1).
#include "engine/model/arch.h"
#include "engine/model/decoder.h"
#include "engine/model/weight_loader.h"

namespace tq {

std::shared_ptr<Model> load_llama(std::shared_ptr<GgufFile> file,
                                  std::shared_ptr<const Vocab> vocab) {
  ModelHParams hp = ModelHParams::from_gguf(*file, RopeStyle::Normal);
  hp.n_vocab = vocab_size_from_embeddings(*file);
  WeightLoader loader(*file);
  DecoderWeights w = load_decoder_weights(loader, hp, /*qkv_bias=*/false);
  return std::make_shared<DecoderModel>(std::move(file), std::move(vocab), std::move(hp),
                                        std::move(w), std::move(loader.storage()));
}

}  // namespace tq
