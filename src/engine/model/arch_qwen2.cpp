// Architecture "qwen2": Qwen2 / Qwen2.5. Same block as llama with three differences:
// biases on the Q, K and V projections, NeoX-style RoPE (rotating dimension i with
// i + n_rot/2, because Qwen's checkpoints are not permuted), and usually tied embeddings.
#include "engine/model/arch.h"
#include "engine/model/decoder.h"
#include "engine/model/weight_loader.h"

namespace tq {

std::shared_ptr<Model> load_qwen2(std::shared_ptr<GgufFile> file,
                                  std::shared_ptr<const Vocab> vocab) {
  ModelHParams hp = ModelHParams::from_gguf(*file, RopeStyle::Neox);
  hp.n_vocab = vocab_size_from_embeddings(*file);
  WeightLoader loader(*file);
  DecoderWeights w = load_decoder_weights(loader, hp, /*qkv_bias=*/true);
  return std::make_shared<DecoderModel>(std::move(file), std::move(vocab), std::move(hp),
                                        std::move(w), std::move(loader.storage()));
}

}  // namespace tq
